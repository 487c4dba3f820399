"""Speech through a text-to-speech command run as a subprocess (espeak-ng by default).

One worker thread speaks the newest text: `say` hands it over and returns, and a text said while
another is spoken ends that one (its process is killed), so speech follows the visitor's focus
instead of queueing behind it. Audio goes to the default ALSA device (the Pi's 3.5 mm jack);
with `wav_dir` each utterance is written to a numbered WAV file instead, for tests and demos.

Another engine (Piper, RHVoice, Festival...) replaces espeak-ng behind the same interface by a
`CommandEngine` of its own: a function from (text, voice, WAV path or None) to the argv to run.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

# espeak-ng's voice for each kiosk language; a language's easy-read variant ("fi-x-easy") uses its
# base language's voice, more slowly (see ESPEAK.rate_for).
ESPEAK_VOICES = {"fi": "fi", "sv": "sv", "en": "en-gb", "uk": "uk", "ru": "ru", "et": "et"}
STOP_WAIT_S = 1.0


class SpeechUnavailableError(RuntimeError):
    """The speech engine is not installed; the message says which package to install."""


@dataclass(frozen=True)
class CommandEngine:
    """How to run one text-to-speech command."""

    program: str
    package: str  # the Debian package that installs it, for the error
    voices: Mapping[str, str]
    argv: Callable[[str, str, int, Path | None], Sequence[str]]
    words_per_minute: int = 150
    easy_read_words_per_minute: int = (
        125  # easy-read languages: slower, as plain-language rules ask
    )

    def voice_for(self, language: str) -> str | None:
        """The engine's voice for a kiosk language ("sv", "sv-FI", "fi-x-easy"), or None."""
        return self.voices.get(language.split("-")[0].lower())

    def rate_for(self, language: str) -> int:
        return self.easy_read_words_per_minute if "-x-easy" in language else self.words_per_minute


def _espeak_argv(text: str, voice: str, rate: int, wav: Path | None) -> list[str]:
    argv = ["espeak-ng", "-v", voice, "-s", str(rate)]
    if wav is not None:
        argv += ["-w", str(wav)]
    return [*argv, "--", text]


ESPEAK = CommandEngine(
    program="espeak-ng", package="espeak-ng", voices=ESPEAK_VOICES, argv=_espeak_argv
)


@dataclass
class _Pending:
    text: str
    language: str


@dataclass
class CommandSpeech:
    """A `Speech` that runs `engine` for each text, on a worker thread of its own."""

    engine: CommandEngine = ESPEAK
    wav_dir: Path | None = None
    _wake: threading.Condition = field(default_factory=threading.Condition, init=False)
    _pending: _Pending | None = field(default=None, init=False)
    _process: subprocess.Popen | None = field(default=None, init=False)
    _closed: bool = field(default=False, init=False)
    _spoken: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        if shutil.which(self.engine.program) is None:
            raise SpeechUnavailableError(
                f"{self.engine.program} is not installed: install its Debian package "
                f"(sudo apt install {self.engine.package}), or turn speech off."
            )
        if self.wav_dir is not None:
            self.wav_dir.mkdir(parents=True, exist_ok=True)
        self._thread = threading.Thread(target=self._run, name="speech", daemon=True)
        self._thread.start()

    def say(self, text: str, language: str) -> None:
        with self._wake:
            if self._closed or not text.strip():
                return
            self._pending = _Pending(text, language)
            self._end_current()
            self._wake.notify()

    def stop(self) -> None:
        with self._wake:
            self._pending = None
            self._end_current()

    def close(self) -> None:
        with self._wake:
            self._closed = True
            self._pending = None
            self._end_current()
            self._wake.notify()
        self._thread.join(STOP_WAIT_S)

    def wait_until_quiet(self, timeout: float = 30.0) -> bool:
        """For tests and demos: wait until nothing is pending or spoken; False on timeout."""
        with self._wake:
            return self._wake.wait_for(
                lambda: self._pending is None and self._process is None, timeout
            )

    def _end_current(self) -> None:  # holding self._wake
        if self._process is not None and self._process.poll() is None:
            self._process.kill()

    def _run(self) -> None:
        while True:
            with self._wake:
                self._wake.wait_for(lambda: self._pending is not None or self._closed)
                if self._closed:
                    return
                pending, self._pending = self._pending, None
                process = self._start(pending)
                self._process = process
            if process is not None and process.wait() > 0:
                log.warning("speech: %s ended with %d", self.engine.program, process.returncode)
            with self._wake:
                self._process = None
                self._wake.notify_all()

    def _start(self, pending: _Pending) -> subprocess.Popen | None:
        voice = self.engine.voice_for(pending.language)
        if voice is None:
            log.warning("speech: no %s voice for %r", self.engine.program, pending.language)
            return None
        wav = None
        if self.wav_dir is not None:
            self._spoken += 1
            wav = self.wav_dir / f"{self._spoken:04d}-{pending.language}.wav"
        argv = self.engine.argv(pending.text, voice, self.engine.rate_for(pending.language), wav)
        try:
            return subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
        except OSError as err:
            log.warning("speech: cannot run %s: %s", self.engine.program, err)
            return None

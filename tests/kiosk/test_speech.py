"""Speech: espeak-ng speaks each kiosk language into real WAV files, a newer text cuts off the
one being spoken, and a missing engine is named with the package to install."""

from __future__ import annotations

import shutil
import wave
from pathlib import Path

import pytest

from kiosk.devices.fakes import RecordingSpeech
from kiosk.devices.speech import ESPEAK, CommandEngine, CommandSpeech, SpeechUnavailableError
from tests.support.audio import assert_speech, read_sound
from tests.support.browser_tools import unavailable

GREETINGS = {
    "fi": "Miten käyntisi sujui? Valitse yksi neljästä vaihtoehdosta.",
    "sv": "Hur gick ditt besök? Välj ett av fyra alternativ.",
    "en": "How did your visit go? Choose one of four answers.",
}


@pytest.fixture
def speech(tmp_path: Path):
    if shutil.which("espeak-ng") is None:
        unavailable("espeak-ng is not installed: run scripts/setup.sh as root (it installs it).")
    speaking = CommandSpeech(wav_dir=tmp_path / "said")
    yield speaking
    speaking.close()


def spoken_files(speech: CommandSpeech) -> list[Path]:
    assert speech.wav_dir is not None
    return sorted(speech.wav_dir.glob("*.wav"))


@pytest.mark.parametrize(("language", "voice"), [("fi", "fi"), ("sv-FI", "sv"), ("en", "en-gb")])
def test_each_kiosk_language_has_a_voice(language: str, voice: str) -> None:
    assert ESPEAK.voice_for(language) == voice


def test_easy_read_speaks_its_base_language_more_slowly() -> None:
    assert ESPEAK.voice_for("fi-x-easy") == "fi"
    assert ESPEAK.rate_for("fi-x-easy") < ESPEAK.rate_for("fi")


def test_a_language_without_a_voice_has_none() -> None:
    assert ESPEAK.voice_for("xx") is None


@pytest.mark.parametrize("language", sorted(GREETINGS))
def test_espeak_says_the_question_aloud(speech: CommandSpeech, language: str) -> None:
    speech.say(GREETINGS[language], language)
    assert speech.wait_until_quiet()
    [wav] = spoken_files(speech)
    assert wav.name.endswith(f"-{language}.wav")
    assert_speech(wav, min_seconds=1.0)


def test_a_newer_text_cuts_off_the_one_being_spoken(speech: CommandSpeech) -> None:
    long_text = " ".join([GREETINGS["fi"]] * 30)
    speech.say(long_text, "fi")
    speech.say(GREETINGS["sv"], "sv")  # focus moved on: only the newest text matters
    assert speech.wait_until_quiet()
    files = spoken_files(speech)
    assert files[-1].name.endswith("-sv.wav"), files
    assert_speech(files[-1], min_seconds=1.0)
    if len(files) == 2:  # the Finnish text was started, then ended early
        with wave.open(str(files[0]), "rb") as cut:
            full_seconds = 30 * 3.0  # far more than the cut-off part
            assert cut.getnframes() / cut.getframerate() < full_seconds


def test_stop_ends_the_speech(speech: CommandSpeech) -> None:
    speech.say(" ".join([GREETINGS["en"]] * 30), "en")
    speech.stop()
    assert speech.wait_until_quiet(timeout=5)


def test_blank_text_and_text_after_close_say_nothing(speech: CommandSpeech) -> None:
    speech.say("   ", "fi")
    assert speech.wait_until_quiet()
    speech.close()
    speech.say(GREETINGS["fi"], "fi")
    assert spoken_files(speech) == []


def test_a_missing_engine_names_the_package_to_install() -> None:
    engine = CommandEngine(
        program="no-such-tts-here",
        package="no-such-tts-package",
        voices={"fi": "fi"},
        argv=lambda text, voice, rate, wav: ["no-such-tts-here", text],
    )
    with pytest.raises(SpeechUnavailableError, match=r"sudo apt install no-such-tts-package"):
        CommandSpeech(engine)


def test_the_silence_check_catches_a_silent_file(tmp_path: Path) -> None:
    silent = tmp_path / "silent.wav"
    with wave.open(str(silent), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(22050)
        wav.writeframes(b"\0\0" * 22050)
    assert read_sound(silent).rms == 0
    with pytest.raises(AssertionError, match="silent"):
        assert_speech(silent)


def test_the_recording_fake_keeps_what_was_said_in_order() -> None:
    fake = RecordingSpeech()
    fake.say("Kiitos!", "fi")
    fake.say(" ", "fi")
    fake.say("Tack!", "sv")
    fake.stop()
    assert fake.said == [("fi", "Kiitos!"), ("sv", "Tack!")] and fake.stops == 1

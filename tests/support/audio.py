"""What a WAV file holds: its length and how loud it is (16-bit PCM, as espeak-ng writes)."""

from __future__ import annotations

import array
import math
import wave
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Sound:
    seconds: float
    rms: float  # of the samples, 0..32767
    peak: int


def read_sound(path: Path) -> Sound:
    with wave.open(str(path), "rb") as wav:
        assert wav.getsampwidth() == 2, f"{path}: {8 * wav.getsampwidth()}-bit, not 16-bit PCM"
        frames = wav.readframes(wav.getnframes())
        seconds = wav.getnframes() / wav.getframerate()
    samples = array.array("h", frames)
    if not samples:
        return Sound(seconds, 0.0, 0)
    rms = math.sqrt(sum(s * s for s in samples) / len(samples))
    return Sound(seconds, rms, max(abs(s) for s in samples))


def assert_speech(path: Path, *, min_seconds: float = 0.3) -> Sound:
    """The file holds audible sound of at least `min_seconds` (not silence, not a stub)."""
    sound = read_sound(path)
    assert sound.seconds >= min_seconds, f"{path}: only {sound.seconds:.2f} s"
    assert sound.rms > 300 and sound.peak > 3000, f"{path} is (nearly) silent: {sound}"
    return sound

"""The [speech] section: which engine it makes, and a missing espeak-ng named with its package
while the kiosk runs on without speech."""

from __future__ import annotations

import logging
import shutil

import pytest

from kiosk.config import SpeechSection
from kiosk.devices.factory import make_speech
from kiosk.devices.fakes import RecordingSpeech
from kiosk.devices.speech import CommandSpeech
from tests.support.kiosk_config import example_config


def test_the_example_config_speaks_with_espeak_ng() -> None:
    from kiosk.config import parse_config

    config = parse_config(example_config(), source="example")
    assert (config.speech.enabled, config.speech.engine, config.speech.rate) == (
        True,
        "espeak-ng",
        150,
    )


def test_off_or_none_makes_no_speech() -> None:
    assert make_speech(SpeechSection(enabled=False)) is None
    assert make_speech(SpeechSection(engine="none")) is None


def test_fake_records() -> None:
    assert isinstance(make_speech(SpeechSection(engine="fake")), RecordingSpeech)


def test_a_missing_espeak_ng_is_logged_with_its_package(monkeypatch, caplog) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with caplog.at_level(logging.ERROR):
        assert make_speech(SpeechSection()) is None
    (record,) = caplog.records
    assert "apt install espeak-ng" in record.getMessage()


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_espeak_ng_at_the_configured_rate(tmp_path) -> None:
    speech = make_speech(SpeechSection(rate=180, wav_dir=str(tmp_path)))
    try:
        assert isinstance(speech, CommandSpeech)
        assert speech.engine.words_per_minute == 180 and speech.wav_dir == tmp_path
        assert speech.engine.rate_for("fi-x-easy") == 150
    finally:
        speech.close()


def test_an_unknown_engine_is_refused() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        SpeechSection(engine="festival")

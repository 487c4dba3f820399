"""The device the config asks for: none, a fake, or the real driver (imported only then)."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from kiosk.config import DeviceConfig, SpeechSection
from kiosk.devices.interfaces import LineDevice, ReceiptPrinter, Speech

log = logging.getLogger(__name__)


def make_printer(config: DeviceConfig) -> ReceiptPrinter | None:
    if config.kind == "fake":
        from kiosk.devices.fakes import FakePrinter

        return FakePrinter()
    if config.kind == "serial" and config.port:
        from kiosk.devices.serial_printer import SerialReceiptPrinter

        return SerialReceiptPrinter(config.port, config.baudrate, config.code_page)
    return None


def make_line_device(name: str, config: DeviceConfig) -> LineDevice | None:
    if config.kind == "fake":
        from kiosk.devices.fakes import FakeLineDevice

        return FakeLineDevice(name)
    if config.kind == "serial" and config.port:
        from kiosk.devices.serial_lines import SerialLineDevice

        return SerialLineDevice(name, config.port, config.baudrate)
    return None


def make_speech(config: SpeechSection) -> Speech | None:
    """The speech engine, or None when speech is off or its engine is not installed (logged
    once, with the Debian package to install: the kiosk runs on without speech)."""
    if not config.enabled or config.engine == "none":
        return None
    if config.engine == "fake":
        from kiosk.devices.fakes import RecordingSpeech

        return RecordingSpeech()
    from kiosk.devices.speech import ESPEAK, CommandSpeech, SpeechUnavailableError

    engine = replace(
        ESPEAK, words_per_minute=config.rate, easy_read_words_per_minute=config.rate * 5 // 6
    )
    try:
        return CommandSpeech(engine, Path(config.wav_dir) if config.wav_dir else None)
    except SpeechUnavailableError as err:
        log.error("speech mode will be silent: %s", err)
        return None

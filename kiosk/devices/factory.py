"""The device the config asks for: none, a fake, or the serial driver (imported only then)."""

from __future__ import annotations

from kiosk.config import DeviceConfig
from kiosk.devices.interfaces import LineDevice, ReceiptPrinter


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

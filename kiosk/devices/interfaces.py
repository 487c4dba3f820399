"""What the kiosk asks of each device, whatever drives it (pyserial, a fake, nothing)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from hymy_domain.facts import PrinterState as PrinterState  # part of the printer's interface


class LinkState(StrEnum):
    """A serial reader's connection."""

    NONE = "none"
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"


@dataclass(frozen=True)
class TicketText:
    """Everything printed on a queue ticket, already in the visitor's language."""

    station: str
    service_point: str
    number: str
    issued_at: datetime
    guidance: str


@dataclass(frozen=True)
class PrintResult:
    printed: bool
    state: PrinterState
    detail: str = ""  # for the log and the admin screen


class ReceiptPrinter(Protocol):
    """Prints queue tickets. Methods block for at most a few seconds: call them off the UI
    thread."""

    def print_ticket(self, ticket: TicketText) -> PrintResult: ...

    def status(self) -> PrinterState: ...

    def close(self) -> None: ...


class LineDevice(Protocol):
    """A device that sends text lines (a barcode scanner, a button panel)."""

    def start(
        self, on_line: Callable[[str], None], on_state: Callable[[LinkState], None]
    ) -> None: ...

    def close(self) -> None: ...


BarcodeScanner = LineDevice
ButtonPanel = LineDevice


class Speech(Protocol):
    """Speaks texts aloud. `say` returns at once (speaking never delays recording or drawing);
    a new text cuts off the one being spoken, as a screen reader does when focus moves on."""

    def say(self, text: str, language: str) -> None: ...

    def stop(self) -> None: ...

    def close(self) -> None: ...

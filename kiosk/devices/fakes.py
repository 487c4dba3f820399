"""Devices for desktops and demos without hardware: a printer that keeps what it printed, line
devices (scanner, panel) that send what they are told, and speech that records what was said."""

from __future__ import annotations

from collections.abc import Callable

from kiosk.devices.interfaces import LinkState, PrinterState, PrintResult, TicketText


class FakePrinter:
    def __init__(self, state: PrinterState = PrinterState.OK) -> None:
        self.state = state
        self.printed: list[TicketText] = []

    def status(self) -> PrinterState:
        return self.state

    def print_ticket(self, ticket: TicketText) -> PrintResult:
        if self.state in (PrinterState.PAPER_OUT, PrinterState.OFFLINE):
            return PrintResult(False, self.state, f"fake printer: {self.state.value}")
        self.printed.append(ticket)
        return PrintResult(True, self.state)

    def close(self) -> None:
        pass


class FakeLineDevice:
    def __init__(self, name: str) -> None:
        self.name = name
        self._on_line: Callable[[str], None] | None = None

    def start(self, on_line: Callable[[str], None], on_state: Callable[[LinkState], None]) -> None:
        self._on_line = on_line
        on_state(LinkState.CONNECTED)

    def send(self, line: str) -> None:
        """As if the device sent this line (a scan, a press)."""
        if self._on_line is not None:
            self._on_line(line)

    def close(self) -> None:
        self._on_line = None


class RecordingSpeech:
    """Speech that keeps what it was told to say, as (language, text), in order."""

    def __init__(self) -> None:
        self.said: list[tuple[str, str]] = []
        self.stops = 0

    def say(self, text: str, language: str) -> None:
        if text.strip():
            self.said.append((language, text))

    def stop(self) -> None:
        self.stops += 1

    def close(self) -> None:
        pass

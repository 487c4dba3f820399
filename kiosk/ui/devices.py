"""The kiosk's serial devices in the app: made from the config, their threads' events posted to
Kivy's main thread, and their states in words for the admin screen."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from kivy.clock import Clock

from kiosk.config import KioskConfig, text
from kiosk.devices.factory import make_line_device, make_printer, make_speech
from kiosk.devices.interfaces import LineDevice, LinkState, PrinterState, Speech, TicketText
from kiosk.i18n import N_
from kiosk.printing import TicketPrinting
from kiosk.session import KioskSession

PRINTER_CHECK_S = 30.0
PRINTER_WORDS = {
    PrinterState.NONE: N_("not in use"),
    PrinterState.OK: N_("ready"),
    PrinterState.PAPER_NEAR_END: N_("paper running low"),
    PrinterState.PAPER_OUT: N_("out of paper"),
    PrinterState.OFFLINE: N_("offline"),
}
LINK_WORDS = {
    LinkState.NONE: N_("not in use"),
    LinkState.CONNECTED: N_("connected"),
    LinkState.DISCONNECTED: N_("disconnected"),
}


def _on_main_thread(callback: Callable[[], None]) -> None:
    Clock.schedule_once(lambda _dt: callback())


class KioskDevices:
    def __init__(self, config: KioskConfig, translate: Callable[[str, str], str]) -> None:
        self.config = config
        printer = make_printer(config.devices.printer)
        self.printing = TicketPrinting(printer, translate) if printer else None
        self.scanner: LineDevice | None = make_line_device("scanner", config.devices.scanner)
        self.panel: LineDevice | None = make_line_device("button panel", config.devices.buttons)
        self.speech: Speech | None = make_speech(config.speech)
        self.links = {
            "scanner": LinkState.NONE if self.scanner is None else LinkState.DISCONNECTED,
            "panel": LinkState.NONE if self.panel is None else LinkState.DISCONNECTED,
        }
        self._session: KioskSession | None = None

    def start(self, session: KioskSession, on_panel: Callable[[str], None]) -> None:
        """Start the readers and the printer checks (on the UI thread, once the app runs).
        `on_panel` takes the panel's lines (kiosk.ui.assisted: quick ratings, speech mode)."""
        self._session = session
        for name, device, on_line in (
            ("scanner", self.scanner, session.check_in_by_barcode),
            ("panel", self.panel, on_panel),
        ):
            if device is not None:
                device.start(
                    lambda line, act=on_line: _on_main_thread(lambda: act(line)),
                    lambda state, key=name: _on_main_thread(lambda: self._link(key, state)),
                )
        if self.printing is not None:
            Clock.schedule_interval(lambda _dt: self.check_printer(), PRINTER_CHECK_S)
            self.check_printer()

    def _link(self, key: str, state: LinkState) -> None:
        self.links[key] = state

    def check_printer(self) -> None:
        if self.printing is None or self._session is None:
            return
        session = self._session
        self.printing.check().add_done_callback(
            lambda f: _on_main_thread(lambda: session.record_printer_state(f.result()))
        )

    def printer_state(self) -> PrinterState:
        return PrinterState.NONE if self.printing is None else self.printing.state

    def states(self) -> list[tuple[str, str]]:
        """(label, state) msgid pairs for the admin screen."""
        return [
            (N_("Printer"), PRINTER_WORDS[self.printer_state()]),
            (N_("Barcode scanner"), LINK_WORDS[self.links["scanner"]]),
            (N_("Button panel"), LINK_WORDS[self.links["panel"]]),
        ]

    def print_test(self, language: str, done: Callable[[bool], None]) -> None:
        """A test ticket from the admin screen; `done(printed)` on the UI thread."""
        if self.printing is None:
            return
        ticket = TicketText(
            station=text(self.config.kiosk.station_name, language),
            service_point="TEST",
            number="T000",
            issued_at=datetime.now(UTC).astimezone(self.config.kiosk.timezone),
            guidance="Hymy",
        )
        self.printing.print(ticket).add_done_callback(
            lambda f: _on_main_thread(lambda: done(f.result().printed))
        )

    def close(self) -> None:
        if self.speech is not None:
            self.speech.close()
        for device in (self.scanner, self.panel):
            if device is not None:
                device.close()
        if self.printing is not None:
            self.printing.close()

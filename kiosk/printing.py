"""Printing a queue ticket for the kiosk session: the ticket's text in the visitor's language,
and the printer called on a thread of its own: printing never blocks the screen."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime

from kiosk.config import KioskConfig, ServicePoint, text
from kiosk.devices.interfaces import PrinterState, PrintResult, ReceiptPrinter, TicketText
from kiosk.i18n import N_

log = logging.getLogger(__name__)
DEFAULT_GUIDANCE = N_("Please wait until your number is called.")


class TicketPrinting:
    """`translate(language, message)` gives a catalog message in the visitor's language."""

    def __init__(
        self,
        printer: ReceiptPrinter,
        translate: Callable[[str, str], str],
    ) -> None:
        self.printer = printer
        self._translate = translate
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="printer")
        self.state = PrinterState.OK

    def ticket_text(
        self, config: KioskConfig, point: ServicePoint, language: str, number: str, at: datetime
    ) -> TicketText:
        guidance = (
            text(point.guidance, language)
            if point.guidance
            else self._translate(language, DEFAULT_GUIDANCE)
        )
        return TicketText(
            station=text(config.kiosk.station_name, language),
            service_point=text(point.name, language),
            number=number,
            issued_at=at.astimezone(config.kiosk.timezone),
            guidance=guidance,
        )

    def _print(self, ticket: TicketText) -> PrintResult:
        try:
            result = self.printer.print_ticket(ticket)
        except Exception as err:  # a driver's surprise must not cost the visitor the number
            log.exception("printing failed")
            result = PrintResult(False, PrinterState.OFFLINE, str(err))
        if not result.printed:
            log.warning("ticket %s not printed: %s", ticket.number, result.detail)
        self._remember(result.state)
        return result

    def _remember(self, state: PrinterState) -> None:
        if state is not self.state:
            self.state = state
            log.info("printer state: %s", state.value)

    def print(self, ticket: TicketText) -> Future[PrintResult]:
        """Print on the printer's thread; the future's result says whether it printed."""
        return self._pool.submit(self._print, ticket)

    def check(self) -> Future[PrinterState]:
        """Ask the printer for its state (the admin screen, a periodic check)."""

        def ask() -> PrinterState:
            try:
                state = self.printer.status()
            except Exception:
                log.exception("printer status failed")
                state = PrinterState.OFFLINE
            self._remember(state)
            return state

        return self._pool.submit(ask)

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self.printer.close()

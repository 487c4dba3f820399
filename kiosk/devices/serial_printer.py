"""The queue-ticket printer on a serial line: ESC/POS laid out by python-escpos, sent and
asked for its state (DLE EOT) with pyserial. The port is opened when needed, so a printer
that was unplugged works again as soon as it is back."""

from __future__ import annotations

import contextlib
import logging

import serial

from kiosk.devices.escpos_status import QUERY_PAPER, QUERY_PRINTER, printer_state
from kiosk.devices.escpos_ticket import DEFAULT_CODE_PAGE, ticket_bytes
from kiosk.devices.interfaces import PrinterState, PrintResult, TicketText

log = logging.getLogger(__name__)
ANSWER_TIMEOUT_S = 0.5
WRITE_TIMEOUT_S = 3.0


class SerialReceiptPrinter:
    """Use from one thread (the kiosk's printer thread): every call may take a second."""

    def __init__(
        self, port: str, baudrate: int = 19200, code_page: str = DEFAULT_CODE_PAGE
    ) -> None:
        self.port = port
        self.baudrate = baudrate
        self.code_page = code_page
        self._link: serial.Serial | None = None

    def _open(self) -> serial.Serial:
        if self._link is None:
            self._link = serial.Serial(
                self.port,
                self.baudrate,
                timeout=ANSWER_TIMEOUT_S,
                write_timeout=WRITE_TIMEOUT_S,
            )
            self._link.reset_input_buffer()
        return self._link

    def _drop(self) -> None:
        if self._link is not None:
            with contextlib.suppress(serial.SerialException, OSError):
                self._link.close()
            self._link = None

    def _ask(self, link: serial.Serial, query: bytes) -> int | None:
        link.write(query)
        link.flush()
        answer = link.read(1)
        return answer[0] if answer else None

    def status(self) -> PrinterState:
        try:
            link = self._open()
            return printer_state(self._ask(link, QUERY_PRINTER), self._ask(link, QUERY_PAPER))
        except (serial.SerialException, OSError) as err:
            log.warning("printer on %s not reachable: %s", self.port, err)
            self._drop()
            return PrinterState.OFFLINE

    def print_ticket(self, ticket: TicketText) -> PrintResult:
        state = self.status()
        if state in (PrinterState.PAPER_OUT, PrinterState.OFFLINE):
            return PrintResult(False, state, f"printer on {self.port}: {state.value}")
        try:
            link = self._open()
            link.write(ticket_bytes(ticket, code_page=self.code_page))
            link.flush()
        except (serial.SerialException, OSError) as err:
            self._drop()
            return PrintResult(False, PrinterState.OFFLINE, f"printer on {self.port}: {err}")
        return PrintResult(True, state)

    def close(self) -> None:
        self._drop()

"""Simulators that play a device on a pseudo-terminal, for trying a kiosk before the hardware
arrives (and for the tests):

    python -m kiosk.devices.simulate printer [--state paper_out]   # shows each ticket printed
    python -m kiosk.devices.simulate scanner                       # type a code, Enter: scanned
    python -m kiosk.devices.simulate buttons                       # 1-4, Enter: a press;
                                                                   # h1-h4: held 2 s (speech)

Each prints the port to put in the kiosk config ([devices.printer] kind = "serial",
port = "/dev/pts/N"). The printer simulator takes a new state on its standard input
(ok, paper_near_end, paper_out, offline).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import select
import sys
import threading
import time
import tty
from collections.abc import Callable

from kiosk.devices.escpos_decode import DecodedTicket, EscPosDecoder, StatusRequest
from kiosk.devices.escpos_status import answer
from kiosk.devices.interfaces import PrinterState
from kiosk.devices.panel import HOLD_S


class PseudoTerminal:
    """The device's end of a pty pair; `port` is what the kiosk opens."""

    def __init__(self) -> None:
        self.master, self._slave = os.openpty()
        tty.setraw(self._slave)
        self.port = os.ttyname(self._slave)

    def write(self, data: bytes) -> None:
        os.write(self.master, data)

    def close(self) -> None:
        """As if the cable were pulled: the kiosk's reads fail."""
        for fd in (self.master, self._slave):
            with contextlib.suppress(OSError):
                os.close(fd)


class PrinterSimulator:
    """An ESC/POS receipt printer: answers DLE EOT as `state` says, decodes what it prints."""

    def __init__(
        self,
        state: PrinterState = PrinterState.OK,
        on_ticket: Callable[[DecodedTicket], None] | None = None,
    ) -> None:
        self.pty = PseudoTerminal()
        self.port = self.pty.port
        self.state = state
        self.tickets: list[DecodedTicket] = []
        self.raw = bytearray()
        self._on_ticket = on_ticket
        self._decoder = EscPosDecoder()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="printer-sim")
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self.pty.master], [], [], 0.1)
            if not ready:
                continue
            try:
                data = os.read(self.pty.master, 4096)
            except OSError:
                return
            if self.state is PrinterState.OFFLINE:
                continue  # switched off: no answer at all
            self.raw += data
            for item in self._decoder.feed(data):
                if isinstance(item, StatusRequest):
                    self.pty.write(answer(self.state, item.kind))
                else:
                    self.tickets.append(item)
                    if self._on_ticket:
                        self._on_ticket(item)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.pty.close()


def _show(ticket: DecodedTicket) -> None:
    width = max((len(line) for line in ticket.lines), default=20) + 4
    rows = ["+" + "-" * width + "+"]
    for line in ticket.lines:
        mark = "**" if line and line in ticket.large else "  "
        rows.append(f"|{mark}{line.center(width - 4)}{mark}|")
    rows.append("+" + "- cut " + "-" * (width - 6) + "+")
    sys.stdout.write("\n".join(rows) + f"\n(code page {', '.join(ticket.code_pages)})\n")
    sys.stdout.flush()


BUTTONS_PROMPT = (
    "1-4 (a press: 1 very unhappy ... 4 very happy), p1-p4 (a press as down and up), "
    "h1-h4 (a key held 2 s: speech mode) or d1-d4 / u1-u4 (a key down / up)"
)


def button_lines(typed: str) -> list[str] | None:
    """The panel lines for what was typed to the buttons simulator, or None if it means none:
    "3" -> B3 (a press, as the first panels send it); "p3" -> D3, U3 (a press as a new panel
    sends it); "h3" -> D3, U3 with the key held between (the caller waits); "d3" -> D3;
    "u3" -> U3."""
    typed = typed.strip().lower()
    kind, key = (typed[:-1], typed[-1:]) if typed else ("", "")
    if key not in ("1", "2", "3", "4"):
        return None
    lines = {"": [f"B{key}"], "p": [f"D{key}", f"U{key}"], "h": [f"D{key}", f"U{key}"]}
    lines |= {"d": [f"D{key}"], "u": [f"U{key}"]}
    return lines.get(kind)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kiosk.devices.simulate",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("device", choices=("printer", "scanner", "buttons"))
    states = [s.value for s in PrinterState if s is not PrinterState.NONE]
    parser.add_argument("--state", choices=states, default=PrinterState.OK.value)
    args = parser.parse_args(argv)
    if args.device == "printer":
        printer = PrinterSimulator(PrinterState(args.state), on_ticket=_show)
        sys.stdout.write(f"printer on {printer.port} ({args.state}); type a new state + Enter\n")
        sys.stdout.flush()
        for line in sys.stdin:
            try:
                printer.state = PrinterState(line.strip())
                sys.stdout.write(f"printer now {printer.state.value}\n")
            except ValueError:
                sys.stdout.write(f"states: {', '.join(states)}\n")
            sys.stdout.flush()
        printer.close()
        return 0
    pty = PseudoTerminal()
    prompt = "a booking code" if args.device == "scanner" else BUTTONS_PROMPT
    sys.stdout.write(f"{args.device} on {pty.port}; type {prompt} + Enter\n")
    sys.stdout.flush()
    for line in sys.stdin:
        text = line.strip()
        if args.device == "scanner":
            pty.write(text.encode("latin-1", errors="replace") + b"\r\n")
            continue
        lines = button_lines(text)
        if lines is None:
            sys.stdout.write(f"type {BUTTONS_PROMPT}\n")
            sys.stdout.flush()
            continue
        for panel_line in lines:
            if panel_line.startswith("U") and text.lower().startswith("h"):
                time.sleep(HOLD_S + 0.2)  # the key stays down
            pty.write(panel_line.encode("ascii") + b"\r\n")
    pty.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

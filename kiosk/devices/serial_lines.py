"""A serial device that sends text lines (barcode scanner, button panel) read by a thread of
its own with pyserial; a port that disappears (cable pulled) is reopened with backoff while the
kiosk carries on."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import serial

from kiosk.devices.framing import LineFramer
from kiosk.devices.interfaces import LinkState

log = logging.getLogger(__name__)
READ_TIMEOUT_S = 0.2
FIRST_RETRY_S = 0.5
MAX_RETRY_S = 5.0


class SerialLineDevice:
    """`name` is for the log ("scanner", "button panel"). Callbacks run on the reader thread:
    the kiosk's UI posts them on to Kivy's main thread."""

    def __init__(self, name: str, port: str, baudrate: int = 9600) -> None:
        self.name = name
        self.port = port
        self.baudrate = baudrate
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.state = LinkState.DISCONNECTED

    def start(self, on_line: Callable[[str], None], on_state: Callable[[LinkState], None]) -> None:
        self._thread = threading.Thread(
            target=self._run, args=(on_line, on_state), name=f"{self.name}-reader", daemon=True
        )
        self._thread.start()

    def _set(self, state: LinkState, on_state: Callable[[LinkState], None]) -> None:
        if state is not self.state:
            self.state = state
            on_state(state)

    def _run(self, on_line: Callable[[str], None], on_state: Callable[[LinkState], None]) -> None:
        wait = FIRST_RETRY_S
        while not self._stop.is_set():
            try:
                link = serial.Serial(self.port, self.baudrate, timeout=READ_TIMEOUT_S)
            except (serial.SerialException, OSError) as err:
                if self.state is not LinkState.DISCONNECTED or wait == FIRST_RETRY_S:
                    log.warning("%s on %s not available: %s", self.name, self.port, err)
                self._set(LinkState.DISCONNECTED, on_state)
                self._stop.wait(wait)
                wait = min(MAX_RETRY_S, wait * 2)
                continue
            log.info("%s on %s connected", self.name, self.port)
            self._set(LinkState.CONNECTED, on_state)
            wait = FIRST_RETRY_S
            framer = LineFramer()
            try:
                with link:
                    while not self._stop.is_set():
                        # one byte wakes the read at once, then whatever else is waiting: a line is
                        # handled as it ends, not when the read's timeout runs out
                        for line in framer.feed(link.read(link.in_waiting or 1)):
                            on_line(line)
            except (serial.SerialException, OSError) as err:
                log.warning("%s on %s lost: %s; reconnecting", self.name, self.port, err)
                self._set(LinkState.DISCONNECTED, on_state)
                self._stop.wait(FIRST_RETRY_S)

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)

"""Stand-ins for a kiosk session's surroundings: a clock the test moves, Kivy's main loop."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from kiosk.config import KioskConfig
from kiosk.outbox import Outbox
from kiosk.session import KioskSession, View


class ManualClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class UiThread:
    """Stands in for Kivy's main loop: callbacks posted by the writer run when the test says."""

    def __init__(self) -> None:
        self.queue: list[Callable[[], None]] = []
        self.views: list[View] = []

    def post(self, callback: Callable[[], None]) -> None:
        self.queue.append(callback)

    def run_pending(self) -> None:
        while self.queue:
            self.queue.pop(0)()


def settle(session: KioskSession, ui: UiThread) -> None:
    session.flush()
    ui.run_pending()


@contextmanager
def running_session(
    config: KioskConfig, directory: Path
) -> Iterator[tuple[KioskSession, Outbox, ManualClock, UiThread]]:
    """A session on `config` with a real outbox in `directory`, the clock and the UI thread
    the test moves; closed (writes finished) at the end."""
    outbox = Outbox.open(directory / "outbox.sqlite")
    clock, ui = ManualClock(), UiThread()
    session = KioskSession(config, outbox, post=ui.post, on_change=ui.views.append, monotonic=clock)
    try:
        yield session, outbox, clock, ui
    finally:
        session.close()
        outbox.close()

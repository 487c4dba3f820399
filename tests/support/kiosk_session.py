"""Stand-ins for a kiosk session's surroundings: a clock the test moves, Kivy's main loop."""

from __future__ import annotations

from collections.abc import Callable

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

"""The base of every kiosk screen: lifecycle hooks and the ghost-touch guard."""

from __future__ import annotations

import time

from kivy.app import App
from kivy.uix.screenmanager import Screen

from kiosk.session import View

# A finger that bounces on the touch glass lands its second touch on whatever the new screen shows
# at that spot; touches this soon after a screen appears are ignored.
GHOST_TOUCH_S = 0.3


class KioskScreen(Screen):
    """A screen of the kiosk. Subclasses fill `refresh` with what a new View changes."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.shown_at = 0.0

    @property
    def app(self) -> App:
        return App.get_running_app()

    def on_pre_enter(self, *_: object) -> None:
        self.shown_at = time.monotonic()

    def on_touch_down(self, touch: object) -> bool:
        if time.monotonic() - self.shown_at < GHOST_TOUCH_S:
            return True
        self.app.note_touch()
        return super().on_touch_down(touch)

    def refresh(self, view: View) -> None:
        """Show what the view says (language changes re-translate through kv bindings)."""

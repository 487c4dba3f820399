"""The start screen: check in, or rate the visit. It holds the hidden admin corner."""

from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import ColorProperty, NumericProperty, OptionProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.widgets.buttons import BounceFilteredButton


class StartCard(BounceFilteredButton, BoxLayout):
    """One of the start screen's two large choices: an icon, a title and a line under it."""

    bg = ColorProperty("#00504a")
    fg = ColorProperty("#ffffff")
    title = StringProperty("")
    subtitle = StringProperty("")
    icon = OptionProperty("ticket", options=["ticket", "smileys"])


class AdminCorner(Widget):
    """An invisible corner: a long press opens the admin PIN screen."""

    hold_seconds = NumericProperty(3.0)
    control = StringProperty("admin-corner")

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._pending = None

    def on_touch_down(self, touch: object) -> bool:
        if not self.collide_point(*touch.pos):
            return False
        touch.grab(self)
        self._pending = Clock.schedule_once(self._open, self.hold_seconds)
        return True

    def on_touch_up(self, touch: object) -> bool:
        if touch.grab_current is self:
            touch.ungrab(self)
            self._cancel()
            return True
        return False

    def _cancel(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None

    def _open(self, _dt: float) -> None:
        self._pending = None
        from kivy.app import App

        App.get_running_app().open_admin()


class StartScreen(KioskScreen):
    pass

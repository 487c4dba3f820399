"""The touch test for IT staff: every touch draws a ring; two touches at once at one spot show a
double touch (two input providers for one touch device, see the IT guide)."""

from __future__ import annotations

import time

from kivy.graphics import Color, Line
from kivy.properties import NumericProperty

from kiosk.ui.screens.base import KioskScreen

DOUBLE_TOUCH_S = 0.05
DOUBLE_TOUCH_PX = 20


class TouchTestScreen(KioskScreen):
    touches = NumericProperty(0)
    doubles = NumericProperty(0)

    def on_pre_enter(self, *args: object) -> None:
        super().on_pre_enter(*args)
        self.touches = 0
        self.doubles = 0
        self._last = (0.0, (-1000.0, -1000.0))
        self.ids.canvas_area.canvas.after.clear()

    def on_touch_down(self, touch: object) -> bool:
        if super().on_touch_down(touch):
            return True
        now = time.monotonic()
        last_at, (lx, ly) = self._last
        double = (
            now - last_at < DOUBLE_TOUCH_S
            and abs(touch.x - lx) < DOUBLE_TOUCH_PX
            and abs(touch.y - ly) < DOUBLE_TOUCH_PX
        )
        self._last = (now, (touch.x, touch.y))
        self.touches += 1
        self.doubles += int(double)
        radius = self.app.touch_min / 2
        with self.ids.canvas_area.canvas.after:
            Color(0.55, 0.11, 0.09, 1) if double else Color(0.0, 0.31, 0.29, 1)
            Line(circle=(touch.x, touch.y, radius), width=3)
        return True

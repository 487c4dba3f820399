"""The thank-you screen, shown once the feedback is stored (or a calm apology if it was not)."""

from __future__ import annotations

from kivy.properties import BooleanProperty

from kiosk.session import View, WriteStatus
from kiosk.ui.screens.base import KioskScreen


class ThanksScreen(KioskScreen):
    failed = BooleanProperty(False)

    def refresh(self, view: View) -> None:
        self.failed = view.write is WriteStatus.FAILED

    def on_touch_up(self, touch: object) -> bool:
        # Anywhere on the screen means "done": the next visitor need not wait for the timeout.
        if self.collide_point(*touch.pos) and not super().on_touch_up(touch):
            if self.app.accept_touch("thanks-done"):
                self.app.session.finish()
            return True
        return False

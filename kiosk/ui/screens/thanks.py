"""The thank-you screen, shown once the feedback is stored (or a calm apology if it was not): the
visitor's own face, and after an unhappy rating a kinder word and where to get help now."""

from __future__ import annotations

from kivy.properties import BooleanProperty, NumericProperty

from kiosk.session import View, WriteStatus
from kiosk.ui.screens.base import KioskScreen

UNHAPPY = 2  # ratings up to this get a kinder word and where to find help now


class ThanksScreen(KioskScreen):
    failed = BooleanProperty(False)
    rating = NumericProperty(4)  # the face shown is the one the visitor chose
    unhappy = BooleanProperty(False)
    own_face = BooleanProperty(True)  # the visitor chose a face (not on the national set)

    def refresh(self, view: View) -> None:
        self.failed = view.write is WriteStatus.FAILED
        # The visitor's own face; none after the national set's answers (no face is theirs).
        self.own_face = view.rating is not None
        if view.rating is not None:
            self.rating = view.rating
        self.unhappy = view.unhappy_answers or (view.rating is not None and view.rating <= UNHAPPY)

    def on_touch_up(self, touch: object) -> bool:
        # Anywhere on the screen means "done": the next visitor need not wait for the timeout.
        if self.collide_point(*touch.pos) and not super().on_touch_up(touch):
            if self.app.accept_touch("thanks-done"):
                self.app.session.finish()
            return True
        return False

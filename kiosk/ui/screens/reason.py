"""The follow-up question, which follows the rating: what went well, or what could have gone
better (optional: Skip is no more prominent than the answers)."""

from __future__ import annotations

from kivy.properties import NumericProperty

from kiosk.session import View
from kiosk.ui.screens.base import KioskScreen, show_choices


class ReasonScreen(KioskScreen):
    # The question follows the rating: what went well (3-4), what could have gone better (1-2).
    rating = NumericProperty(4)

    def refresh(self, view: View) -> None:
        if view.rating is not None:
            self.rating = view.rating
        show_choices(
            self.ids.reasons,
            view.reasons,
            button="SecondaryButton",
            control="reason",
            choose=lambda reason: self.app.session.choose_reason(reason),
        )

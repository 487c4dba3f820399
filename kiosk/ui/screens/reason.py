"""The follow-up question: what affected the rating most (optional; the visitor may skip it)."""

from __future__ import annotations

from kiosk.session import View
from kiosk.ui.screens.base import KioskScreen, show_choices


class ReasonScreen(KioskScreen):
    def refresh(self, view: View) -> None:
        show_choices(
            self.ids.reasons,
            view.reasons,
            button="SecondaryButton",
            control="reason",
            choose=lambda reason: self.app.session.choose_reason(reason),
        )

"""The follow-up question: what affected the rating most (optional; the visitor may skip it)."""

from __future__ import annotations

from kivy.factory import Factory

from kiosk.session import View
from kiosk.ui.screens.base import KioskScreen


class ReasonScreen(KioskScreen):
    def refresh(self, view: View) -> None:
        grid = self.ids.reasons
        offered = tuple(reason.id for reason in view.reasons)
        if getattr(grid, "offered", None) != offered:
            grid.clear_widgets()
            for reason_id in offered:
                button = Factory.SecondaryButton(control=f"reason-{reason_id}")
                button.reason_id = reason_id
                button.bind(on_activate=lambda b: self.app.session.choose_reason(b.reason_id))
                grid.add_widget(button)
            grid.offered = offered
        names = {reason.id: reason.name for reason in view.reasons}
        for button in grid.children:
            button.text = names[button.reason_id]

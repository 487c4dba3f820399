"""The follow-up question: what affected the rating most (optional; the visitor may skip it)."""

from __future__ import annotations

from kiosk.config import text
from kiosk.session import View
from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.widgets.buttons import KioskButton


class ReasonScreen(KioskScreen):
    def refresh(self, view: View) -> None:
        grid = self.ids.reasons
        offered = tuple(view.offered_reasons)
        if getattr(grid, "offered", None) != offered:
            grid.clear_widgets()
            for reason_id in offered:
                button = KioskButton(control=f"reason-{reason_id}")
                button.reason_id = reason_id
                button.bind(on_activate=lambda b: self.app.session.choose_reason(b.reason_id))
                self.app.style_secondary(button)
                grid.add_widget(button)
            grid.offered = offered
        config = self.app.kiosk_config
        for button in grid.children:
            button.text = text(config.reason(button.reason_id).name, view.language)

"""Check-in, step one: which service the visitor has an appointment at."""

from __future__ import annotations

from kiosk.config import text
from kiosk.session import View
from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.widgets.buttons import KioskButton


class ServicePointScreen(KioskScreen):
    def on_kv_post(self, base_widget: object) -> None:
        self.rebuild()

    def rebuild(self) -> None:
        """One button per service point of the config (again after a new config)."""
        grid = self.ids.points
        grid.clear_widgets()
        for point in self.app.kiosk_config.service_points:
            button = KioskButton(control=f"service-point-{point.id}")
            button.point_id = point.id
            button.bind(on_activate=lambda b: self.app.session.choose_service_point(b.point_id))
            self.app.style_primary(button)
            grid.add_widget(button)

    def refresh(self, view: View) -> None:
        config = self.app.kiosk_config
        for button in self.ids.points.children:
            button.text = text(config.service_point(button.point_id).name, view.language)

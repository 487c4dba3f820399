"""Check-in, step one: which service the visitor has an appointment at."""

from __future__ import annotations

from kivy.factory import Factory

from kiosk.session import View
from kiosk.ui.screens.base import KioskScreen


class ServicePointScreen(KioskScreen):
    def refresh(self, view: View) -> None:
        """One button per service point of the view (built again when a new config brings
        other points), each named in the visitor's language."""
        grid = self.ids.points
        points = tuple(point.id for point in view.service_points)
        if getattr(grid, "points", None) != points:
            grid.clear_widgets()
            for point_id in points:
                button = Factory.PrimaryButton(control=f"service-point-{point_id}")
                button.point_id = point_id
                button.bind(on_activate=lambda b: self.app.session.choose_service_point(b.point_id))
                grid.add_widget(button)
            grid.points = points
        names = {point.id: point.name for point in view.service_points}
        for button in grid.children:
            button.text = names[button.point_id]

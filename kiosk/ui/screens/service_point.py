"""Check-in, step one: which service the visitor has an appointment at."""

from __future__ import annotations

from kiosk.session import View
from kiosk.ui.screens.base import KioskScreen, show_choices


class ServicePointScreen(KioskScreen):
    def refresh(self, view: View) -> None:
        """One button per service point of the view (built again when a new config brings
        other points), each named in the visitor's language."""
        show_choices(
            self.ids.points,
            view.service_points,
            button="PrimaryButton",
            control="service-point",
            choose=lambda point: self.app.session.choose_service_point(point),
        )

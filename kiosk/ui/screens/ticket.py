"""Check-in, step two: the queue number, large, with where to wait."""

from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from kiosk.session import View, WriteStatus
from kiosk.ui.screens.base import KioskScreen


class TicketScreen(KioskScreen):
    ticket = StringProperty("")
    point_name = StringProperty("")
    guidance = StringProperty("")
    failed = BooleanProperty(False)
    not_printed = BooleanProperty(False)  # a printer is there, and it failed

    def refresh(self, view: View) -> None:
        self.failed = view.write is WriteStatus.FAILED
        self.not_printed = view.printed is False
        self.ticket = view.ticket or ""
        if view.service_point:
            self.point_name = view.service_point_name
            self.guidance = view.guidance

"""Check-in, step two: the queue number, large, with where to wait, in one card; under it what
to do with the paper ticket (take it from the printer, or note the number when it failed)."""

from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from kiosk.session import View, WriteStatus
from kiosk.typography import keep_together
from kiosk.ui.screens.base import KioskScreen


class TicketScreen(KioskScreen):
    ticket = StringProperty("")
    point_name = StringProperty("")
    guidance = StringProperty("")  # the config's directions, "" for the usual words
    failed = BooleanProperty(False)
    printed = BooleanProperty(False)  # the printer has printed the ticket
    not_printed = BooleanProperty(False)  # a printer is there, and it failed

    def refresh(self, view: View) -> None:
        self.failed = view.write is WriteStatus.FAILED
        self.printed = view.printed is True
        self.not_printed = view.printed is False
        self.ticket = view.ticket or ""
        if view.service_point:
            self.point_name = view.service_point_name
            self.guidance = keep_together(view.guidance)

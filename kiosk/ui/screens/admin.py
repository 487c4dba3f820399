"""The admin screen: the kiosk's identity and health for IT staff, a test ticket, a touch test
and an exit."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from kivy.clock import Clock
from kivy.properties import ListProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n import N_
from kiosk.maintenance import AdminStatus
from kiosk.ui.screens.base import KioskScreen

REFRESH_S = 2.0
TEST_PRINT_WORDS = {"printed": N_("printed"), "failed": N_("not printed")}
STORAGE_WORDS = {False: N_("works"), True: N_("fails, see the log")}


def _size(n_bytes: int) -> str:
    value = float(n_bytes)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} TB"


def _local(iso: str | None, zone: ZoneInfo) -> str | None:
    """The sync agent's ISO time as the station's local time; what it wrote, if unreadable."""
    if not iso:
        return None
    try:
        return datetime.fromisoformat(iso).astimezone(zone).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso


class AdminRow(BoxLayout):
    label = StringProperty("")  # a msgid, translated by the .kv rule
    value = StringProperty("")


class AdminScreen(KioskScreen):
    rows = ListProperty([])  # (msgid of the label, value) pairs
    test_print = StringProperty("")  # the last test ticket: "", "printed" or "failed"

    def on_rows(self, _screen: object, rows: list[tuple[str, str]]) -> None:
        table = self.ids.table
        table.clear_widgets()
        for label, value in rows:
            table.add_widget(AdminRow(label=label, value=value))

    def on_enter(self, *_: object) -> None:
        self._poll = Clock.schedule_interval(lambda _dt: self._read(), REFRESH_S)
        self._read()

    def on_leave(self, *_: object) -> None:
        self._poll.cancel()

    def print_test_ticket(self) -> None:
        """Print a test ticket; its result shows among the rows."""
        self.test_print = ""
        self.app.devices.print_test(
            self.app.lang, lambda ok: setattr(self, "test_print", "printed" if ok else "failed")
        )

    def _read(self) -> None:
        self.app.maintenance.read_admin_status(self._show)

    def _show(self, status: AdminStatus) -> None:
        t = self.app.t
        lang = self.app.lang
        never = t("never", lang)
        zone = status.timezone
        oldest = (
            status.oldest_pending.astimezone(zone).strftime("%Y-%m-%d %H:%M")
            if status.oldest_pending
            else "–"
        )
        self.rows = [
            (N_("Kiosk"), f"{status.kiosk_id}  ({status.site})"),
            (N_("Version"), status.version),
            (N_("Waiting to upload"), str(status.backlog)),
            (N_("Oldest waiting"), oldest),
            (N_("Refused by the central"), str(status.quarantined)),
            (N_("Last upload"), _local(status.last_sync, zone) or never),
            (N_("Free disk"), _size(status.free_disk_bytes)),
            (N_("Saving events"), t(STORAGE_WORDS[status.storage_failing], lang)),
            *((label, t(state, lang)) for label, state in self.app.devices.states()),
            *(
                [(N_("Test ticket"), t(TEST_PRINT_WORDS[self.test_print], lang))]
                if self.test_print
                else []
            ),
            (N_("Data file"), status.outbox_path),
        ]

"""The outbox on real SQLite files: appends, the sync agent's reads and marks, quarantine,
retention, held check-ins, migrations."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from kiosk.clock import KioskClock
from kiosk.events import feedback_event
from kiosk.outbox import DuplicateEventError, Outbox, OutboxError, SchemaTooNewError
from kiosk.schema import LATEST
from kiosk.tickets import TicketRange


def event(rating: int = 4, **extra) -> dict:
    return feedback_event(
        stamp=KioskClock().now(),
        language="fi",
        rating=rating,
        reason=None,
        comment=extra.pop("comment", None),
        misuse=False,
    )


@pytest.fixture
def outbox(tmp_path):
    with Outbox.open(tmp_path / "data" / "outbox.sqlite") as box:
        yield box


def test_settings_that_keep_events_through_a_power_cut(outbox):
    conn = sqlite3.connect(outbox.path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert outbox._conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert outbox._conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
    assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST


def test_append_then_read_in_order_and_mark_sent(outbox):
    events = [event(r) for r in (1, 2, 3, 4)]
    for e in events:
        outbox.append(e)
    pending = outbox.pending(limit=3)
    assert [p.payload for p in pending] == events[:3]
    assert outbox.mark_sent([p.id for p in pending]) == 3
    assert [p.payload for p in outbox.pending()] == events[3:]
    stats = outbox.stats()
    assert (stats.pending, stats.sent, stats.quarantined) == (1, 3, 0)
    assert stats.last_sent is not None and stats.oldest_pending is not None


def test_the_same_id_twice_is_refused_and_changes_nothing(outbox):
    e = event(comment="eka")
    outbox.append(e)
    with pytest.raises(DuplicateEventError):
        outbox.append({**e, "comment": "toka"})
    assert [p.payload["comment"] for p in outbox.pending()] == ["eka"]


def test_an_event_without_id_is_refused(outbox):
    with pytest.raises(OutboxError, match="'id'"):
        outbox.append({"type": "feedback"})


def test_quarantined_events_stay_and_never_come_back(outbox):
    bad, good = event(1), event(2)
    outbox.append(bad)
    outbox.append(good)
    assert outbox.quarantine({bad["id"]: "rating out of range"}) == 1
    assert [p.id for p in outbox.pending()] == [good["id"]]
    ((stored, reason),) = outbox.quarantined()
    assert stored.id == bad["id"] and reason == "rating out of range"
    far_future = datetime.now(UTC) + timedelta(days=999)
    assert outbox.purge_sent(older_than=timedelta(0), now=far_future) == 0
    assert outbox.stats().quarantined == 1


def test_retention_deletes_only_sent_events_past_their_days(outbox):
    old, recent, unsent = event(), event(), event()
    for e in (old, recent, unsent):
        outbox.append(e)
    now = datetime.now(UTC)
    outbox.mark_sent([old["id"]], at=now - timedelta(days=31))
    outbox.mark_sent([recent["id"]], at=now - timedelta(days=29))
    assert outbox.purge_sent(older_than=timedelta(days=30), now=now) == 1
    stats = outbox.stats()
    assert (stats.sent, stats.pending) == (1, 1)


def test_held_check_in_waits_for_its_print_result(outbox):
    checkin = outbox.check_in(
        ticket_range=TicketRange("L", 1, 10),
        build_event=lambda t: {
            "id": str(uuid.uuid4()),
            "type": "checkin",
            "ticket": t,
            "printed": False,
        },
        today=date(2026, 11, 23),
        hold=True,
    )
    assert outbox.pending() == [] and outbox.stats().held == 1
    outbox.release(checkin["id"], printed=True)
    (pending,) = outbox.pending()
    assert pending.payload["printed"] is True
    with pytest.raises(OutboxError):
        outbox.release(checkin["id"], printed=False)


def test_stale_holds_are_released_unprinted(outbox):
    outbox.check_in(
        ticket_range=TicketRange("L", 1, 10),
        build_event=lambda t: {"id": str(uuid.uuid4()), "type": "checkin", "ticket": t},
        today=date(2026, 11, 23),
        hold=True,
    )
    assert outbox.release_stale_holds(older_than=timedelta(hours=1)) == 0
    assert outbox.release_stale_holds(older_than=timedelta(0)) == 1
    assert outbox.pending()[0].payload["printed"] is False


def test_meta_and_reopen_keep_everything(tmp_path):
    path = tmp_path / "outbox.sqlite"
    with Outbox.open(path) as box:
        box.append(event())
        box.set_meta("last_upload_at", "2026-11-23T10:00:00+02:00")
        box.set_meta("last_upload_at", "2026-11-23T11:00:00+02:00")
    with Outbox.open(path) as box:
        assert len(box.pending()) == 1
        assert box.get_meta("last_upload_at") == "2026-11-23T11:00:00+02:00"
        assert box.get_meta("nothing") is None
        assert box.integrity_check() == "ok"


def test_a_file_from_a_newer_hymy_is_refused_untouched(tmp_path):
    path = tmp_path / "outbox.sqlite"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {LATEST + 1}")
    conn.execute("CREATE TABLE future (x)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(SchemaTooNewError, match="newer"):
        Outbox.open(path)
    assert path.read_bytes() == before


def test_an_unwritable_place_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(OutboxError, match="data directory"):
        Outbox.open(blocker / "outbox.sqlite")


def test_a_closed_outbox_fails_with_outbox_error(tmp_path):
    box = Outbox.open(tmp_path / "o.sqlite")
    box.close()
    with pytest.raises(OutboxError):
        box.append(event())


def test_the_backlog_is_pending_and_held(tmp_path) -> None:
    """OutboxStats.backlog: every event still to reach the central; quarantined ones are apart."""
    from kiosk.outbox import OutboxStats

    assert OutboxStats(3, 2, 10, 4, None, None).backlog == 5


def test_meta_keys_are_one_enum_with_the_stored_names(tmp_path) -> None:
    """The keys are stored in files on kiosks: their values never change."""
    from kiosk.outbox import OutboxMeta

    assert {key.name: key.value for key in OutboxMeta} == {
        "OUTBOX_ID": "outbox_id",
        "FIRST_SEQ": "outbox_first_seq",
        "LAST_UPLOAD": "last_upload_at",
        "PRINTER": "printer_status",
        "LAST_ERROR": "sync_last_error",
        "LAST_ERROR_AT": "sync_last_error_at",
        "REVOKED": "sync_revoked",
        "REFUSED": "sync_refused",
        "BEAT_REFUSED": "sync_beat_refused",
        "CONFIG_ETAG": "config_etag",
        "HEARTBEAT": "sync_heartbeat_at",
    }
    with Outbox.open(tmp_path / "outbox.sqlite") as box:
        assert box.get_meta(OutboxMeta.OUTBOX_ID) == box.outbox_id
        box.set_meta(OutboxMeta.PRINTER, "ok")
        assert box.get_meta("printer_status") == "ok"

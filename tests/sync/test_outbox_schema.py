"""The outbox's completeness side (contract 2) on real SQLite files: a random outbox id, seq
never reused, first_seq for a new and for a migrated outbox, and requeue of quarantined
events."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kiosk import schema
from kiosk.outbox import Outbox, QuarantineGroup
from tests.support.events import feedback
from tests.support.sync import schema_1_outbox


def appended(outbox: Outbox, n: int) -> list[str]:
    events = [feedback(1 + i % 4) for i in range(n)]
    for event in events:
        outbox.append(event)
    return [e["id"] for e in events]


def test_a_new_outbox_has_its_own_id_and_counts_from_one(tmp_path: Path) -> None:
    with Outbox.open(tmp_path / "a.sqlite") as a, Outbox.open(tmp_path / "b.sqlite") as b:
        assert str(uuid.UUID(a.outbox_id)) == a.outbox_id and a.outbox_id != b.outbox_id
        assert (a.first_seq, a.last_seq()) == (1, 0)
        ids = appended(a, 3)
        assert a.last_seq() == 3
        a.mark_sent(ids, at=datetime.now(UTC) - timedelta(days=40))
        assert a.purge_sent() == 3
        assert a.last_seq() == 3  # deleting sent events never lowers it
        appended(a, 1)
        assert [e.seq for e in a.pending()] == [4]  # and a seq is never given twice
        kept = a.outbox_id
    with Outbox.open(tmp_path / "a.sqlite") as again:
        assert again.outbox_id == kept and again.first_seq == 1 and again.last_seq() == 4


def rows(path: Path) -> list[tuple[int, str]]:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT seq, state FROM events ORDER BY seq").fetchall()


def test_a_schema_1_outbox_counts_from_its_oldest_unsent_event(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite"
    # seq 1-3 sent, 4 quarantined, 5-6 sent, 7 held (printing), 8 sent while it was, 9 pending
    schema_1_outbox(
        path, ["sent"] * 3 + ["quarantined"] + ["sent"] * 2 + ["held", "sent", "pending"]
    )
    with Outbox.open(path) as outbox:
        assert str(uuid.UUID(outbox.outbox_id)) == outbox.outbox_id
        assert outbox.first_seq == 7
        assert outbox.last_seq() == 9
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == schema.LATEST == 2
    # The event sent after first_seq goes again, now with its seq; the quarantined one stays
    # below first_seq (its sent neighbours may be purged: counting from it would cry wolf).
    assert rows(path) == [
        (1, "sent"),
        (2, "sent"),
        (3, "sent"),
        (4, "quarantined"),
        (5, "sent"),
        (6, "sent"),
        (7, "held"),
        (8, "pending"),
        (9, "pending"),
    ]


def test_a_schema_1_outbox_with_everything_sent_counts_from_the_next_seq(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite"
    schema_1_outbox(path, ["sent"] * 5)
    with Outbox.open(path) as outbox:
        assert (outbox.first_seq, outbox.last_seq()) == (6, 5)
        appended(outbox, 1)
        assert [e.seq for e in outbox.pending()] == [6]


def test_an_empty_schema_1_outbox_counts_from_one(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite"
    schema_1_outbox(path, [])
    with Outbox.open(path) as outbox:
        assert (outbox.first_seq, outbox.last_seq()) == (1, 0)


@pytest.fixture
def outbox(tmp_path: Path):
    with Outbox.open(tmp_path / "outbox.sqlite") as box:
        yield box


def test_requeue_all_or_some(outbox: Outbox) -> None:
    ids = appended(outbox, 5)
    outbox.mark_sent(ids[:1])
    outbox.quarantine({ids[1]: "reason a", ids[2]: "reason b", ids[3]: "reason a"})
    assert outbox.quarantine_summary() == [
        QuarantineGroup("reason a", 2, (ids[1], ids[3])),
        QuarantineGroup("reason b", 1, (ids[2],)),
    ]
    assert outbox.quarantine_summary(ids_per_reason=1)[0].ids == (ids[1],)
    # Sent, pending and unknown ids are left as they are; an id given twice counts once.
    assert outbox.requeue([ids[0], ids[3], ids[3], ids[4], "no-such-id"]) == 1
    assert [e.id for e in outbox.pending()] == [ids[3], ids[4]]
    assert outbox.requeue() == 2
    assert [e.id for e in outbox.pending()] == ids[1:]
    assert outbox.quarantined() == [] and outbox.quarantine_summary() == []
    with sqlite3.connect(outbox.path) as db:
        assert db.execute("SELECT count(*) FROM events WHERE error IS NOT NULL").fetchone() == (0,)
    assert outbox.requeue() == 0


def test_a_payload_that_is_not_json_is_read_as_empty(outbox: Outbox) -> None:
    (event_id,) = appended(outbox, 1)
    with sqlite3.connect(outbox.path) as db:
        db.execute("UPDATE events SET payload = '{not json' WHERE id = ?", (event_id,))
    assert [(e.id, e.payload) for e in outbox.pending()] == [(event_id, {})]

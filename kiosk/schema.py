"""The outbox's schema and its migrations, in order; PRAGMA user_version holds the version."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import sqlite_utils


def _v1(db: sqlite_utils.Database) -> None:
    # seq keeps the order of appends (AUTOINCREMENT: never reused, even after deletes).
    db.execute(
        """
        CREATE TABLE events (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            type TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('pending', 'held', 'sent', 'quarantined')),
            payload TEXT NOT NULL,
            created_at REAL NOT NULL,
            sent_at REAL,
            error TEXT
        )
        """
    )
    db["events"].create_index(["state", "seq"], index_name="events_by_state")
    db["events"].create_index(["sent_at"], index_name="events_by_sent_at")
    db["ticket_counters"].create(
        {"range_key": str, "day": str, "last_number": int},
        pk="range_key",
        not_null={"day", "last_number"},
    )
    db["meta"].create({"key": str, "value": str}, pk="key", not_null={"value"})


def last_seq(db: sqlite_utils.Database) -> int:
    """The highest seq ever assigned (AUTOINCREMENT remembers it after deletes); 0 when none."""
    row = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'events'").fetchone()
    return int(row[0]) if row else 0


def _v2(db: sqlite_utils.Database) -> None:
    """Completeness: the outbox gets its random id and the first seq the central can count from.

    A new outbox counts from 1. An outbox of schema 1 counts from its oldest event still to be
    sent (pending or held); events sent before went out without outbox id and seq. Events
    quarantined under schema 1 stay below first_seq: their sent neighbours may have been purged
    since, and counting from them would report those as missing forever. The few events sent
    after first_seq (while an older check-in was held) are sent again, now with their seq: the
    central takes them as duplicates, so every seq from first_seq on reaches it.
    """
    # Here, not at the top: kiosk.outbox imports this module to migrate its file.
    from kiosk.outbox import OutboxMeta

    row = db.execute("SELECT min(seq) FROM events WHERE state IN ('pending', 'held')").fetchone()
    first = row[0] if row and row[0] is not None else last_seq(db) + 1
    db.execute(
        "UPDATE events SET state = 'pending', sent_at = NULL WHERE state = 'sent' AND seq > ?",
        [first],
    )
    for key, value in (
        (OutboxMeta.OUTBOX_ID, str(uuid.uuid4())),
        (OutboxMeta.FIRST_SEQ, str(first)),
    ):
        db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", [key, value])


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_v1, _v2]
LATEST = len(MIGRATIONS)

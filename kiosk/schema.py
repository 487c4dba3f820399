"""The outbox's schema and its migrations, in order; PRAGMA user_version holds the version."""

from __future__ import annotations

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


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_v1]
LATEST = len(MIGRATIONS)

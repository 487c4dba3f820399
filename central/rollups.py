"""Hourly rollups, updated in the same transaction as the events they count."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from central.tables import reason_rollups, rollups

COUNTS = ("r1", "r2", "r3", "r4", "m1", "m2", "m3", "m4", "checkins")


def hour_of(moment: datetime) -> datetime:
    """The UTC hour a moment falls in."""
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.replace(minute=0, second=0, microsecond=0)


def tally(rows: Iterable[Mapping[str, Any]]) -> tuple[dict[tuple, Counter], Counter]:
    """Counts per (site, service point, hour), and reason counts, of stored event rows."""
    per_hour: dict[tuple, Counter] = {}
    reasons: Counter = Counter()
    for row in rows:
        key = (row["site_id"], row["service_point"] or "", hour_of(row["corrected_at"]))
        counts = per_hour.setdefault(key, Counter())
        if row["type"] == "checkin":
            counts["checkins"] += 1
            continue
        counts[f"{'m' if row['misuse'] else 'r'}{row['rating']}"] += 1
        if row["reason"]:
            reasons[(*key, row["reason"], bool(row["misuse"]))] += 1
    return per_hour, reasons


def add(conn: Connection, stored_rows: Iterable[Mapping[str, Any]]) -> None:
    """Add newly stored events to the rollups (an upsert that adds to what is there)."""
    per_hour, reasons = tally(stored_rows)
    insert = postgresql_insert if conn.dialect.name == "postgresql" else sqlite_insert
    if per_hour:
        statement = insert(rollups)
        statement = statement.on_conflict_do_update(
            index_elements=["site_id", "service_point", "hour"],
            set_={c: getattr(rollups.c, c) + getattr(statement.excluded, c) for c in COUNTS},
        )
        conn.execute(
            statement,
            [
                {"site_id": s, "service_point": p, "hour": h, **{c: n.get(c, 0) for c in COUNTS}}
                for (s, p, h), n in per_hour.items()
            ],
        )
    if reasons:
        statement = insert(reason_rollups)
        statement = statement.on_conflict_do_update(
            index_elements=["site_id", "service_point", "hour", "reason", "misuse"],
            set_={"count": reason_rollups.c.count + statement.excluded.count},
        )
        conn.execute(
            statement,
            [
                {"site_id": s, "service_point": p, "hour": h, "reason": r, "misuse": m, "count": n}
                for (s, p, h, r, m), n in reasons.items()
            ],
        )

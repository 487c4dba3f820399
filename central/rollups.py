"""Rollups, updated in the same transaction as the events they count: per site x service point x
UTC hour, and per site x service point x local day (in the site's own time zone); reasons per
hour and day, feedback per day by the visitor's language, and responses to the national
question set per day by question and answer.

Each rollup table gets one upsert statement per batch, its rows in key order (central.bulk), so
concurrent batches that count into the same hours lock them in one order."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Table

from central import bulk
from central.tables import (
    NO_ANSWER,
    daily_answer_rollups,
    daily_language_rollups,
    daily_reason_rollups,
    daily_rollups,
    reason_rollups,
    rollups,
)
from hymy_domain.national import COMMENT_SCALE

COUNTS = ("r1", "r2", "r3", "r4", "m1", "m2", "m3", "m4", "checkins")


def hour_of(moment: datetime) -> datetime:
    """The UTC hour a moment falls in."""
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.replace(minute=0, second=0, microsecond=0)


def tally(rows: Iterable[Mapping[str, Any]], zones: Mapping[str, ZoneInfo]) -> dict[str, Counter]:
    """Counts of stored event rows for each rollup table: keyed by (site, service point, hour or
    local day) and, for reasons and languages, also by reason or language and misuse."""
    counts: dict[str, Counter] = {
        "hourly": Counter(),
        "daily": Counter(),
        "hourly_reasons": Counter(),
        "daily_reasons": Counter(),
        "daily_languages": Counter(),
        "daily_answers": Counter(),
    }
    days: dict[tuple[str, datetime], date] = {}  # a batch's events share a few hours
    for row in rows:
        hour = hour_of(row["corrected_at"])
        day = days.get((row["site_id"], hour))
        if day is None:
            day = days[(row["site_id"], hour)] = hour.astimezone(zones[row["site_id"]]).date()
        point = row["service_point"] or ""
        if row["type"] == "response":
            if row["scale"] != COMMENT_SCALE:
                answer = NO_ANSWER if row["answer"] is None else row["answer"]
                key = (row["site_id"], point, day, row["question_set"], row["set_version"],
                       row["question"], row["scale"], answer, bool(row["misuse"]))  # fmt: skip
                counts["daily_answers"][key] += 1
            continue
        if row["type"] == "checkin":
            column = "checkins"
        else:
            column = f"{'m' if row['misuse'] else 'r'}{row['rating']}"
        counts["hourly"][(row["site_id"], point, hour, column)] += 1
        counts["daily"][(row["site_id"], point, day, column)] += 1
        if row["type"] == "feedback":
            language = row.get("language") or ""
            counts["daily_languages"][
                (row["site_id"], point, day, language, bool(row["misuse"]))
            ] += 1
        if row["type"] == "feedback" and row["reason"]:
            misuse = bool(row["misuse"])
            counts["hourly_reasons"][(row["site_id"], point, hour, row["reason"], misuse)] += 1
            counts["daily_reasons"][(row["site_id"], point, day, row["reason"], misuse)] += 1
    return counts


def _upsert_counts(conn: Connection, table: Table, time_key: str, counts: Counter) -> None:
    cells: dict[tuple, dict[str, int]] = {}
    for (site, point, when, column), n in counts.items():
        cells.setdefault((site, point, when), dict.fromkeys(COUNTS, 0))[column] += n
    bulk.upsert(
        conn,
        table,
        [
            {"site_id": s, "service_point": p, time_key: w, **values}
            for (s, p, w), values in cells.items()
        ],
        ["site_id", "service_point", time_key],
        dict.fromkeys(COUNTS, "add"),
    )


def _upsert_reasons(
    conn: Connection, table: Table, time_key: str, counts: Counter, what: str = "reason"
) -> None:
    """Counts keyed by (site, point, time, reason or language, misuse): `what` names the fourth."""
    bulk.upsert(
        conn,
        table,
        [
            {"site_id": s, "service_point": p, time_key: w, what: r, "misuse": m, "count": n}
            for (s, p, w, r, m), n in counts.items()
        ],
        ["site_id", "service_point", time_key, what, "misuse"],
        {"count": "add"},
    )


def add(
    conn: Connection, stored_rows: Iterable[Mapping[str, Any]], zones: Mapping[str, ZoneInfo]
) -> None:
    """Add newly stored events to every rollup (upserts that add to what is there); `zones`
    gives each site's time zone for the daily rollups. The caller leaves out events the
    rollups do not count (central.flags.counted_in_rollups)."""
    counts = tally(stored_rows, zones)
    _upsert_counts(conn, rollups, "hour", counts["hourly"])
    _upsert_counts(conn, daily_rollups, "day", counts["daily"])
    _upsert_reasons(conn, reason_rollups, "hour", counts["hourly_reasons"])
    _upsert_reasons(conn, daily_reason_rollups, "day", counts["daily_reasons"])
    _upsert_reasons(conn, daily_language_rollups, "day", counts["daily_languages"], "language")
    keys = ("site_id", "service_point", "day", "question_set", "set_version", "question", "scale",
            "answer", "misuse")  # fmt: skip
    bulk.upsert(
        conn,
        daily_answer_rollups,
        [dict(zip(keys, key, strict=True), count=n) for key, n in counts["daily_answers"].items()],
        list(keys),
        {"count": "add"},
    )

"""Ingest of a kiosk's batch: every event validated on its own, deduplicated by its id (the same
content again is a duplicate, other content a conflict that never overwrites), clock-corrected,
and stored in the caller's one transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from central import rollups
from central.enrollment import Device
from central.sites import SiteDefinition
from central.tables import devices, events
from sync.protocol import (
    BatchEnvelope,
    CheckinEvent,
    FeedbackEvent,
    ProtocolError,
    canonical,
    event_id,
    parse_event,
)

EARLIEST_PLAUSIBLE = datetime(2024, 1, 1, tzinfo=UTC)  # a Pi without RTC boots into the past
ID_CHUNK = 500


@dataclass
class IngestResult:
    accepted: int = 0
    duplicates: int = 0
    conflicts: list[str] = field(default_factory=list)
    rejected: list[dict[str, str]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "conflicts": self.conflicts,
            "rejected": self.rejected,
        }


def corrected_time(
    event: FeedbackEvent | CheckinEvent,
    envelope: BatchEnvelope,
    received_at: datetime,
    tolerance: timedelta,
) -> tuple[datetime, bool]:
    """When the event really happened, and whether that time is suspect.

    An event of the boot that sent the batch is placed by the monotonic clock: it happened
    (batch monotonic - event monotonic) before the batch arrived, whatever the kiosk's wall clock
    said. An event of an earlier boot keeps its wall-clock time, flagged when implausible.
    """
    if event.boot_id == envelope.boot_id and event.monotonic_ms <= envelope.monotonic_ms:
        ago = timedelta(milliseconds=envelope.monotonic_ms - event.monotonic_ms)
        corrected = received_at - ago
        return corrected, abs(corrected - event.occurred_at) > tolerance
    occurred = event.occurred_at.astimezone(UTC)
    plausible = EARLIEST_PLAUSIBLE <= occurred <= received_at + tolerance
    return occurred, not plausible


def _insert(conn: Connection):
    return postgresql_insert if conn.dialect.name == "postgresql" else sqlite_insert


def _sqlite_time(moment: datetime) -> str:
    """A UTC moment as SQLAlchemy's SQLite DateTime stores it (no offset)."""
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    return moment.replace(tzinfo=None).isoformat(" ", "microseconds")


def _store_rows(conn: Connection, rows: list[dict[str, Any]]) -> set[str]:
    """Insert event rows not stored yet; returns the ids this call stored.

    On SQLite the write lock is taken at BEGIN (central.db.writing), so nothing can have stored
    these ids since `_existing` looked: one plain executemany straight through the driver, which
    is what makes ingest fast there. PostgreSQL writers run concurrently, so it keeps ON CONFLICT
    DO NOTHING and learns from RETURNING which rows were its own.
    """
    if conn.dialect.name != "sqlite":
        statement = _insert(conn)(events).on_conflict_do_nothing(index_elements=["id"])
        return set(conn.execute(statement.returning(events.c.id), rows).scalars().all())
    columns = [column.name for column in events.columns]
    times = {"occurred_at", "corrected_at", "received_at"}
    values = [
        tuple(_sqlite_time(row[c]) if c in times else row[c] for c in columns) for row in rows
    ]
    conn.exec_driver_sql(
        f"INSERT INTO events ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
        values,
    )
    return {row["id"] for row in rows}


def _existing(conn: Connection, ids: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for start in range(0, len(ids), ID_CHUNK):
        chunk = ids[start : start + ID_CHUNK]
        rows = conn.execute(select(events.c.id, events.c.content).where(events.c.id.in_(chunk)))
        found.update({row.id: row.content for row in rows})
    return found


def ingest(
    conn: Connection,
    device: Device,
    site: SiteDefinition,
    envelope: BatchEnvelope,
    raw_events: Iterable[Any],
    *,
    received_at: datetime,
    tolerance: timedelta = timedelta(minutes=5),
) -> IngestResult:
    """Store a batch's events; returns what became of each. Runs in the caller's transaction."""
    result = IngestResult()
    points = {point.id for point in site.service_points}
    valid: list[tuple[FeedbackEvent | CheckinEvent, str, str]] = []
    for raw in raw_events:
        try:
            event = parse_event(raw)
        except ProtocolError as err:
            result.rejected.append({"id": event_id(raw), "error": str(err)})
            continue
        if event.service_point is not None and event.service_point not in points:
            result.rejected.append(
                {
                    "id": str(event.id),
                    "error": f"service_point: {event.service_point!r} is not a service point of "
                    f"site {site.site.id}",
                }
            )
            continue
        valid.append((event, str(event.id), canonical(event)))

    stored = _existing(conn, [key for _, key, _ in valid])
    rows: list[dict[str, Any]] = []
    batch_id = str(envelope.batch_id)
    for event, key, content in valid:
        if key in stored:
            if stored[key] == content:
                result.duplicates += 1
            else:
                result.conflicts.append(key)
            continue
        stored[key] = content  # a repeat later in this same batch is judged against this one
        corrected, suspect = corrected_time(event, envelope, received_at, tolerance)
        rows.append(
            {
                "id": key,
                "site_id": device.site_id,
                "device_id": device.id,
                "type": event.type,
                "occurred_at": event.occurred_at.astimezone(UTC),  # SQLite keeps no offset
                "corrected_at": corrected,
                "clock_suspect": suspect,
                "service_point": event.service_point,
                "rating": getattr(event, "rating", None),
                "reason": getattr(event, "reason", None),
                "misuse": getattr(event, "misuse", None),
                "comment": getattr(event, "comment", None),
                "content": content,
                "received_at": received_at,
                "batch_id": batch_id,
                "outbox_id": None,
                "seq": None,
                "language": event.language,
                "flag": None,
            }
        )
    if rows:
        fresh = _store_rows(conn, rows)
        result.accepted = len(fresh)
        zones = {device.site_id: ZoneInfo(site.site.timezone)}
        rollups.add(conn, [row for row in rows if row["id"] in fresh], zones)
        raced = [row for row in rows if row["id"] not in fresh]
        if raced:  # stored by a concurrent batch between our read and our insert
            now_stored = _existing(conn, [row["id"] for row in raced])
            for row in raced:
                if now_stored.get(row["id"]) == row["content"]:
                    result.duplicates += 1
                else:
                    result.conflicts.append(row["id"])
    conn.execute(update(devices).where(devices.c.id == device.id).values(last_seen_at=received_at))
    return result

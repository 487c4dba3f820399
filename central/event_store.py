"""What ingest writes: event rows with their rollups, the per-outbox progress, the device's last
contact; and the safety net that keeps one unstorable event from failing its whole batch.

The safety net: a batch's rows are stored (with their rollups) under one savepoint. When the
database or its driver refuses a value (a data exception such as a NUL in PostgreSQL text, a
number out of range, text that is not Unicode), the rows are split in halves, each stored under
a savepoint of its own, down to the single rows that fail: those are refused with the
database's reason and every other row is stored. Any other error (the database gone, a
deadlock to retry) is raised as it is: then nothing of the batch is stored.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, func, select, update
from sqlalchemy.exc import DataError, DBAPIError

from central import bulk, rollups
from central.completeness import describe_ranges, seq_ranges
from central.flags import counted_in_rollups
from central.tables import devices, events, outbox_progress

log = logging.getLogger(__name__)
ID_CHUNK = 500
Row = Mapping[str, Any]


@dataclass(frozen=True)
class Known:
    """An event the central holds already."""

    content: str
    outbox_id: str | None
    comment_deleted: bool = False  # its comment was deleted (retention, a data-subject request)


@dataclass
class Stored:
    fresh: list[Row] = field(default_factory=list)  # rows this transaction stored
    refused: dict[str, str] = field(default_factory=dict)  # id -> the database's reason
    known: dict[str, Known] = field(default_factory=dict)  # rows that were there already


def refusal(err: BaseException) -> str | None:
    """The reason when `err` is the database or its driver refusing a value of the rows, else
    None (a failure of the database itself, not of the rows)."""
    if isinstance(err, DataError):  # SQLSTATE class 22, "data exception"
        return str(err.orig).strip().splitlines()[0]
    if isinstance(err, DBAPIError):
        return None
    if isinstance(err, (UnicodeError, OverflowError)):  # refused by the driver, or by date maths
        return str(err)
    return None


def _write(conn: Connection, rows: Sequence[Row], zones: Mapping[str, ZoneInfo]) -> list[Row]:
    stored_ids = bulk.insert_new(conn, events, rows, "id")
    fresh = [row for row in rows if row["id"] in stored_ids]
    rollups.add(conn, [row for row in fresh if counted_in_rollups(row["flag"])], zones)
    return fresh


def _write_safely(
    conn: Connection, rows: Sequence[Row], zones: Mapping[str, ZoneInfo], refused: dict[str, str]
) -> list[Row]:
    """Raises any error but a refusal of a value."""
    try:
        with conn.begin_nested():
            return _write(conn, rows, zones)
    except Exception as err:
        reason = refusal(err)
        if reason is None:
            raise
        if len(rows) == 1:
            log.warning("event %s refused by the database: %s", rows[0]["id"], reason)
            refused[rows[0]["id"]] = f"the database refused this event: {reason}"
            return []
    middle = len(rows) // 2
    return _write_safely(conn, rows[:middle], zones, refused) + _write_safely(
        conn, rows[middle:], zones, refused
    )


def known(conn: Connection, ids: Sequence[str]) -> dict[str, Known]:
    """The events of these ids the central holds, by id."""
    found: dict[str, Known] = {}
    for start in range(0, len(ids), ID_CHUNK):
        chunk = ids[start : start + ID_CHUNK]
        query = select(
            events.c.id, events.c.content, events.c.outbox_id, events.c.comment_deleted_at
        ).where(events.c.id.in_(chunk))
        found.update(
            {
                row.id: Known(row.content, row.outbox_id, row.comment_deleted_at is not None)
                for row in conn.execute(query)
            }
        )
    return found


def store(conn: Connection, rows: Sequence[Row], zones: Mapping[str, ZoneInfo]) -> Stored:
    """Store the event rows that are new, with their rollups (those `counted_in_rollups`).

    Rows of ids the central holds already are left as they are and reported in `known`; rows
    the database refuses in `refused`. Raises any other database error.
    """
    result = Stored()
    if not rows:
        return result
    ids = [row["id"] for row in rows]
    if conn.dialect.name == "sqlite":  # the write lock is held: what is there now stays so
        result.known = known(conn, ids)
        rows = [row for row in rows if row["id"] not in result.known]
    result.fresh = _write_safely(conn, rows, zones, result.refused)
    if conn.dialect.name != "sqlite":  # skipped by ON CONFLICT: stored before, or meanwhile
        stored = {row["id"] for row in result.fresh}
        result.known = known(conn, [i for i in ids if i not in stored and i not in result.refused])
    return result


def adopt_outbox(conn: Connection, rows: Sequence[Row]) -> list[Row]:
    """Give held events that came without outbox_id and seq the ones they carry now (sent once
    by an older agent, again after its upgrade); returns the rows this call changed."""
    adopted = []
    for row in sorted(rows, key=lambda r: r["id"]):
        changed = conn.execute(
            update(events)
            .where(events.c.id == row["id"], events.c.outbox_id.is_(None))
            .values(outbox_id=row["outbox_id"], seq=row["seq"])
        ).rowcount
        if changed:
            adopted.append(row)
    return adopted


def _held_before(conn: Connection, device_id: str, outbox_id: str, seqs: Counter[int]) -> set[int]:
    """Which of these seqs (counted among the rows just stored) the device's outbox held under
    other events already: an outbox restored from a backup numbers new events again. Reads
    only the seqs now held more than once (events_by_outbox_seq), so it is cheap when none is."""
    query = (
        select(events.c.seq, func.count())
        .where(
            events.c.device_id == device_id,
            events.c.outbox_id == outbox_id,
            events.c.seq.between(min(seqs), max(seqs)),
        )
        .group_by(events.c.seq)
        .having(func.count() > 1)
    )
    return {seq for seq, held in conn.execute(query) if seq in seqs and held > seqs[seq]}


def record_progress(conn: Connection, device_id: str, rows: Sequence[Row], at: datetime) -> None:
    """Count newly held events into outbox_progress: per outbox, how many distinct seqs the
    central holds and their range. A seq held already (under another event id) is not counted
    again, so it can never hide a missing one."""
    seqs: dict[str, Counter[int]] = {}
    for row in rows:
        if row["outbox_id"] is not None:
            seqs.setdefault(row["outbox_id"], Counter())[row["seq"]] += 1
    progress = []
    for outbox_id, counted in seqs.items():
        repeated = [seq for seq, n in counted.items() if n > 1]
        held = _held_before(conn, device_id, outbox_id, counted)
        if repeated or held:
            log.warning(
                "device %s sent new events with seqs its outbox %s used already (%s): an outbox "
                "restored from a backup?",
                device_id,
                outbox_id,
                describe_ranges(seq_ranges([*repeated, *held])),
            )
        progress.append(
            {
                "device_id": device_id,
                "outbox_id": outbox_id,
                "received": len(counted.keys() - held),
                "min_seq": min(counted),
                "max_seq": max(counted),
                "first_seen_at": at,
                "last_seen_at": at,
            }
        )
    bulk.upsert(
        conn,
        outbox_progress,
        progress,
        ["device_id", "outbox_id"],
        {"received": "add", "min_seq": "min", "max_seq": "max", "last_seen_at": "max"},
    )


def touch_device(conn: Connection, device_id: str, at: datetime) -> None:
    conn.execute(update(devices).where(devices.c.id == device_id).values(last_seen_at=at))

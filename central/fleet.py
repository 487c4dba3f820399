"""The fleet view: each kiosk's last heartbeat and a status in words (pure rules + queries)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from sqlalchemy import Connection, select, update

from central.tables import devices

LATE = timedelta(minutes=5)  # heartbeats come every minute
SILENT = timedelta(hours=1)
CLOCK_WRONG = timedelta(minutes=5)
BACKLOG_OLD = timedelta(hours=1)


class OutboxReport(BaseModel):
    """The kiosk's outbox: its id and the seq range that should all reach the central."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(max_length=64)
    first_seq: int = Field(ge=1)
    last_seq: int = Field(ge=0)


class Refusal(BaseModel):
    """The central refuses what the agent sends (a non-retryable 4xx other than 401)."""

    model_config = ConfigDict(extra="forbid")

    status: int
    error: str = Field(max_length=500)
    at: AwareDatetime
    events: int = Field(ge=0)


class Heartbeat(BaseModel):
    """What a kiosk's sync agent reports every minute."""

    model_config = ConfigDict(extra="forbid")

    version: str = Field(max_length=40)
    backlog: int = Field(ge=0)
    oldest_pending: AwareDatetime | None = None
    last_upload: AwareDatetime | None = None
    quarantined: int = Field(0, ge=0)
    free_disk_bytes: int = Field(ge=0)
    printer: Literal["none", "ok", "paper_near_end", "paper_out", "offline"] = "none"
    device_clock: AwareDatetime
    outbox: OutboxReport | None = None
    refused: Refusal | None = None
    storage: Literal["ok", "read_only", "full", "error"] = "ok"


@dataclass(frozen=True)
class DeviceStatus:
    device_id: str
    site: str
    kiosk_id: str
    last_seen: datetime | None
    status: str
    heartbeat: dict[str, Any] | None
    revoked: bool


def status_words(
    now: datetime,
    last_seen: datetime | None,
    beat: dict[str, Any] | None,
    beat_at: datetime | None,
    revoked: bool,
) -> str:
    """'ok', or what is wrong, e.g. 'late; printer needs paper; clock wrong'."""
    if revoked:
        return "revoked"
    if last_seen is None:
        return "never seen"
    problems = []
    if now - last_seen > SILENT:
        problems.append("silent")
    elif now - last_seen > LATE:
        problems.append("late")
    if beat:
        printer = beat.get("printer")
        if printer in ("paper_out", "paper_near_end"):
            problems.append("printer needs paper")
        elif printer == "offline":
            problems.append("printer offline")
        if beat_at and abs(datetime.fromisoformat(beat["device_clock"]) - beat_at) > CLOCK_WRONG:
            problems.append("clock wrong")
        oldest = beat.get("oldest_pending")
        if oldest and beat_at and beat_at - datetime.fromisoformat(oldest) > BACKLOG_OLD:
            problems.append(f"backlog of {beat['backlog']} waiting")
    return "; ".join(problems) or "ok"


def record_heartbeat(conn: Connection, device_id: str, beat: Heartbeat, now: datetime) -> None:
    conn.execute(
        update(devices)
        .where(devices.c.id == device_id)
        .values(heartbeat=beat.model_dump_json(), heartbeat_at=now, last_seen_at=now)
    )


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def fleet(
    conn: Connection, sites: tuple[str, ...] = (), now: datetime | None = None
) -> list[DeviceStatus]:
    """Every enrolled kiosk (of the sites, or all), by site and kiosk id."""
    now = now or datetime.now(UTC)
    query = select(devices).order_by(devices.c.site_id, devices.c.kiosk_id)
    if sites:
        query = query.where(devices.c.site_id.in_(sites))
    out = []
    for row in conn.execute(query):
        beat = json.loads(row.heartbeat) if row.heartbeat else None
        last_seen = _aware(row.last_seen_at)
        out.append(
            DeviceStatus(
                row.id,
                row.site_id,
                row.kiosk_id,
                last_seen,
                status_words(
                    now, last_seen, beat, _aware(row.heartbeat_at), row.revoked_at is not None
                ),
                beat,
                row.revoked_at is not None,
            )
        )
    return out

"""The fleet view: each kiosk's last heartbeat, a status in words and whether all its events
arrived (the rules here and in central.completeness are pure; `fleet` runs the queries)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select, update

from central.completeness import Completeness, OutboxTally, missing_words
from central.tables import devices, events, outbox_progress
from hymy_domain.facts import PRINTER_NEEDS_PAPER, PrinterState, StorageState
from sync.protocol import Heartbeat

LATE = timedelta(minutes=5)  # heartbeats come every minute
SILENT = timedelta(hours=1)
CLOCK_WRONG = timedelta(minutes=5)
BACKLOG_OLD = timedelta(hours=1)
GAPS_LISTED = 50  # missing seq ranges read per outbox; the count of missing events is exact
STORAGE_WORDS = {
    StorageState.READ_ONLY: "storage read-only",
    StorageState.FULL: "storage full",
    StorageState.ERROR: "storage error",
}


# What can be wrong with a kiosk, most urgent first: the fleet page lists trouble in this order.
SEVERITY = (
    "silent",
    "never_seen",
    "storage",
    "late",
    "printer_paper",
    "printer_offline",
    "clock",
    "backlog",
    "refused",
    "missing",
    "revoked",
)
PROBLEM_WORDS = {
    "silent": "silent",
    "never_seen": "never seen",
    "late": "late",
    "printer_paper": "printer needs paper",
    "printer_offline": "printer offline",
    "clock": "clock wrong",
    "refused": "refused events",
    "revoked": "revoked",
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a kiosk: a code of SEVERITY, with its count (backlog, missing
    events) or its kind (storage: read_only, full, error) where it has one."""

    code: str
    count: int | None = None
    kind: str | None = None

    @property
    def words(self) -> str:
        """The problem in English words, as `hymy-central devices` and the API say it."""
        if self.code == "backlog":
            return f"backlog of {self.count} waiting"
        if self.code == "missing":
            return missing_words(self.count or 0)
        if self.code == "storage":
            return STORAGE_WORDS[self.kind or "error"]
        return PROBLEM_WORDS[self.code]

    @property
    def severity(self) -> int:
        return SEVERITY.index(self.code)


@dataclass(frozen=True)
class DeviceStatus:
    device_id: str
    site: str
    kiosk_id: str
    last_seen: datetime | None
    status: str
    heartbeat: dict[str, Any] | None
    revoked: bool
    completeness: Completeness | None = None  # None: the kiosk sends no outbox_id/seq yet
    problems: tuple[Problem, ...] = ()  # empty: ok

    @property
    def needs_attention(self) -> bool:
        """A live kiosk with a problem (a revoked one is nobody's worry)."""
        return bool(self.problems) and not self.revoked

    def severity(self) -> int:
        """Its worst problem's rank in SEVERITY; past the end for a kiosk that is fine."""
        return min((p.severity for p in self.problems), default=len(SEVERITY))


def status_problems(
    now: datetime,
    last_seen: datetime | None,
    beat: dict[str, Any] | None,
    beat_at: datetime | None,
    revoked: bool,
    missing: int = 0,
) -> list[Problem]:
    """What is wrong with the kiosk, in the order status_words says it; empty: ok."""
    if revoked:
        return [Problem("revoked")]
    if last_seen is None:
        return [Problem("never_seen")]
    problems = []
    if now - last_seen > SILENT:
        problems.append(Problem("silent"))
    elif now - last_seen > LATE:
        problems.append(Problem("late"))
    if beat:
        printer = beat.get("printer")
        if printer in PRINTER_NEEDS_PAPER:
            problems.append(Problem("printer_paper"))
        elif printer == PrinterState.OFFLINE:
            problems.append(Problem("printer_offline"))
        if beat_at and abs(datetime.fromisoformat(beat["device_clock"]) - beat_at) > CLOCK_WRONG:
            problems.append(Problem("clock"))
        oldest = beat.get("oldest_pending")
        if oldest and beat_at and beat_at - datetime.fromisoformat(oldest) > BACKLOG_OLD:
            problems.append(Problem("backlog", count=beat["backlog"]))
        if beat.get("refused"):
            problems.append(Problem("refused"))
        if beat.get("storage") in STORAGE_WORDS:
            problems.append(Problem("storage", kind=beat["storage"]))
    if missing:
        problems.append(Problem("missing", count=missing))
    return problems


def status_words(
    now: datetime,
    last_seen: datetime | None,
    beat: dict[str, Any] | None,
    beat_at: datetime | None,
    revoked: bool,
    missing: int = 0,
) -> str:
    """'ok', or what is wrong, e.g. 'late; printer needs paper; clock wrong; 7 events missing'."""
    problems = status_problems(now, last_seen, beat, beat_at, revoked, missing)
    return "; ".join(p.words for p in problems) or "ok"


def trouble_first(kiosks: Sequence[DeviceStatus]) -> list[DeviceStatus]:
    """The kiosks by their worst problem (SEVERITY), then the longest unseen first, then site
    and kiosk id: what needs someone soonest is at the top, fine kiosks below, revoked last."""
    earliest = datetime.min.replace(tzinfo=UTC)

    def key(d: DeviceStatus) -> tuple[bool, int, datetime, str, str]:
        # among kiosks with trouble, the one unseen longest first; fine ones by site and id
        since = (d.last_seen or earliest) if d.needs_attention else earliest
        return (d.revoked, d.severity(), since, d.site, d.kiosk_id)

    return sorted(kiosks, key=key)


def visible_sites(role: str, sites: tuple[str, ...]) -> tuple[str, ...]:
    """The sites whose kiosks a caller sees (empty: every site): IT staff their scope, an admin
    the whole fleet. The same rule for GET /api/v1/devices and the console's fleet page."""
    return sites if role == "it" else ()


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


def _gaps(conn: Connection, holders: Sequence[str], tally: OutboxTally) -> tuple[list, bool]:
    """The missing seq ranges of one outbox, from the events_by_outbox_seq index (read only
    when there is a gap), over the devices that hold events of it; and whether more ranges
    than GAPS_LISTED exist."""
    held = (
        select(events.c.seq)
        .distinct()
        .where(
            events.c.device_id.in_(holders),
            events.c.outbox_id == tally.outbox_id,
            events.c.seq.between(tally.lowest, tally.max_seq),
        )
        .subquery()
    )
    steps = select(held.c.seq, func.lag(held.c.seq).over(order_by=held.c.seq).label("prev"))
    steps = steps.subquery()
    gaps = [
        (row.prev + 1, row.seq - 1)
        for row in conn.execute(
            select(steps.c.seq, steps.c.prev)
            .where(steps.c.seq - steps.c.prev > 1)
            .order_by(steps.c.seq)
            .limit(GAPS_LISTED + 1)
        )
    ]
    if tally.lowest < tally.min_seq:  # the first ones never came (a first_seq below min_seq)
        gaps.insert(0, (tally.lowest, tally.min_seq - 1))
    return gaps[:GAPS_LISTED], len(gaps) > GAPS_LISTED


def _kiosk_sent(beat: dict[str, Any], current: dict[str, Any]) -> int | None:
    """How many events of its current outbox the kiosk counts as sent: its seqs first_seq to
    last_seq less what it still holds (its backlog: pending and held) or has quarantined. None
    without those figures."""
    try:
        made = int(current["last_seq"]) - int(current["first_seq"]) + 1
        kept = int(beat.get("backlog") or 0) + int(beat.get("quarantined") or 0)
    except (KeyError, TypeError, ValueError):
        return None
    return max(0, made - kept)


def _completeness(
    conn: Connection,
    rows: Sequence[Any],
    shared: dict[tuple[str, str], list[Any]],
    beat: dict[str, Any] | None,
) -> Completeness | None:
    """A device's completeness from its outbox_progress rows. An outbox is counted with what
    every device of the site holds of it: a kiosk revoked and enrolled again keeps its outbox,
    and the events its old device delivered are not missing from the new one."""
    if not rows:
        return None
    current = (beat or {}).get("outbox") or {}  # the heartbeat's word on its outbox
    current_id, first_seq = str(current.get("id", "")).lower(), current.get("first_seq")
    kiosk_sent = _kiosk_sent(beat or {}, current)
    tallies, holders = [], {}
    for row in rows:
        every = shared[(row.site_id, row.outbox_id)]
        holders[row.outbox_id] = [r.device_id for r in every]
        tallies.append(
            OutboxTally(
                row.outbox_id,
                sum(r.received for r in every),
                min(r.min_seq for r in every),
                max(r.max_seq for r in every),
                max(_aware(r.last_seen_at) for r in every),
                first_seq if row.outbox_id == current_id else None,
                kiosk_sent if row.outbox_id == current_id else None,
            )
        )
    gaps, cut = {}, set()
    for tally in tallies:
        if tally.missing:
            gaps[tally.outbox_id], more = _gaps(conn, holders[tally.outbox_id], tally)
            if more:
                cut.add(tally.outbox_id)
    return Completeness(tuple(tallies), gaps, frozenset(cut))


def fleet(
    conn: Connection, sites: tuple[str, ...] = (), now: datetime | None = None
) -> list[DeviceStatus]:
    """Every enrolled kiosk (of the sites, or all), by site and kiosk id."""
    now = now or datetime.now(UTC)
    query = select(devices).order_by(devices.c.site_id, devices.c.kiosk_id)
    progress_query = (
        select(outbox_progress, devices.c.site_id)
        .join(devices)
        .order_by(outbox_progress.c.first_seen_at)
    )
    if sites:
        query = query.where(devices.c.site_id.in_(sites))
        progress_query = progress_query.where(devices.c.site_id.in_(sites))
    progress: dict[str, list[Any]] = {}
    shared: dict[tuple[str, str], list[Any]] = {}  # (site, outbox) -> rows of every device
    for row in conn.execute(progress_query):
        progress.setdefault(row.device_id, []).append(row)
        shared.setdefault((row.site_id, row.outbox_id), []).append(row)
    out = []
    for row in conn.execute(query):
        beat = json.loads(row.heartbeat) if row.heartbeat else None
        last_seen = _aware(row.last_seen_at)
        completeness = _completeness(conn, progress.get(row.id, []), shared, beat)
        problems = status_problems(
            now,
            last_seen,
            beat,
            _aware(row.heartbeat_at),
            row.revoked_at is not None,
            completeness.missing if completeness else 0,
        )
        out.append(
            DeviceStatus(
                row.id,
                row.site_id,
                row.kiosk_id,
                last_seen,
                "; ".join(p.words for p in problems) or "ok",
                beat,
                row.revoked_at is not None,
                completeness,
                tuple(problems),
            )
        )
    return out

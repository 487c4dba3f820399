"""Retention at the central: what it keeps, and for how long (docs/central.md, "Retention").

- Free-text comments are deleted `comment_retention_days` after they reached the central: the
  comment is set to NULL in the event and in its stored content, the rating and the rest of the
  event stay, and `comment_deleted_at` says when. A resend of the event with its text is still
  a duplicate (central.ingest.same_event), never stored again.
- Raw events are deleted `event_retention_months` after they happened. Before the first one is
  deleted, the horizon (`retention_horizons`, kind "events") is moved up to that moment, and
  ingest refuses an event from before it ("older than the central keeps events"): an event
  deleted here and sent again (an outbox restored from a backup) can never be counted twice
  in the rollups. To allow for a resend whose time is corrected a little differently, an event
  is deleted only once it is SLACK older than the horizon (its time as corrected and its
  kiosk's own time both before that; an event whose time is implausible goes by its arrival,
  as it is not in the rollups and reports count it by arrival).
- Rollups (counts per hour and per day) hold no personal data and are kept for ever; so is
  outbox_progress, so completeness still says "all received" after a purge.

Each step is a series of short write transactions of at most BATCH events
(central.db.in_write_transaction), so neither SQLite nor PostgreSQL is locked for long; running
it again, or on several workers and servers at once, deletes nothing twice. `serve` runs it once
a day (start_daily): every worker checks hourly and the one that claims the day's run does it.
"""

from __future__ import annotations

import asyncio
import calendar
import hashlib
import json
import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio
from sqlalchemy import Connection, Engine, and_, delete, func, or_, select, text, update

from central.db import in_write_transaction
from central.flags import TIME_IMPLAUSIBLE
from central.settings import Settings
from central.tables import events, retention_horizons
from sync.protocol import ProtocolError, canonical, parse_event

log = logging.getLogger(__name__)
BATCH = 2000  # events per transaction
SLACK = timedelta(days=1)  # an event is deleted this long after the horizon passed it
DAILY = timedelta(hours=23)  # a claimed run keeps others off this long (the run is daily)
EVENTS, DAILY_RUN = "events", "daily-run"
HORIZON_LOCK = int.from_bytes(hashlib.sha256(b"hymy retention horizon").digest()[:8], signed=True)


@dataclass(frozen=True)
class Policy:
    comment_days: int  # 0: comments are kept
    event_months: int  # 0: raw events are kept

    @classmethod
    def of(cls, settings: Settings) -> Policy:
        return cls(settings.comment_retention_days, settings.event_retention_months)

    @property
    def active(self) -> bool:
        return bool(self.comment_days or self.event_months)


@dataclass(frozen=True)
class Outcome:
    """What a run deleted (or, dry, would delete)."""

    dry_run: bool
    comments: int
    comments_before: datetime | None  # None: comments are kept
    events: int
    events_before: datetime | None  # the horizon; None: events are kept

    def lines(self) -> list[str]:
        verb = "would delete" if self.dry_run else "deleted"
        out = []
        if self.comments_before is None:
            out.append("comments: kept (comment retention is 0)")
        else:
            out.append(
                f"comments: {verb} {self.comments} (received before {_day(self.comments_before)})"
            )
        if self.events_before is None:
            out.append("raw events: kept (event retention is 0)")
        else:
            out.append(
                f"raw events: {verb} {self.events} (from before {_day(self.events_before)}; "
                "their rollups stay)"
            )
        return out


def _day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def months_before(moment: datetime, months: int) -> datetime:
    """The same moment `months` calendar months earlier (the 31st becomes the month's last day)."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def _without_comment(content: str) -> str:
    """The event's stored content with its comment removed, in canonical form."""
    data = json.loads(content)
    data["comment"] = None
    try:
        return canonical(parse_event(data))
    except ProtocolError:  # stored under an older rule: keep its text, without the comment
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def delete_comments(conn: Connection, ids: list[str], now: datetime) -> list[str]:
    """Remove the comments of these events (in the event row and its stored content); the
    rating and the rest stay. Returns the ids whose comment this call removed."""
    if not ids:
        return []
    rows = conn.execute(
        select(events.c.id, events.c.content).where(
            events.c.id.in_(ids), events.c.comment.is_not(None)
        )
    ).all()
    done = []
    for row in sorted(rows, key=lambda r: r.id):  # one lock order for concurrent runs
        changed = conn.execute(
            update(events)
            .where(events.c.id == row.id, events.c.comment.is_not(None))
            .values(comment=None, content=_without_comment(row.content), comment_deleted_at=now)
        ).rowcount
        if changed:
            done.append(row.id)
    return done


def _old_comments(before: datetime) -> Any:
    return and_(events.c.comment.is_not(None), events.c.received_at < before)


def _old_events(before: datetime) -> Any:
    implausible = events.c.flag == TIME_IMPLAUSIBLE
    return or_(
        and_(implausible, events.c.received_at < before),
        and_(
            events.c.flag.is_distinct_from(TIME_IMPLAUSIBLE),
            events.c.corrected_at < before,
            events.c.occurred_at < before,
        ),
    )


def _count(engine: Engine, where: Any) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(events).where(where)).scalar_one()


def _in_batches(engine: Engine, step: Callable[[Connection], tuple[int, int]], batch: int) -> int:
    """Run `step` (returning how many rows it looked at and how many it changed) in one
    transaction after another until it looks at fewer than `batch`; the total changed."""
    total = 0
    while True:
        seen, done = in_write_transaction(engine, step)
        total += done
        if seen < batch:
            return total


def _horizon_lock(conn: Connection, *, shared: bool) -> None:
    """On PostgreSQL, the horizon's transaction-long advisory lock: shared by every ingest,
    exclusive while a purge moves the horizon (in the lock manager: no row is written to take
    it). SQLite's write lock orders them already."""
    if conn.dialect.name != "postgresql":
        return
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    conn.execute(text(f"SELECT {function}(:key)"), {"key": HORIZON_LOCK})


def kept_from(conn: Connection) -> datetime | None:
    """The events horizon: the central keeps no event from before it (None: none deleted yet).

    Read under the horizon's shared lock, held to the end of the caller's transaction: a purge
    moves the horizon (under the exclusive lock) before it deletes anything, so it waits for an
    ingest that read the old horizon to commit, and a later ingest reads the new one.
    """
    _horizon_lock(conn, shared=True)
    query = select(retention_horizons.c.kept_from).where(retention_horizons.c.kind == EVENTS)
    moment = conn.execute(query).scalar()
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _raise_horizon(conn: Connection, horizon: datetime, now: datetime) -> None:
    _horizon_lock(conn, shared=False)
    conn.execute(
        update(retention_horizons)
        .where(
            retention_horizons.c.kind == EVENTS,
            or_(retention_horizons.c.kept_from.is_(None), retention_horizons.c.kept_from < horizon),
        )
        .values(kept_from=horizon, updated_at=now)
    )


def run(
    engine: Engine,
    policy: Policy,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    batch: int = BATCH,
    stop: threading.Event | None = None,
) -> Outcome:
    """Delete comments and raw events past their time (see the module's words); with `dry_run`
    only count them. `stop` set ends the run after the current batch (a server shutting down).
    """
    now = now or datetime.now(UTC)
    stopped = stop.is_set if stop else lambda: False
    comments_before = now - timedelta(days=policy.comment_days) if policy.comment_days else None
    horizon = months_before(now, policy.event_months) if policy.event_months else None
    comments = events_deleted = 0

    if comments_before is not None:
        where = _old_comments(comments_before)
        if dry_run:
            comments = _count(engine, where)
        else:

            def comment_step(conn: Connection) -> tuple[int, int]:
                if stopped():
                    return 0, 0
                ids = list(
                    conn.execute(
                        select(events.c.id).where(where).order_by(events.c.received_at).limit(batch)
                    ).scalars()
                )
                return len(ids), len(delete_comments(conn, ids, now))

            comments = _in_batches(engine, comment_step, batch)

    if horizon is not None:
        where = _old_events(horizon - SLACK)
        if dry_run:
            events_deleted = _count(engine, where)
        else:
            in_write_transaction(engine, lambda conn: _raise_horizon(conn, horizon, now))

            def event_step(conn: Connection) -> tuple[int, int]:
                if stopped():
                    return 0, 0
                ids = list(conn.execute(select(events.c.id).where(where).limit(batch)).scalars())
                if not ids:
                    return 0, 0
                return len(ids), conn.execute(delete(events).where(events.c.id.in_(ids))).rowcount

            events_deleted = _in_batches(engine, event_step, batch)

    outcome = Outcome(dry_run, comments, comments_before, events_deleted, horizon)
    if not dry_run:
        log.info("retention: %s", "; ".join(outcome.lines()))
    return outcome


def claim_daily_run(engine: Engine, now: datetime) -> bool:
    """Whether this process runs today's retention: the first of every worker and server to
    ask after DAILY since the last run."""

    def claim(conn: Connection) -> bool:
        due = retention_horizons.c.updated_at.is_(None) | (
            retention_horizons.c.updated_at < now - DAILY
        )
        return bool(
            conn.execute(
                update(retention_horizons)
                .where(retention_horizons.c.kind == DAILY_RUN, due)
                .values(updated_at=now)
            ).rowcount
        )

    return in_write_transaction(engine, claim)


def run_if_due(engine: Engine, policy: Policy, stop: threading.Event | None = None) -> bool:
    """Run the retention when today's run is due and this process claims it; True when it ran.
    Errors are logged, never raised (the next check tries again)."""
    if not policy.active:
        return False
    try:
        if not claim_daily_run(engine, datetime.now(UTC)):
            return False
        run(engine, policy, stop=stop)
        return True
    except Exception:
        log.exception("retention run failed; the next daily run tries again")
        return False


def start_daily(app: Any) -> None:
    """In `serve` (the app's lifespan, once its engine is in app.state): check every
    `retention_check_every` (with a little jitter) whether the day's run is due, and run it off
    the event loop. Ends when the server's event loop ends, after the batch under way."""
    settings: Settings = app.state.settings
    policy = Policy.of(settings)
    if not policy.active:
        log.info("retention is off (0 days for comments and 0 months for events)")
        return
    every = settings.retention_check_every.total_seconds()
    engine = app.state.engine
    stop = threading.Event()

    async def daily() -> None:
        try:
            while True:
                await asyncio.sleep(every * random.uniform(0.9, 1.1))
                await anyio.to_thread.run_sync(
                    run_if_due, engine, policy, stop, abandon_on_cancel=True
                )
        except asyncio.CancelledError:
            stop.set()
            raise

    app.state.retention_task = asyncio.get_running_loop().create_task(daily())


class NoSuchEventError(LookupError):
    """No event of that id."""


@dataclass(frozen=True)
class CommentDeletion:
    event_id: str
    deleted: bool  # False: it had no comment (none given, or deleted before)
    deleted_before: datetime | None  # when it was deleted before, if it was


def delete_comment(conn: Connection, event_id: str, now: datetime | None = None) -> CommentDeletion:
    """Remove one event's comment at a data-subject request (rating and the rest kept).

    Raises NoSuchEventError for an unknown id.
    """
    now = now or datetime.now(UTC)
    row = conn.execute(
        select(events.c.id, events.c.comment_deleted_at).where(events.c.id == event_id)
    ).first()
    if row is None:
        raise NoSuchEventError(
            f"No event {event_id!r} at the central: check the id (the event's UUID, as a "
            "comments listing shows it); it may also have been deleted by the event retention."
        )
    done = delete_comments(conn, [event_id], now)
    before = row.comment_deleted_at
    if before is not None and before.tzinfo is None:
        before = before.replace(tzinfo=UTC)
    return CommentDeletion(event_id, bool(done), before)


@dataclass(frozen=True)
class FoundComment:
    id: str
    at: datetime  # corrected time, UTC
    rating: int | None
    comment: str


FIND_LIMIT = 200


def find_comments(
    conn: Connection,
    site_id: str,
    text: str = "",
    first: datetime | None = None,
    last: datetime | None = None,
) -> list[FoundComment]:
    """The site's comments (of UTC days first..last, containing `text` in any case), newest
    first, at most FIND_LIMIT: to find the event a data-subject request is about.

    The text is compared here, case-folded, not by the database: SQLite's lower() (and
    PostgreSQL's under the C collation) change only A-Z, so "Äiti" was not found by "äiti".
    """
    query = select(events.c.id, events.c.corrected_at, events.c.rating, events.c.comment).where(
        events.c.site_id == site_id, events.c.comment.is_not(None)
    )
    if first is not None:
        query = query.where(events.c.corrected_at >= first.replace(tzinfo=UTC))
    if last is not None:
        query = query.where(events.c.corrected_at < last.replace(tzinfo=UTC) + timedelta(days=1))
    query = query.order_by(events.c.corrected_at.desc())
    if not text:
        rows = list(conn.execute(query.limit(FIND_LIMIT)))
    else:
        wanted = text.casefold()
        rows = []
        for row in conn.execute(query.execution_options(yield_per=500)):
            if wanted in row.comment.casefold():
                rows.append(row)
                if len(rows) == FIND_LIMIT:
                    break
    return [
        FoundComment(
            row.id,
            row.corrected_at if row.corrected_at.tzinfo else row.corrected_at.replace(tzinfo=UTC),
            row.rating,
            row.comment,
        )
        for row in rows
    ]

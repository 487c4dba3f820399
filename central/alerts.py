"""Evaluating the alert rules (central.alert_rules) of a site and recording their episodes
(central.alert_store), each opening and all-clear queued to the site's recipients through
central.deliveries in the same transaction as the alert's row.

When it runs, in every worker of `serve`:
- after a batch of events or a heartbeat is committed, `note_arrival` marks its site; the
  worker's watcher (`start`) evaluates the marked sites a moment later, off the request path and
  once for many batches that arrive together;
- on the timer (`alert_check_seconds`, default a minute) the worker that claims the round in
  the database (alert_timer) evaluates every live site: a kiosk goes quiet without sending
  anything, a window slides on while nobody rates.

Once: at most one open alert per site, kind and kiosk (the alerts_one_open index), and the
decision is taken again inside the write transaction, so two workers or a watcher and a timer
never open or clear an episode twice; the loser's queued notices roll back with it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import anyio
from sqlalchemy import Connection, Engine, case, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from central import alert_rules as rules
from central.alert_rules import OPEN, Condition, Episode, Rule, decide
from central.alert_store import Recipient, may_hear_of, recipients_of, rules_of
from central.alert_texts import notice_parts
from central.db import in_write_transaction
from central.flags import TIME_IMPLAUSIBLE
from central.fleet import fleet
from central.names import site_name
from central.settings import Settings
from central.site_store import load_site
from central.sites import SiteDefinition
from central.tables import alert_timer, alerts, devices, events, sites
from central.web.i18n import translations

log = logging.getLogger(__name__)
ALL_KINDS = frozenset(rules.KINDS)
KIOSK_KINDS = ("quiet", "printer", "backlog", "refused")
# What an arrival can change: a batch the unhappy share, a heartbeat its kiosk's state (the
# timer evaluates everything, missing events included, every alert_check_seconds).
AFTER_BATCH = frozenset({"unhappy"})
AFTER_HEARTBEAT = frozenset(KIOSK_KINDS)
SETTLE_S = 0.5  # the watcher waits this long after a mark, so a burst of batches is one round
TIMER_ROUND = "round"
Key = tuple[str, str]  # (kind, subject): subject "" for the site, else the kiosk's device id


@dataclass(frozen=True)
class Situation:
    """What one evaluation found: each rule's condition per subject, the kiosks' ids."""

    definition: SiteDefinition
    rules: dict[str, Rule]
    conditions: dict[Key, Condition]
    kiosks: dict[str, str]  # device id -> kiosk id
    episodes: dict[Key, tuple[str | None, Episode]]  # open alert's id and its episode


@dataclass(frozen=True)
class Change:
    """An alert opened or cleared, and the deliveries queued for it."""

    alert_id: str
    site_id: str
    kind: str
    verdict: str  # alert_rules.OPEN | CLEAR
    deliveries: tuple[str, ...]


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# --- what is the situation ---


def _window_counts(
    conn: Connection, site_id: str, since: datetime, now: datetime
) -> tuple[int, int]:
    """(ratings, of them 1 or 2) of the site in (since, now], misuse and implausible times left
    out: counted by the database on events_by_site_time, never read row by row."""
    low = func.sum(case((events.c.rating <= 2, 1), else_=0))
    row = conn.execute(
        select(func.count(), low).where(
            events.c.site_id == site_id,
            events.c.corrected_at > since,
            events.c.corrected_at <= now,
            events.c.type == "feedback",
            or_(events.c.misuse.is_(None), events.c.misuse.is_(False)),
            or_(events.c.flag.is_(None), events.c.flag != TIME_IMPLAUSIBLE),
        )
    ).one()
    return int(row[0] or 0), int(row[1] or 0)


def episodes_of(
    conn: Connection, site_id: str, since: datetime
) -> dict[Key, tuple[str | None, Episode]]:
    """The open alerts of the site and when each kind and subject last cleared (after `since`),
    in one query on alerts_by_episode."""
    query = select(
        alerts.c.id, alerts.c.kind, alerts.c.subject, alerts.c.opened_at, alerts.c.cleared_at
    ).where(
        alerts.c.site_id == site_id,
        or_(alerts.c.cleared_at.is_(None), alerts.c.cleared_at > since),
    )
    open_ones: dict[Key, tuple[str, datetime]] = {}
    cleared: dict[Key, datetime] = {}
    for row in conn.execute(query):
        key = (row.kind, row.subject)
        if row.cleared_at is None:
            open_ones[key] = (row.id, _aware(row.opened_at))
        else:
            moment = _aware(row.cleared_at)
            cleared[key] = max(moment, cleared.get(key, moment))
    return {
        key: (
            open_ones[key][0] if key in open_ones else None,
            Episode(open_ones[key][1] if key in open_ones else None, cleared.get(key)),
        )
        for key in set(open_ones) | set(cleared)
    }


@lru_cache(maxsize=256)
def _definition(config: str) -> SiteDefinition:
    """A stored site's definition, parsed once per version of it (evaluations are frequent)."""
    return SiteDefinition.model_validate(json.loads(config))


def _live_site(conn: Connection, site_id: str) -> SiteDefinition | None:
    """The site's definition; None for a retired or unknown site (it has no alerts)."""
    row = conn.execute(
        select(sites.c.config, sites.c.retired_at).where(sites.c.id == site_id)
    ).first()
    if row is None or row.retired_at is not None:
        return None
    return _definition(row.config)


def situation(
    conn: Connection,
    site_id: str,
    now: datetime,
    kinds: frozenset[str] = ALL_KINDS,
    definition: SiteDefinition | None = None,
) -> Situation:
    """The site's rules of `kinds` and their conditions now. Raises NotFoundError for no such
    site."""
    definition = definition or load_site(conn, site_id)
    site_rules = rules_of(conn, site_id)
    conditions: dict[Key, Condition] = {}
    zone = ZoneInfo(definition.site.timezone)
    unhappy = site_rules["unhappy"]
    if unhappy.enabled and "unhappy" in kinds:
        since = now - timedelta(minutes=unhappy["window_minutes"])
        n, low = _window_counts(conn, site_id, since, now)
        conditions[("unhappy", "")] = rules.unhappy_counts(n, low, unhappy)
    kiosks: dict[str, str] = {}
    kiosk_rules = [site_rules[k] for k in KIOSK_KINDS if k in kinds]
    if any(r.enabled for r in kiosk_rules):
        extra = {
            row.id: row
            for row in conn.execute(
                select(devices.c.id, devices.c.heartbeat_at, devices.c.enrolled_at).where(
                    devices.c.site_id == site_id, devices.c.revoked_at.is_(None)
                )
            )
        }
        hours = definition.opening_hours.weekly
        for kiosk in fleet(conn, (site_id,), now):
            if kiosk.revoked or kiosk.device_id not in extra:
                continue
            kiosks[kiosk.device_id] = kiosk.kiosk_id
            row, beat = extra[kiosk.device_id], kiosk.heartbeat
            missing = kiosk.completeness.missing if kiosk.completeness else 0
            heard = kiosk.last_seen or _aware(row.enrolled_at)
            for rule in kiosk_rules:
                if not rule.enabled:
                    continue
                if rule.kind == "quiet":
                    condition = rules.quiet(heard, now, hours, zone, rule)
                elif rule.kind == "printer":
                    condition = rules.printer(beat)
                elif rule.kind == "backlog":
                    condition = rules.backlog(beat, _aware(row.heartbeat_at), missing, rule)
                else:
                    condition = rules.refused(beat)
                conditions[(rule.kind, kiosk.device_id)] = condition
    longest = max(r.cooldown for r in site_rules.values())
    episodes = episodes_of(conn, site_id, now - longest - timedelta(minutes=1))
    in_scope = {key: found for key, found in episodes.items() if key[0] in kinds}
    return Situation(definition, site_rules, conditions, kiosks, in_scope)


def verdicts(found: Situation, now: datetime) -> list[tuple[Key, str, Condition]]:
    """What to do: open or clear, per kind and subject. An open alert whose rule is off or
    whose kiosk is gone is cleared."""
    todo = []
    for key in sorted(set(found.conditions) | set(found.episodes)):
        condition = found.conditions.get(key, Condition(False))
        episode = found.episodes.get(key, (None, Episode()))[1]
        verdict = decide(episode, condition, now, found.rules[key[0]].cooldown)
        if verdict:
            todo.append((key, verdict, condition))
    return todo


# --- the notices ---


def _guarded_facts(kind: str, facts: dict[str, Any], minimum: int) -> dict[str, Any]:
    """The facts for machines (webhook JSON): an unhappy share of too few ratings left out."""
    if kind == "unhappy" and int(facts.get("answers") or 0) < minimum:
        return {k: v for k, v in facts.items() if k not in ("answers", "unhappy", "share_percent")}
    return dict(facts)


def make_notice(
    settings: Settings, definition: SiteDefinition, alert_id: str, kind: str, verdict: str,
    facts: dict[str, Any], kiosk: str | None, language: str, opened_at: datetime,
) -> Any:  # fmt: skip
    """The deliveries.Notice of an opening or all-clear in one language."""
    from central.deliveries import Notice, console_url

    severity = "alert" if verdict == OPEN else "clear"
    title, text, shown = notice_parts(
        kind, severity, facts, site=site_name(definition, language), kiosk=kiosk,
        min_answers=definition.reports.min_answers, zone=ZoneInfo(definition.site.timezone),
        gettext=translations(language).gettext,
    )  # fmt: skip
    data = {
        "alert_id": alert_id, "kind": kind, "state": "open" if verdict == OPEN else "cleared",
        "site": definition.site.id, "kiosk": kiosk, "opened_at": opened_at.isoformat(),
        "facts": _guarded_facts(kind, facts, definition.reports.min_answers),
    }  # fmt: skip
    link = console_url(settings, f"/alerts/{alert_id}")
    return Notice(title, text, tuple(shown), link, severity, data)


def _queue(
    conn: Connection, settings: Settings, definition: SiteDefinition, alert_id: str, kind: str,
    verdict: str, facts: dict[str, Any], kiosk: str | None, opened_at: datetime,
) -> list[str]:  # fmt: skip
    """One e-mail per person (in their language, only while they may read the site) and one
    call per webhook, in the caller's transaction."""
    site_id, about = definition.site.id, f"alert:{alert_id}"
    recipients: list[Recipient] = recipients_of(conn, site_id)
    if not recipients:
        return []  # the alert is in the console all the same
    from central.deliveries import queue_notice_email, queue_webhook

    queued = []
    for recipient in recipients:
        if recipient.person is not None:
            if not may_hear_of(recipient.person, site_id):
                continue  # their access changed after they were added
            language = recipient.person.language or "fi"
            notice = make_notice(settings, definition, alert_id, kind, verdict, facts, kiosk,
                                 language, opened_at)  # fmt: skip
            queued.append(queue_notice_email(
                conn, to=recipient.person.email, notice=notice, site_id=site_id, about=about
            ))  # fmt: skip
        elif recipient.url:
            notice = make_notice(settings, definition, alert_id, kind, verdict, facts, kiosk,
                                 recipient.language or "fi", opened_at)  # fmt: skip
            queued.append(queue_webhook(
                conn, url=recipient.url, secret=recipient.secret, style=recipient.style or "json",
                notice=notice, site_id=site_id, about=about,
            ))  # fmt: skip
    return queued


class _Lost(Exception):  # noqa: N818 - another worker decided first: roll back, nothing to do
    pass


def _apply(
    engine: Engine, settings: Settings, found: Situation, key: Key, verdict: str,
    condition: Condition, now: datetime,
) -> Change | None:  # fmt: skip
    definition = found.definition
    site_id, (kind, subject) = definition.site.id, key
    rule = found.rules[kind]
    kiosk = found.kiosks.get(subject) if subject else None

    def work(conn: Connection) -> Change:
        # Decided again inside the transaction: what another worker did meanwhile counts.
        since = now - rule.cooldown - timedelta(minutes=1)
        open_id, episode = episodes_of(conn, site_id, since).get(key, (None, Episode()))
        if decide(episode, condition, now, rule.cooldown) != verdict:
            raise _Lost
        facts = dict(condition.facts)
        if verdict == OPEN:
            alert_id, opened_at = str(uuid.uuid4()), now
            conn.execute(insert(alerts).values(
                id=alert_id, site_id=site_id, kind=kind, subject=subject,
                device_id=subject or None, kiosk_id=kiosk, opened_at=now,
                facts=json.dumps(facts, sort_keys=True),
            ))  # fmt: skip
        else:
            alert_id, opened_at = str(open_id), episode.open_since or now
            row = conn.execute(select(alerts.c.kiosk_id).where(alerts.c.id == alert_id)).first()
            kiosk_id = row.kiosk_id if row else kiosk
            changed = conn.execute(
                update(alerts)
                .where(alerts.c.id == alert_id, alerts.c.cleared_at.is_(None))
                .values(cleared_at=now, clear_facts=json.dumps(facts, sort_keys=True))
            ).rowcount
            if not changed:
                raise _Lost
            if not facts:  # cleared because the rule is off or the kiosk gone: say what it was
                old = conn.execute(select(alerts.c.facts).where(alerts.c.id == alert_id)).first()
                facts = json.loads(old.facts) if old else {}
            return Change(alert_id, site_id, kind, verdict, tuple(
                _queue(conn, settings, definition, alert_id, kind, verdict, facts, kiosk_id,
                       opened_at)))  # fmt: skip
        queued = _queue(
            conn, settings, definition, alert_id, kind, verdict, facts, kiosk, opened_at
        )
        return Change(alert_id, site_id, kind, verdict, tuple(queued))

    try:
        return in_write_transaction(engine, work)
    except (_Lost, IntegrityError):
        return None


def evaluate_site(
    engine: Engine,
    settings: Settings,
    site_id: str,
    now: datetime | None = None,
    kinds: frozenset[str] = ALL_KINDS,
) -> list[Change]:
    """Evaluate the site's rules of `kinds` now and record what opened or cleared (queued
    deliveries are woken by the caller: see evaluate_sites). A retired or unknown site has no
    alerts."""
    now = now or datetime.now(UTC)
    with engine.connect() as conn:
        definition = _live_site(conn, site_id)
        if definition is None:
            return []
        found = situation(conn, site_id, now, kinds, definition)
    changes = []
    for key, verdict, condition in verdicts(found, now):
        change = _apply(engine, settings, found, key, verdict, condition, now)
        if change is not None:
            log.info(
                "alert %s %s: %s at %s (%s)", change.alert_id, verdict, key[0], site_id,
                key[1] or "site",
            )  # fmt: skip
            changes.append(change)
    return changes


def evaluate_sites(
    engine: Engine,
    settings: Settings,
    site_ids: Iterable[str] | dict[str, frozenset[str]],
    now: datetime | None = None,
) -> list[Change]:
    """Evaluate each site (every rule, or the kinds given per site); errors are logged, never
    raised; then wake the deliveries."""
    scope = site_ids if isinstance(site_ids, dict) else dict.fromkeys(site_ids, ALL_KINDS)
    changes: list[Change] = []
    for site_id in sorted(scope):
        try:
            changes += evaluate_site(engine, settings, site_id, now, scope[site_id])
        except Exception:
            log.exception("alerts of site %s could not be evaluated; tried again later", site_id)
    if any(c.deliveries for c in changes):
        from central.deliveries import wake

        wake()
    return changes


def live_sites(conn: Connection) -> list[str]:
    query = select(sites.c.id).where(sites.c.retired_at.is_(None)).order_by(sites.c.id)
    return [row.id for row in conn.execute(query)]


def claim_round(engine: Engine, now: datetime, every: timedelta) -> bool:
    """Whether this worker runs the timer's round now: the first of all workers and servers to
    ask since the last round (one update wins)."""

    def claim(conn: Connection) -> bool:
        due = alert_timer.c.ran_at.is_(None) | (alert_timer.c.ran_at <= now - every * 0.8)
        return bool(
            conn.execute(
                update(alert_timer).where(alert_timer.c.name == TIMER_ROUND, due).values(ran_at=now)
            ).rowcount
        )

    return in_write_transaction(engine, claim)


def timer_round(engine: Engine, settings: Settings, now: datetime | None = None) -> list[Change]:
    """The timer's round: every live site, when this worker claims it."""
    now = now or datetime.now(UTC)
    every = timedelta(seconds=max(settings.alert_check_seconds, 1))
    if not claim_round(engine, now, every):
        return []
    with engine.connect() as conn:
        site_ids = live_sites(conn)
    return evaluate_sites(engine, settings, site_ids, now)


# --- in serve ---


class Watcher:
    """Per worker: the sites marked by arrivals, evaluated soon on a thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.marked: dict[str, frozenset[str]] = {}
        self.lock = threading.Lock()
        self.wakeup = asyncio.Event()

    def mark(self, site_id: str, kinds: frozenset[str]) -> None:
        """From any thread: evaluate these rules of the site soon."""
        with self.lock:
            self.marked[site_id] = self.marked.get(site_id, frozenset()) | kinds
        self.loop.call_soon_threadsafe(self.wakeup.set)

    def take(self) -> dict[str, frozenset[str]]:
        with self.lock:
            taken, self.marked = self.marked, {}
        return taken


def note_arrival(app: Any, site_id: str, kinds: frozenset[str] = ALL_KINDS) -> None:
    """After a batch (AFTER_BATCH) or heartbeat (AFTER_HEARTBEAT) of the site committed:
    evaluate those rules soon (never now: the answer to the kiosk does not wait for it).
    Nothing when the watcher is not running."""
    watcher: Watcher | None = getattr(app.state, "alert_watcher", None)
    if watcher is not None:
        watcher.mark(site_id, kinds)


def start(app: Any) -> None:
    """In `serve` (the app's lifespan, once its engine is in app.state): the watcher for
    arrivals and the timer's rounds, each work run off the event loop."""
    settings: Settings = app.state.settings
    engine = app.state.engine
    watcher = Watcher(asyncio.get_running_loop())
    app.state.alert_watcher = watcher

    async def watch() -> None:
        while True:
            await watcher.wakeup.wait()
            watcher.wakeup.clear()
            await asyncio.sleep(SETTLE_S)
            marked = watcher.take()
            if marked:
                await anyio.to_thread.run_sync(
                    evaluate_sites, engine, settings, marked, abandon_on_cancel=True
                )

    async def timer() -> None:
        every = settings.alert_check_seconds
        while True:
            await asyncio.sleep(every * random.uniform(0.9, 1.1))
            try:
                await anyio.to_thread.run_sync(
                    timer_round, engine, settings, abandon_on_cancel=True
                )
            except Exception:
                log.exception("alerts: the timer's round failed; the next one tries again")

    loop = asyncio.get_running_loop()
    app.state.alert_tasks = [loop.create_task(watch())]
    if settings.alert_check_seconds > 0:
        app.state.alert_tasks.append(loop.create_task(timer()))

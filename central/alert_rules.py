"""Alert rules and their episodes (pure: no database, no clock, no network).

A site has one rule of each kind (`KINDS`), each on or off, with its parameters:

- `unhappy` (the site): the share of ratings 1-2 among the ratings of the last
  `window_minutes` is at least `share_percent`, from at least `min_answers` ratings; misuse
  is left out (those ratings carry `misuse`).
- `quiet` (a kiosk): neither an event nor a heartbeat for `quiet_minutes` of the site's
  opening hours (time while the station is closed does not count, so a kiosk switched off at
  night is not quiet at 8.05).
- `printer` (a kiosk): the last heartbeat says the printer is out of paper or offline.
- `backlog` (a kiosk): events waiting on the kiosk longer than `backlog_minutes`, or events
  missing at the central (central.completeness).
- `refused` (a kiosk): the central refused what the kiosk sends, or the kiosk holds events in
  quarantine after the central rejected them.

Each rule also has `cooldown_minutes`. `decide` turns a condition into an episode: an alert
opens once when the condition starts, never again while it lasts, clears ("all clear") when it
ends, and a new episode opens no sooner than the cool-down after the last one cleared.

Opening hours (`WeeklyHours`) are wall-clock ranges per weekday in the site's time zone;
`open_time` measures them over any stretch of real time, exactly across DST changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

KINDS = ("unhappy", "quiet", "printer", "backlog", "refused")
SITE_KINDS = frozenset({"unhappy"})  # the others are per kiosk

# Each kind's parameters and their defaults; LIMITS bounds what the console accepts.
DEFAULTS: dict[str, dict[str, int]] = {
    "unhappy": {
        "share_percent": 50,
        "window_minutes": 15,
        "min_answers": 4,
        "cooldown_minutes": 30,
    },
    "quiet": {"quiet_minutes": 30, "cooldown_minutes": 30},
    "printer": {"cooldown_minutes": 30},
    "backlog": {"backlog_minutes": 60, "cooldown_minutes": 30},
    "refused": {"cooldown_minutes": 30},
}
LIMITS: dict[str, tuple[int, int]] = {
    "share_percent": (1, 100),
    "window_minutes": (1, 24 * 60),
    "min_answers": (1, 10_000),
    "quiet_minutes": (5, 24 * 60),
    "backlog_minutes": (5, 7 * 24 * 60),
    "cooldown_minutes": (0, 24 * 60),
}
UNHAPPY_RATINGS = frozenset({1, 2})
PRINTER_ALERT_STATES = frozenset({"paper_out", "offline"})
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_HOURS: dict[str, list[str]] = {
    **{day: ["08:00-16:00"] for day in WEEKDAYS[:5]},
    "sat": [],
    "sun": [],
}
# How far back `quiet` looks for opening hours: a site closed longer than this is not quiet.
QUIET_LOOKBACK = timedelta(days=14)


class RuleError(ValueError):
    """A rule's parameter or an opening-hours range that cannot be used; the message says what
    to write instead."""


@dataclass(frozen=True)
class Rule:
    """One kind of alert of one site, as stored (central.alerts) or by default."""

    kind: str
    enabled: bool = True
    params: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise RuleError(f"{self.kind!r} is not a kind of alert: use one of {', '.join(KINDS)}.")
        merged = {**DEFAULTS[self.kind], **{k: v for k, v in self.params.items()
                                            if k in DEFAULTS[self.kind]}}  # fmt: skip
        for name, value in merged.items():
            low, high = LIMITS[name]
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                raise RuleError(f"{name} must be a whole number from {low} to {high}.")
        object.__setattr__(self, "params", merged)

    def __getitem__(self, name: str) -> int:
        return self.params[name]

    @property
    def cooldown(self) -> timedelta:
        return timedelta(minutes=self.params["cooldown_minutes"])


def default_rules() -> dict[str, Rule]:
    return {kind: Rule(kind) for kind in KINDS}


@dataclass(frozen=True)
class Condition:
    """Whether a rule's condition holds now, and the numbers behind it (for the alert's text,
    the console and webhooks' JSON)."""

    active: bool
    facts: Mapping[str, Any] = field(default_factory=dict)


# --- the conditions ---


@dataclass(frozen=True)
class Rating:
    at: datetime  # the event's corrected time
    rating: int
    misuse: bool = False


def unhappy(ratings: Iterable[Rating], now: datetime, rule: Rule) -> Condition:
    """The unhappy share of the ratings in the window (now - window_minutes, now]."""
    since = now - timedelta(minutes=rule["window_minutes"])
    counted = [r for r in ratings if since < r.at <= now and not r.misuse]
    low = sum(1 for r in counted if r.rating in UNHAPPY_RATINGS)
    return unhappy_counts(len(counted), low, rule)


def unhappy_counts(n: int, low: int, rule: Rule) -> Condition:
    """The same from the window's counts: n ratings (misuse left out), `low` of them 1 or 2."""
    # share >= percent, in whole numbers: low * 100 >= percent * n (no rounding at the edge)
    active = n >= rule["min_answers"] and low * 100 >= rule["share_percent"] * n
    share = round(100 * low / n) if n else 0
    return Condition(
        active,
        {"answers": n, "unhappy": low, "share_percent": share,
         "threshold_percent": rule["share_percent"], "window_minutes": rule["window_minutes"]},
    )  # fmt: skip


def quiet(
    last_heard: datetime, now: datetime, hours: WeeklyHours, zone: ZoneInfo, rule: Rule
) -> Condition:
    """Nothing from the kiosk (an event or a heartbeat; since enrolment for one never heard)
    for quiet_minutes of opening hours."""
    needed = timedelta(minutes=rule["quiet_minutes"])
    start = max(last_heard, now - QUIET_LOOKBACK)
    silent = hours.open_time(start, now, zone, enough=needed) if start < now else timedelta()
    return Condition(
        silent >= needed,
        {"last_heard": last_heard.astimezone(UTC).isoformat(),
         "silent_open_minutes": int(silent.total_seconds() // 60),
         "quiet_minutes": rule["quiet_minutes"]},
    )  # fmt: skip


def printer(beat: Mapping[str, Any] | None) -> Condition:
    """The printer as the last heartbeat has it."""
    state = str((beat or {}).get("printer") or "none")
    return Condition(state in PRINTER_ALERT_STATES, {"printer": state})


def backlog(
    beat: Mapping[str, Any] | None, beat_at: datetime | None, missing: int, rule: Rule
) -> Condition:
    """Events waiting on the kiosk too long (from the heartbeat), or missing here."""
    beat = beat or {}
    waiting = int(beat.get("backlog") or 0)
    oldest = beat.get("oldest_pending")
    waited = timedelta()
    if oldest and beat_at:
        waited = max(timedelta(), beat_at - datetime.fromisoformat(oldest))
    too_long = waiting > 0 and waited >= timedelta(minutes=rule["backlog_minutes"])
    return Condition(
        too_long or missing > 0,
        {"backlog": waiting, "oldest_minutes": int(waited.total_seconds() // 60),
         "missing": missing, "backlog_minutes": rule["backlog_minutes"]},
    )  # fmt: skip


def refused(beat: Mapping[str, Any] | None) -> Condition:
    """The central refuses the kiosk's uploads, or rejected events wait in its quarantine."""
    beat = beat or {}
    refusal = beat.get("refused") or {}
    quarantined = int(beat.get("quarantined") or 0)
    facts: dict[str, Any] = {"quarantined": quarantined}
    if refusal:
        facts |= {"refused_status": refusal.get("status"), "refused_error": refusal.get("error"),
                  "waiting": refusal.get("events")}  # fmt: skip
    return Condition(bool(refusal) or quarantined > 0, facts)


# --- episodes ---


@dataclass(frozen=True)
class Episode:
    """What is known of one rule's episodes for one site or kiosk."""

    open_since: datetime | None = None  # the open episode's start; None: none open
    last_cleared: datetime | None = None  # when the last episode ended


OPEN, CLEAR = "open", "clear"


def decide(
    episode: Episode, condition: Condition, now: datetime, cooldown: timedelta
) -> str | None:
    """OPEN (a new alert), CLEAR (the all-clear of the open one) or None (nothing to say)."""
    if episode.open_since is not None:
        return None if condition.active else CLEAR
    if not condition.active:
        return None
    if episode.last_cleared is not None and now < episode.last_cleared + cooldown:
        return None  # cooling down: the next evaluation after it opens the new episode
    return OPEN


# --- opening hours ---

_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def parse_range(text: str) -> tuple[int, int]:
    """'08:00-16:00' as minutes from midnight (480, 960); '24:00' ends a day.

    Raises RuleError for anything else.
    """
    match = _RANGE.match(text)
    if match:
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if m1 < 60 and m2 < 60 and 0 <= start < end <= 24 * 60:
            return start, end
    raise RuleError(
        f"{text!r} is not a range of opening hours: write it like 08:00-16:00 (the end after "
        "the start, at most 24:00)."
    )


def format_range(span: tuple[int, int]) -> str:
    return f"{span[0] // 60:02d}:{span[0] % 60:02d}-{span[1] // 60:02d}:{span[1] % 60:02d}"


@dataclass(frozen=True)
class WeeklyHours:
    """Opening hours: for each weekday (Monday first) ranges of wall-clock minutes."""

    days: tuple[tuple[tuple[int, int], ...], ...]

    @classmethod
    def of(cls, mapping: Mapping[str, Iterable[str]]) -> WeeklyHours:
        """From {'mon': ['08:00-16:00'], ...}; a missing day is closed. Raises RuleError."""
        unknown = set(mapping) - set(WEEKDAYS)
        if unknown:
            raise RuleError(f"{sorted(unknown)} are not weekdays: use {', '.join(WEEKDAYS)}.")
        days = []
        for day in WEEKDAYS:
            spans = sorted(parse_range(text) for text in mapping.get(day, ()))
            for (_, end), (start, _) in pairwise(spans):
                if start < end:
                    raise RuleError(f"{day}: the ranges overlap; write each time once.")
            days.append(tuple(spans))
        return cls(tuple(days))

    def as_mapping(self) -> dict[str, list[str]]:
        return {
            day: [format_range(s) for s in spans]
            for day, spans in zip(WEEKDAYS, self.days, strict=True)
        }

    def is_open(self, moment: datetime, zone: ZoneInfo) -> bool:
        """Whether the site's wall clock at `moment` is in one of the day's ranges."""
        wall = moment.astimezone(zone)
        minute = wall.hour * 60 + wall.minute + (wall.second + wall.microsecond / 1e6) / 60
        return any(s <= minute < e for s, e in self.days[wall.weekday()])

    def open_time(
        self, start: datetime, end: datetime, zone: ZoneInfo, enough: timedelta | None = None
    ) -> timedelta:
        """How much of [start, end) is open. Walks back from `end`; with `enough` it stops once
        that much is found (what `quiet` needs; the answer is then at least `enough`)."""
        total = timedelta()
        for a, b, offset in _constant_offset_pieces(start, end, zone):
            total += self._open_in_piece(a, b, offset)
            if enough is not None and total >= enough:
                break
        return total

    def _open_in_piece(self, a: datetime, b: datetime, offset: timedelta) -> timedelta:
        """Open time in [a, b) (UTC), the zone's offset constant there: wall = utc + offset."""
        total = timedelta()
        wall_a, wall_b = _naive(a + offset), _naive(b + offset)
        day = wall_a.date()
        while datetime.combine(day, datetime.min.time()) < wall_b:
            midnight = datetime.combine(day, datetime.min.time())
            for s, e in self.days[day.weekday()]:
                lo = max(wall_a, midnight + timedelta(minutes=s))
                hi = min(wall_b, midnight + timedelta(minutes=e))
                if lo < hi:
                    total += hi - lo
            day = day + timedelta(days=1)
        return total


def _naive(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None)


def _offset(moment: datetime, zone: ZoneInfo) -> timedelta:
    return moment.astimezone(zone).utcoffset() or timedelta()


def _constant_offset_pieces(
    start: datetime, end: datetime, zone: ZoneInfo
) -> Iterable[tuple[datetime, datetime, timedelta]]:
    """[start, end) in UTC as pieces of at most an hour, latest first, in each of which the
    zone's offset to UTC does not change (a piece with a change is split where it happens)."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    b = end
    while b > start:
        a = max(start, b.replace(minute=0, second=0, microsecond=0))
        if a == b:
            a = max(start, b - timedelta(hours=1))
        tiny = timedelta(microseconds=1)
        if _offset(a, zone) == _offset(b - tiny, zone):
            yield a, b, _offset(a, zone)
        else:  # a DST change inside: find its first instant to the microsecond
            lo, hi = a, b - tiny  # offset(lo) != offset(hi)
            while hi - lo > tiny:
                mid = lo + (hi - lo) / 2
                if _offset(mid, zone) == _offset(lo, zone):
                    lo = mid
                else:
                    hi = mid
            yield hi, b, _offset(hi, zone)
            yield a, hi, _offset(a, zone)
        b = a

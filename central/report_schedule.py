"""When a scheduled report is due (pure: no I/O, no clock of its own).

- weekly: the last full week, Monday to Sunday, sent on the Monday after it at SEND_AT in the
  site's time zone;
- monthly: the last calendar month, sent on the 1st of the next month at SEND_AT.

Periods are local days, and the moment a period is due is a wall-clock time of its zone turned
into an instant, so a change to or from summer time moves nothing: Monday 06:00 in Helsinki is
Monday 06:00 in March and in October. A wall-clock time that a zone skips (a DST gap) is taken
after the gap, one that it has twice (the hour repeated in autumn) the first time.

Never twice, caught up after downtime: `due_periods` answers every period that became due after
the subscription was made, within CATCH_UP of now, whose first day is not among those already
sent (the caller's log). A server that was down on Monday morning sends the week when it is up
again; one down for longer than CATCH_UP sends only what is still recent.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

FREQUENCIES = ("weekly", "monthly")
SEND_AT = time(6, 0)  # local: the report is in the mailbox when the working day starts
CATCH_UP = timedelta(days=35)  # a missed week is sent for five weeks, a missed month once


class ScheduleError(ValueError):
    """A frequency that is not weekly or monthly."""


@dataclass(frozen=True, order=True)
class Period:
    """One report's local days first..last (inclusive) and the instant it is due."""

    first: date
    last: date
    due_at: datetime  # UTC
    frequency: str


def check_frequency(frequency: str) -> str:
    if frequency not in FREQUENCIES:
        raise ScheduleError(f"A report is sent {' or '.join(FREQUENCIES)}, not {frequency!r}.")
    return frequency


def local_instant(day: date, zone: ZoneInfo, at: time = SEND_AT) -> datetime:
    """The UTC instant of wall-clock `at` on `day` in `zone`: after a skipped hour, the first
    of a repeated one."""
    # PEP 495, fold=0: a skipped time is read with the offset before the jump (so it lands
    # after the gap), a repeated one as its first occurrence.
    return datetime.combine(day, at).replace(tzinfo=zone, fold=0).astimezone(UTC)


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def period_containing(frequency: str, day: date, zone: ZoneInfo) -> Period:
    """The week (Monday-Sunday) or calendar month that `day` is in, and when it is due."""
    check_frequency(frequency)
    if frequency == "weekly":
        first = day - timedelta(days=day.weekday())
        after = first + timedelta(days=7)
    else:
        first = _month_start(day)
        after = _next_month(first)
    return Period(first, after - timedelta(days=1), local_instant(after, zone), frequency)


def latest_due(frequency: str, now: datetime, zone: ZoneInfo) -> Period:
    """The newest period that is due at `now` (its due moment at or before now)."""
    today = now.astimezone(zone).date()
    period = period_containing(frequency, today, zone)
    while period.due_at > now:
        period = period_containing(frequency, period.first - timedelta(days=1), zone)
    return period


def due_periods(
    frequency: str,
    zone: ZoneInfo,
    *,
    created_at: datetime,
    now: datetime,
    sent: Collection[date] = (),
    catch_up: timedelta = CATCH_UP,
) -> list[Period]:
    """The periods to send now, oldest first: due after `created_at` and at or before `now`,
    no older than `catch_up`, and not already sent (`sent`: the first days of periods sent).

    Raises ScheduleError for a frequency other than weekly or monthly.
    """
    check_frequency(frequency)
    oldest = max(created_at, now - catch_up)
    found = []
    period = latest_due(frequency, now, zone)
    while period.due_at > oldest:
        if period.first not in sent:
            found.append(period)
        period = period_containing(frequency, period.first - timedelta(days=1), zone)
    return sorted(found)

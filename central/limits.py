"""How much one request may ask of the central (pure rules, no I/O): the period of a report, the
paging of the comments, and how many failed enrolments an address or a site may have.

Every limit is refused with a LimitError whose message says what to send instead; the API
answers it with 422 (too many failed enrolments with 429 and Retry-After).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from central.sites import ID

# Hymy's reports span its own era: far dates are typing mistakes, and the calendar's edges
# (0001-01-01, 9999-12-31) cannot even be turned into UTC instants in every time zone.
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2199, 12, 31)
# Hour buckets of a long period are tens of thousands of rows; any other bucket is a few a day.
MAX_DAYS_BY_HOUR = 3 * 365 + 1  # 3 years
MAX_DAYS = 20 * 365 + 5  # 20 years
MAX_SITES = 100  # a wellbeing services county has a few dozen health stations
MAX_LIMIT = 500
MAX_OFFSET = 10_000  # deeper than that, a shorter period finds it faster


class LimitError(ValueError):
    """A request beyond a limit; the message names the parameter and what to send instead."""


def check_period(first: date, last: date, by: str = "day") -> None:
    """Raises LimitError for a day outside EARLIEST_DAY..LATEST_DAY or a period longer than
    its bucket allows (3 years by hour, 20 years otherwise)."""
    for name, day in (("from", first), ("to", last)):
        if not EARLIEST_DAY <= day <= LATEST_DAY:
            raise LimitError(
                f"{name}={day.isoformat()} is outside the days reports cover "
                f"({EARLIEST_DAY.isoformat()} to {LATEST_DAY.isoformat()}): check the date."
            )
    days = (last - first).days + 1
    longest = MAX_DAYS_BY_HOUR if by == "hour" else MAX_DAYS
    if days > longest:
        years = 3 if by == "hour" else 20
        hint = "or bucket by day" if by == "hour" else "or make several reports"
        raise LimitError(
            f"from={first.isoformat()} to={last.isoformat()} is {days} days; a report "
            f"{'by hour ' if by == 'hour' else ''}covers at most {longest} days ({years} years): "
            f"shorten the period {hint}."
        )


def check_id(name: str, value: str) -> None:
    """Raises LimitError unless value has the shape of a site or service point id."""
    if len(value) > 64 or not re.fullmatch(ID, value):
        shown = value if len(value) <= 64 else value[:60] + "..."
        raise LimitError(
            f"{name}={shown!r} is not an id: ids are lowercase letters, digits and hyphens, "
            "at most 64 characters, e.g. kaleva."
        )


def check_sites(sites: Iterable[str]) -> list[str]:
    """The sites once each, in the order given.

    Raises LimitError for none, over MAX_SITES, or one that is not shaped like an id.
    """
    unique = list(dict.fromkeys(sites))
    if not unique:
        raise LimitError("Name at least one site (site=ID).")
    for site in unique:
        check_id("site", site)
    if len(unique) > MAX_SITES:
        raise LimitError(
            f"A report reads at most {MAX_SITES} sites at once, not {len(unique)}: "
            "split them over several reports."
        )
    return unique


def check_paging(limit: int, offset: int) -> None:
    """Raises LimitError for a limit outside 1..MAX_LIMIT or an offset outside 0..MAX_OFFSET."""
    if not 1 <= limit <= MAX_LIMIT:
        raise LimitError(f"limit={limit}: ask for 1 to {MAX_LIMIT} items a page.")
    if not 0 <= offset <= MAX_OFFSET:
        raise LimitError(
            f"offset={offset}: page from 0 to {MAX_OFFSET} items in; for older items "
            "narrow the period (from, to) instead."
        )


@dataclass(frozen=True)
class FailureLimit:
    """At most `failures` failed attempts within any `window`; then wait."""

    failures: int
    window: timedelta

    def retry_after(self, times: Iterable[datetime], now: datetime) -> int | None:
        """Whole seconds until another attempt is allowed, given the times of earlier failures;
        None when one is allowed now."""
        recent = sorted(t for t in times if now - t < self.window)
        excess = len(recent) - self.failures
        if excess < 0:
            return None
        # Allowed again once the oldest failures that make up the excess have aged out.
        frees_at = recent[excess] + self.window
        return max(1, math.ceil((frees_at - now).total_seconds()))


def wait_in_words(seconds: int) -> str:
    """'40 seconds', '15 minutes': how long to wait, as a person reads it."""
    if seconds < 120:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    return f"{math.ceil(seconds / 60)} minutes"

"""Report maths (pure): buckets by the site's local time in the order they happened, the
satisfaction score, shares, and the words for a service point's or reason's state.

Score: the mean of the ratings mapped 1 -> 0, 2 -> 33 1/3, 3 -> 66 2/3, 4 -> 100, always with n and
the distribution; misuse left out unless asked for.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

BUCKETS = ("hour", "day", "week", "month", "service-point")
POINTS = {1: 0.0, 2: 100 / 3, 3: 200 / 3, 4: 100.0}
HOUR_LABEL = "%Y-%m-%dT%H:00%z"
STATES = ("active", "retired", "unknown")
NO_POINT = "-"  # the service-point bucket of feedback given without one


@dataclass
class Bucket:
    key: str
    distribution: Counter = field(default_factory=Counter)  # rating -> count
    checkins: int = 0

    @property
    def n(self) -> int:
        return sum(self.distribution.values())

    @property
    def score(self) -> float | None:
        n = self.n
        return None if n == 0 else sum(POINTS[r] * c for r, c in self.distribution.items()) / n

    @property
    def positive_share(self) -> float | None:
        n = self.n
        return None if n == 0 else (self.distribution[3] + self.distribution[4]) / n

    def as_json(self, kind: str) -> dict:
        if kind == "checkins":
            return {"bucket": self.key, "checkins": self.checkins}
        score, share = self.score, self.positive_share
        return {
            "bucket": self.key,
            "n": self.n,
            "distribution": {str(r): self.distribution[r] for r in (1, 2, 3, 4)},
            "score": None if score is None else round(score, 1),
            "positive_share": None if share is None else round(share, 3),
        }


def utc_bounds(first: date, last: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) in UTC of the local days first..last (DST days have 23 or 25 hours)."""
    start = datetime.combine(first, time(0), tz).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), tz).astimezone(UTC)
    return start, end


def bucket_key(row: Mapping, by: str, tz: ZoneInfo) -> str:
    """The label of the bucket a row of rollups falls in: an hourly row (`hour`, UTC) is placed
    in the site's local time; a daily row (`day`) is a local date already."""
    if by == "service-point":
        return row["service_point"] or NO_POINT
    if by == "hour":
        return _local_hour(row["hour"], tz)
    day = row["day"]
    day = date.fromisoformat(day) if isinstance(day, str) else day
    if by == "day":
        return day.isoformat()
    if by == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    if by == "month":
        return day.strftime("%Y-%m")
    raise ValueError(f"Bucket by one of {', '.join(BUCKETS)}, not {by!r}.")


@lru_cache(maxsize=65536)  # a year of hours for a handful of zones
def _local_hour(hour: datetime | str, tz: ZoneInfo) -> str:
    if isinstance(hour, str):  # some drivers give SQL-computed timestamps back as text
        hour = datetime.fromisoformat(hour)
    local = (hour if hour.tzinfo else hour.replace(tzinfo=UTC)).astimezone(tz)
    return local.strftime(HOUR_LABEL)


def bucket_order(label: str, by: str) -> datetime | str:
    """The sort key of a bucket label: an hour by the instant it names, so the autumn night's
    two 03:00 hours (+0300, then +0200) come in the order they happened, which their text does
    not; every other label (ISO dates, weeks, months, ids) sorts as text."""
    if by == "hour":
        return datetime.strptime(label, HOUR_LABEL.replace(":00", ":%M"))
    return label


def kept_apart_row(event: Mapping[str, Any], tz: ZoneInfo) -> dict[str, Any]:
    """An event kept out of the rollups (its time is implausible) as one rollup row, placed at
    the hour and local day it reached the central (`received_at`, UTC): its own time cannot be
    trusted."""
    received = event["received_at"]
    received = received if received.tzinfo else received.replace(tzinfo=UTC)
    received = received.astimezone(UTC)
    counts = dict.fromkeys(("r1", "r2", "r3", "r4", "m1", "m2", "m3", "m4", "checkins"), 0)
    if event["type"] == "checkin":
        counts["checkins"] = 1
    else:
        counts[f"{'m' if event['misuse'] else 'r'}{event['rating']}"] = 1
    return {
        "site_id": event["site_id"],
        "service_point": event["service_point"] or "",
        "hour": received.replace(minute=0, second=0, microsecond=0),
        "day": received.astimezone(tz).date(),
        **counts,
    }


def combined_state(states: Iterable[str | None]) -> str:
    """The state of an id across the asked sites' definitions (None: a site never had it):
    active where any site offers it, else retired where any had it, else unknown."""
    seen = set(states)
    if "active" in seen:
        return "active"
    return "retired" if "retired" in seen else "unknown"


def label_words(label: str, state: str | None) -> str:
    """A bucket's label for people: 'laboratorio', 'laboratorio (retired)', 'x (unknown)'."""
    return label if state in (None, "active") else f"{label} ({state})"


def summarize(
    rows: Iterable[Mapping], by: str, include_misuse: bool, tz_of: Mapping[str, ZoneInfo]
) -> tuple[list[Bucket], Bucket]:
    """Buckets (in order) and the total of rollup rows (site_id, service_point, hour, r1.., m1..,
    checkins)."""
    buckets: dict[str, Bucket] = {}
    total = Bucket("total")
    for row in rows:
        key = bucket_key(row, by, tz_of[row["site_id"]])
        bucket = buckets.setdefault(key, Bucket(key))
        for target in (bucket, total):
            for rating in (1, 2, 3, 4):
                target.distribution[rating] += int(row[f"r{rating}"] or 0)
                if include_misuse:
                    target.distribution[rating] += int(row[f"m{rating}"] or 0)
            target.checkins += int(row["checkins"] or 0)
    order = sorted(buckets, key=lambda label: bucket_order(label, by))
    return [buckets[label] for label in order], total

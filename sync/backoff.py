"""When to try again after a failed upload: exponential backoff with full jitter, and what a
`Retry-After` header asks for. Pure: the caller sleeps."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

BASE_S = 1.0
CAP_S = 300.0
REFUSED_CAP_S = 120.0  # a refusal is retried at least this often: a fixed central is found soon


class Backoff:
    """Full jitter (a random wait between 0 and base * 2**attempt, at most the cap): a fleet
    coming back after an outage spreads its retries instead of arriving all at once."""

    def __init__(
        self, base_s: float = BASE_S, cap_s: float = CAP_S, rng: random.Random | None = None
    ) -> None:
        self.base_s = base_s
        self.cap_s = cap_s
        self.attempt = 0
        self._rng = rng or random.Random()

    def next_delay(self, retry_after_s: float | None = None) -> float:
        """The wait before the next try, at most the cap. A server's Retry-After is honoured
        (never less) and spread: a random part of up to Retry-After again is added, so a fleet
        told "5 s" all at once does not come back all at once 5 s later."""
        ceiling = min(self.cap_s, self.base_s * 2**self.attempt)
        self.attempt += 1
        if retry_after_s is None:
            return self._rng.uniform(0, ceiling)
        return min(retry_after_s + self._rng.uniform(0, retry_after_s), self.cap_s)

    def reset(self) -> None:
        self.attempt = 0


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds a Retry-After header asks to wait (delta-seconds or an HTTP date); None when it is
    missing or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())

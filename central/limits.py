"""How much one request may ask of the central (pure rules, no I/O): how many failed enrolments
an address or a site may have."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


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

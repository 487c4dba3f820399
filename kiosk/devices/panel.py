"""The button panel's line protocol (docs/devices.md): one line per press, "B1" to "B4"
(1 very unhappy ... 4 very happy), optionally followed by a press counter ("B3 0412"). Pure."""

from __future__ import annotations

import re

LINE = re.compile(r"B([1-4])(?:\s+\d{1,6})?")


def rating_of(line: str) -> int | None:
    """The rating a panel line gives, or None for anything else (ignored, logged)."""
    match = LINE.fullmatch(line.strip().upper())
    return int(match.group(1)) if match else None

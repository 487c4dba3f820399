"""The button panel's line protocol (docs/devices.md), pure.

A panel sends one ASCII line per event: "B1" to "B4" for a press (the first panels, 1 very unhappy
... 4 very happy), or "D1".."D4" when a key goes down and "U1".."U4" when it comes up (panels that
tell a held key from a press). Any line may carry a press counter after a space ("B3 0412").

`PanelKeys` turns the lines into what the visitor meant: a `press` (a "B" line, or a key up again
within `HOLD_S`), or a `hold` (a key down for `HOLD_S`: speech mode on). The app calls `poll`
when a held key's time is up (a panel says nothing while a key stays down).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

LINE = re.compile(r"([BDU])([1-4])(?:\s+\d{1,6})?")
HOLD_S = 2.0  # a key held this long switches speech mode on


@dataclass(frozen=True)
class PanelLine:
    kind: Literal["B", "D", "U"]  # a press, a key down, a key up
    key: int  # 1..4


@dataclass(frozen=True)
class PanelInput:
    """What the visitor did with a key: pressed it, or held it down for `HOLD_S`."""

    kind: Literal["press", "hold"]
    key: int


def parse_line(line: str) -> PanelLine | None:
    """The panel line, or None for anything else (ignored, logged)."""
    match = LINE.fullmatch(line.strip().upper())
    return PanelLine(match.group(1), int(match.group(2))) if match else None  # type: ignore[arg-type]


def rating_of(line: str) -> int | None:
    """The rating a press line ("B1".."B4") gives, or None for any other line."""
    parsed = parse_line(line)
    return parsed.key if parsed and parsed.kind == "B" else None


class PanelKeys:
    """The keys' state between lines: which key is down, since when, and whether its hold was
    already reported (a held key gives one `hold`, never a press when it comes up)."""

    def __init__(self, hold_s: float = HOLD_S) -> None:
        self.hold_s = hold_s
        self._down: tuple[int, float] | None = None  # (key, monotonic time it went down)
        self._held = False

    def feed(self, line: str, now: float) -> PanelInput | None:
        parsed = parse_line(line)
        if parsed is None:
            return None
        if parsed.kind == "B":
            self._down = None
            return PanelInput("press", parsed.key)
        if parsed.kind == "D":
            self._down, self._held = (parsed.key, now), False
            return None
        # "U": a key up. A key up without its key down (a line lost) is a press all the same.
        down, self._down = self._down, None
        if down is None or down[0] != parsed.key:
            return PanelInput("press", parsed.key)
        if self._held:
            return None
        if now - down[1] >= self.hold_s:
            return PanelInput("hold", parsed.key)
        return PanelInput("press", parsed.key)

    def poll(self, now: float) -> PanelInput | None:
        """A `hold` once the key that is down has been down for `hold_s`; else None."""
        if self._down is None or self._held or now - self._down[1] < self.hold_s:
            return None
        self._held = True
        return PanelInput("hold", self._down[0])

"""The misuse rules and the input-bounce filter of the map (pure: the time is passed in)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class MisuseRules:
    max_ratings: int = 5
    window_s: float = 60.0
    quiet_s: float = 30.0


class MisuseDetector:
    """Flags ratings that look like someone hammering the smileys.

    Every rating is still stored; this only says which carry `misuse=true`. A rating is flagged
    when, counting it, more than `max_ratings` ratings fell within the last `window_s` seconds;
    once flagged, every following rating is flagged too until a gap of at least `quiet_s` seconds
    since the previous rating, which ends the run (the window count then starts afresh from that
    rating).
    """

    def __init__(self, rules: MisuseRules) -> None:
        self.rules = rules
        self._times: deque[float] = deque()
        self._flagging = False
        self._last: float | None = None

    def observe(self, now: float) -> bool:
        """Record one rating at `now`; True when this rating is misuse."""
        if self._last is not None and now - self._last >= self.rules.quiet_s:
            self._flagging = False
            self._times.clear()
        self._last = now
        self._times.append(now)
        while self._times and now - self._times[0] >= self.rules.window_s:
            self._times.popleft()
        if len(self._times) > self.rules.max_ratings:
            self._flagging = True
        return self._flagging


class BounceFilter:
    """Rejects a second touch on the same control within `window_s` of the last accepted one."""

    def __init__(self, window_s: float = 0.3) -> None:
        self.window_s = window_s
        self._accepted: dict[str, float] = {}

    def accept(self, control: str, now: float, window_s: float | None = None) -> bool:
        """False for a bounce; `window_s` overrides the window for this control (keyboard keys
        take a shorter one, so a double letter typed briskly is not lost)."""
        window = self.window_s if window_s is None else window_s
        last = self._accepted.get(control)
        if last is not None and now - last < window:
            return False
        self._accepted[control] = now
        return True

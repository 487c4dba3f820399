"""Lockout of the admin PIN after repeated wrong tries (pure: time is passed in)."""

from __future__ import annotations


class PinLockout:
    """After `max_failures` wrong PINs in a row the PIN pad refuses tries for `lock_s` seconds."""

    def __init__(self, max_failures: int = 5, lock_s: float = 60.0) -> None:
        self.max_failures = max_failures
        self.lock_s = lock_s
        self._failures = 0
        self._locked_until = 0.0

    def locked(self, now: float) -> bool:
        return now < self._locked_until

    def seconds_left(self, now: float) -> int:
        return max(0, int(self._locked_until - now + 0.999))

    def failed(self, now: float) -> None:
        self._failures += 1
        if self._failures >= self.max_failures:
            self._failures = 0
            self._locked_until = now + self.lock_s

    def succeeded(self) -> None:
        self._failures = 0
        self._locked_until = 0.0

"""Admission of batches: at most `slots` batches are stored at once in a worker process; more wait
up to `wait_s` for a turn, and a batch that still finds none is told when to come back, later the
longer the queue (a fleet catching up after an outage spreads out instead of returning in one
wave). The sync agent keeps the batch and waits at least that long."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

RETRY_AFTER_MIN_S = 5
RETRY_AFTER_MAX_S = 120


class BusyError(Exception):
    """No turn within the wait; `retry_after_s` says when to come back."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"busy; retry after {retry_after_s} s")
        self.retry_after_s = retry_after_s


def retry_after_s(waiting: int, slots: int) -> int:
    """5 s when few other batches wait, 5 s more for each `slots` of them, at most 120 s."""
    return min(RETRY_AFTER_MAX_S, RETRY_AFTER_MIN_S * (1 + waiting // max(1, slots)))


class IngestGate:
    """One per worker process (asyncio: used from its event loop only)."""

    def __init__(self, slots: int, wait_s: float) -> None:
        self.slots = slots
        self.wait_s = wait_s
        self.waiting = 0
        self._free = asyncio.Semaphore(slots)

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """Hold one of the slots while the body runs.

        Raises BusyError when none was free within `wait_s` (at once when there are no slots).
        """
        self.waiting += 1
        try:
            if self.slots <= 0:
                raise BusyError(retry_after_s(self.waiting - 1, self.slots))
            await asyncio.wait_for(self._free.acquire(), self.wait_s)
        except TimeoutError:
            raise BusyError(retry_after_s(self.waiting - 1, self.slots)) from None
        finally:
            self.waiting -= 1
        try:
            yield
        finally:
            self._free.release()

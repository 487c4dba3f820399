"""The kiosk's notion of time: wall clock plus boot id and monotonic time, so the central can
correct events from a Pi that booted with a wrong clock (it has no real-time clock)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

BOOT_ID_FILE = Path("/proc/sys/kernel/random/boot_id")
_PROCESS_BOOT_ID = str(uuid.uuid4())


@dataclass(frozen=True)
class Stamp:
    occurred_at: datetime  # aware, with its UTC offset
    boot_id: str
    monotonic_ms: int


def current_boot_id() -> str:
    """The kernel's id of this boot; where there is none (not Linux), one random id per process,
    which makes the central treat every restart as a new boot."""
    try:
        return BOOT_ID_FILE.read_text().strip()
    except OSError:
        return _PROCESS_BOOT_ID


def _utc_now() -> datetime:
    return datetime.now(UTC)


class KioskClock:
    """Stamps moments; `monotonic` is time.monotonic (system-wide since boot on Linux), so the
    sync agent's monotonic_ms of a batch is comparable with its events'."""

    def __init__(
        self,
        wall: Callable[[], datetime] = _utc_now,
        monotonic: Callable[[], float] = time.monotonic,
        boot_id: str | None = None,
    ) -> None:
        self._wall = wall
        self._monotonic = monotonic
        self.boot_id = boot_id or current_boot_id()

    def now(self) -> Stamp:
        return self.stamp_at(self._monotonic())

    def stamp_at(self, monotonic_s: float) -> Stamp:
        """A moment in the recent past given as monotonic seconds (a touch recorded a moment
        before it is written): the wall clock now, minus the time since then."""
        elapsed = self._monotonic() - monotonic_s
        return Stamp(
            occurred_at=self._wall() - timedelta(seconds=elapsed),
            boot_id=self.boot_id,
            monotonic_ms=int(monotonic_s * 1000),
        )

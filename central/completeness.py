"""Whether every event of a kiosk reached the central, in words (pure: no database).

Each kiosk's outbox has a random `outbox_id` and numbers its events 1, 2, 3, ... (`seq`, never
reused). The central keeps per device and outbox how many distinct seqs it holds (an event
with a seq held already, from an outbox restored from a backup, is not counted again) and their
lowest and highest (`outbox_progress`). No gap is cheap to see: `received == max_seq -
lo + 1`, where `lo` is the lowest seq the central should hold: the outbox's `first_seq` from the
heartbeat when it has one (an outbox migrated from before seq numbers starts there; a gap at the
start is seen only this way), otherwise the lowest held. Events above `max_seq` are still on
the kiosk (its backlog), not missing. A replaced outbox starts a new outbox_id, counted apart,
so its seq starting at 1 again is never a false alarm.

What the seqs cannot show is events lost after the highest one the central holds, e.g. by a
restore of the central from a backup: the kiosk has marked them sent, so it never offers them
again. The heartbeat tells how many the kiosk counts as sent (`kiosk_sent`: its seqs from
first_seq to last_seq less its backlog and quarantine). The kiosk marks an event sent only after
the central has answered for it, so the central always holds at least that many; fewer is
proof that some were lost here, and they are counted as missing too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

MAX_RANGES = 8  # ranges named in the words; the count of missing events is always exact

Ranges = Sequence[tuple[int, int]]


@dataclass(frozen=True)
class OutboxTally:
    """One row of outbox_progress, with the heartbeat's first_seq when it names this outbox."""

    outbox_id: str
    received: int
    min_seq: int
    max_seq: int
    last_seen_at: datetime
    first_seq: int | None = None
    kiosk_sent: int | None = None  # the heartbeat's count of this outbox's events marked sent

    @property
    def lowest(self) -> int:
        """The lowest seq the central should hold."""
        return self.min_seq if self.first_seq is None else min(self.first_seq, self.min_seq)

    @property
    def gap_missing(self) -> int:
        """Seqs between the lowest and the highest held that the central lacks."""
        return max(0, self.max_seq - self.lowest + 1 - self.received)

    @property
    def lost_here(self) -> int:
        """Events the kiosk counts as sent beyond what the central holds (see the module)."""
        return 0 if self.kiosk_sent is None else max(0, self.kiosk_sent - self.received)

    @property
    def missing(self) -> int:
        return max(self.gap_missing, self.lost_here)


def seq_ranges(numbers: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted numbers as runs of consecutive ones: [1200, 1201, 1202, 1300] -> [(1200, 1202),
    (1300, 1300)]; repeats are ignored."""
    runs: list[tuple[int, int]] = []
    for number in sorted(set(numbers)):
        if runs and number == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], number)
        else:
            runs.append((number, number))
    return runs


def describe_ranges(ranges: Ranges, limit: int = MAX_RANGES, more: bool = False) -> str:
    """'1200-1206, 1300'; past `limit` ranges (or when `more` says the list is cut) it ends in
    ', ...'."""
    shown = [f"{a}-{b}" if a != b else str(a) for a, b in ranges[:limit]]
    if len(ranges) > limit or more:
        shown.append("...")
    return ", ".join(shown)


def _events(n: int) -> str:
    return f"{n} event" if n == 1 else f"{n} events"


@dataclass(frozen=True)
class Completeness:
    """A kiosk's events as the central holds them, over all its outboxes."""

    tallies: tuple[OutboxTally, ...]
    gaps: dict[str, Ranges]  # outbox_id -> missing seq ranges (only outboxes with a gap)
    cut: frozenset[str] = frozenset()  # outboxes whose gap list was cut short

    @property
    def received(self) -> int:
        return sum(t.received for t in self.tallies)

    @property
    def missing(self) -> int:
        return sum(t.missing for t in self.tallies)

    @property
    def last_seen(self) -> datetime | None:
        return max((t.last_seen_at for t in self.tallies), default=None)

    def words(self) -> str:
        """'all 1210 events received', or '7 events missing (seq 1200-1206), last seen
        2026-11-23 07:41 UTC'."""
        if not self.tallies:
            return "no numbered events received yet"
        if not self.missing:
            if self.received == 1:
                return "1 event received, none missing"
            return f"all {self.received} events received"
        seen = self.last_seen.strftime("%Y-%m-%d %H:%M UTC") if self.last_seen else "never"
        return f"{_events(self.missing)} missing ({self.where_missing()}), last seen {seen}"

    def where_missing(self) -> str:
        """Where events are missing: 'seq 1200-1206', or per outbox when several have gaps
        (technical, the same in every language)."""
        with_gaps = [t for t in self.tallies if t.missing]
        if len(with_gaps) == 1:
            return "seq " + self._ranges(with_gaps[0].outbox_id)
        return "; ".join(
            f"outbox {t.outbox_id[:8]}: seq {self._ranges(t.outbox_id)}" for t in with_gaps
        )

    def as_json(self) -> dict[str, Any]:
        """The figures behind the words, for programs."""
        return {
            "received": self.received,
            "missing": self.missing,
            "outboxes": [
                {
                    "outbox_id": t.outbox_id,
                    "received": t.received,
                    "first_seq": t.lowest,
                    "max_seq": t.max_seq,
                    "missing": t.missing,
                    "missing_seq": [list(r) for r in self.gaps.get(t.outbox_id, ())],
                    "last_seen": t.last_seen_at.isoformat(),
                }
                for t in self.tallies
            ],
        }

    def _ranges(self, outbox_id: str) -> str:
        tally = next(t for t in self.tallies if t.outbox_id == outbox_id)
        listed = describe_ranges(self.gaps.get(outbox_id, ()), more=outbox_id in self.cut)
        if tally.lost_here > tally.gap_missing:  # sent by the kiosk, not here: a restore?
            after = f"after {tally.max_seq}, sent by the kiosk but not held here"
            return f"{listed}; {after}" if listed else after
        return listed or "?"


def missing_words(missing: int) -> str:
    """The status word for missing events: '7 events missing'."""
    return f"{_events(missing)} missing"

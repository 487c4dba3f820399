"""Reading a kiosk's outbox as the tests check it."""

from __future__ import annotations

from pathlib import Path

from kiosk.outbox import Outbox


def read_events(data_dir: Path) -> list[dict]:
    """Every event in the kiosk's outbox, oldest first."""
    with Outbox.open(data_dir / "outbox.sqlite") as outbox:
        return [event.payload for event in outbox.pending(limit=100_000)]

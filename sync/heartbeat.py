"""The kiosk's health as the central's fleet view wants it every minute."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kiosk.outbox import OutboxStats
from sync.status import SyncState

PRINTER_STATES = ("none", "ok", "paper_near_end", "paper_out", "offline")


def build_heartbeat(
    *,
    version: str,
    stats: OutboxStats,
    state: SyncState,
    free_disk_bytes: int,
    printer: str | None,
    now: datetime,
) -> dict[str, Any]:
    """The body of POST /api/v1/heartbeat (central.fleet.Heartbeat)."""
    return {
        "version": version[:40],
        "backlog": stats.pending + stats.held,
        "oldest_pending": stats.oldest_pending.isoformat() if stats.oldest_pending else None,
        "last_upload": state.last_upload.isoformat() if state.last_upload else None,
        "quarantined": stats.quarantined,
        "free_disk_bytes": free_disk_bytes,
        "printer": printer if printer in PRINTER_STATES else "none",
        "device_clock": now.isoformat(),
    }

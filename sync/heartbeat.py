"""The kiosk's health as the central's fleet view wants it every minute (contract 3)."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk.outbox import OutboxStats
from sync.status import OutboxRange, Refusal, SyncState

PRINTER_STATES = ("none", "ok", "paper_near_end", "paper_out", "offline")
MIN_FREE_BYTES = 20 * 1024 * 1024  # below this the data dir counts as full
MAX_REFUSAL_CHARS = 500
# What a central of before contract 3 takes; sent alone when it refuses the newer fields.
BASE_FIELDS = (
    "version",
    "backlog",
    "oldest_pending",
    "last_upload",
    "quarantined",
    "free_disk_bytes",
    "printer",
    "device_clock",
)


def storage_word(*, read_only: bool, free_bytes: int, write_failed: bool) -> str:
    """'ok', 'read_only', 'full' or 'error' (an outbox write failed for another reason)."""
    if read_only:
        return "read_only"
    if free_bytes < MIN_FREE_BYTES:
        return "full"
    return "error" if write_failed else "ok"


def read_storage(data_dir: Path, *, write_failed: bool) -> tuple[str, int]:
    """The data dir as the agent finds it: its storage word and free bytes."""
    try:
        fs = os.statvfs(data_dir)
    except OSError:
        return "error", 0
    free = fs.f_bavail * fs.f_frsize
    word = storage_word(
        read_only=bool(fs.f_flag & os.ST_RDONLY), free_bytes=free, write_failed=write_failed
    )
    return word, free


def build_heartbeat(
    *,
    version: str,
    stats: OutboxStats,
    state: SyncState,
    free_disk_bytes: int,
    printer: str | None,
    now: datetime,
    outbox: OutboxRange | None = None,
    storage: str = "ok",
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
        "outbox": (
            {"id": outbox.id, "first_seq": outbox.first_seq, "last_seq": outbox.last_seq}
            if outbox
            else None
        ),
        "refused": _refused(state.refused, stats.pending) if state.refused else None,
        "storage": storage,
    }


def _refused(refusal: Refusal, waiting: int) -> dict[str, Any]:
    return {
        "status": refusal.status,
        "error": refusal.error[:MAX_REFUSAL_CHARS],
        "at": refusal.since.isoformat(),
        "events": waiting,
    }


def base_heartbeat(beat: dict[str, Any]) -> dict[str, Any]:
    """The heartbeat without the fields a central of before contract 3 refuses."""
    return {key: beat[key] for key in BASE_FIELDS if key in beat}

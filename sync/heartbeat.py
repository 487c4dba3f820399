"""The kiosk's health as the central's fleet view wants it every minute (contract 3): the body
of sync.protocol.Heartbeat, from the outbox's stats and the agent's state."""

from __future__ import annotations

import logging
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from hymy_domain.facts import PrinterState, StorageState
from kiosk.outbox import OutboxStats
from sync.protocol import HEARTBEAT_BASE_FIELDS, MAX_REFUSAL_CHARS, MAX_VERSION_CHARS, Heartbeat
from sync.status import OutboxRange, Refusal, SyncState

log = logging.getLogger(__name__)
MIN_FREE_BYTES = 20 * 1024 * 1024  # below this the data dir counts as full
_PRINTER_STATES = frozenset(PrinterState)


def storage_word(*, read_only: bool, free_bytes: int, write_failed: bool) -> StorageState:
    """'ok', 'read_only', 'full' or 'error' (an outbox write failed for another reason)."""
    if read_only:
        return StorageState.READ_ONLY
    if free_bytes < MIN_FREE_BYTES:
        return StorageState.FULL
    return StorageState.ERROR if write_failed else StorageState.OK


def read_storage(data_dir: Path, *, write_failed: bool) -> tuple[StorageState, int]:
    """The data dir as the agent finds it: its storage word and free bytes."""
    try:
        fs = os.statvfs(data_dir)
    except OSError:
        return StorageState.ERROR, 0
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
    storage: str = StorageState.OK,
) -> dict[str, Any]:
    """The body of POST /api/v1/heartbeat, checked against sync.protocol.Heartbeat (the model
    the central validates it with). Times are sent as Python writes them (isoformat). A body
    that does not fit (a clock past 2200, say) is logged and still sent: the central's refusal
    then shows in `hymy-sync status`, as any refused heartbeat's does."""
    body = {
        "version": version[:MAX_VERSION_CHARS],
        "backlog": stats.backlog,
        "oldest_pending": stats.oldest_pending.isoformat() if stats.oldest_pending else None,
        "last_upload": state.last_upload.isoformat() if state.last_upload else None,
        "quarantined": stats.quarantined,
        "free_disk_bytes": free_disk_bytes,
        "printer": str(printer) if printer in _PRINTER_STATES else str(PrinterState.NONE),
        "device_clock": now.isoformat(),
        "outbox": (
            {"id": outbox.id, "first_seq": outbox.first_seq, "last_seq": outbox.last_seq}
            if outbox
            else None
        ),
        # the events kept meanwhile: pending ones (held check-ins are not refused, only waiting)
        "refused": _refused(state.refused, stats.pending) if state.refused else None,
        "storage": str(storage),
    }
    try:
        Heartbeat.model_validate(body)
    except ValidationError as err:
        log.warning("the heartbeat does not fit the wire format; sent all the same: %s", err)
    return body


def _refused(refusal: Refusal, waiting: int) -> dict[str, Any]:
    return {
        "status": refusal.status,
        "error": refusal.error[:MAX_REFUSAL_CHARS],
        "at": refusal.since.isoformat(),
        "events": waiting,
    }


def base_heartbeat(beat: dict[str, Any]) -> dict[str, Any]:
    """The heartbeat without the fields a central of before contract 3 refuses."""
    return {key: beat[key] for key in HEARTBEAT_BASE_FIELDS if key in beat}

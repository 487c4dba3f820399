"""The sync agent's state, kept in the outbox's meta table (so the kiosk's admin screen and
`hymy-sync status` read the same), and its description in plain words."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from kiosk.outbox import LAST_UPLOAD_META, Outbox, OutboxStats

LAST_ERROR_META = "sync_last_error"
LAST_ERROR_AT_META = "sync_last_error_at"
REVOKED_META = "sync_revoked"  # the refusal's message while the central refuses the token
CONFIG_ETAG_META = "config_etag"


@dataclass(frozen=True)
class SyncState:
    last_upload: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    revoked: str | None


def _moment(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def read_state(outbox: Outbox) -> SyncState:
    return SyncState(
        last_upload=_moment(outbox.get_meta(LAST_UPLOAD_META)),
        last_error=outbox.get_meta(LAST_ERROR_META) or None,
        last_error_at=_moment(outbox.get_meta(LAST_ERROR_AT_META)),
        revoked=outbox.get_meta(REVOKED_META) or None,
    )


def _ago(moment: datetime, now: datetime) -> str:
    seconds = max(0, int((now - moment).total_seconds()))
    if seconds < 90:
        return f"{seconds} s ago"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min ago"
    if seconds < 36 * 3600:
        return f"{seconds / 3600:.1f} h ago"
    return f"{seconds / 86400:.1f} days ago"


def _when(moment: datetime, now: datetime) -> str:
    return f"{moment.astimezone().strftime('%Y-%m-%d %H:%M:%S')} ({_ago(moment, now)})"


def _events(n: int) -> str:
    return f"{n} event{'' if n == 1 else 's'}"


def describe(
    stats: OutboxStats,
    state: SyncState,
    now: datetime,
    quarantined: Sequence[tuple[str, str]] = (),
) -> list[str]:
    """Lines for a person: backlog, oldest pending, last success, last error, quarantine."""
    if state.revoked:
        lines = [f"Uploads STOPPED: {state.revoked}"]
    elif stats.pending == 0:
        lines = ["All events are uploaded."]
    else:
        lines = [f"Uploading: {_events(stats.pending)} waiting."]
    lines.append(
        f"Backlog: {_events(stats.pending)} waiting to upload"
        + ("" if stats.held == 0 else f", {stats.held} check-ins waiting for their ticket to print")
        + "."
    )
    if stats.oldest_pending:
        lines.append(f"Oldest pending: {_when(stats.oldest_pending, now)}")
    lines.append(
        "Last upload: " + (_when(state.last_upload, now) if state.last_upload else "never")
    )
    if state.last_error and state.last_error_at:
        recovered = state.last_upload is not None and state.last_upload > state.last_error_at
        lines.append(
            f"Last error: {_when(state.last_error_at, now)}: {state.last_error}"
            + (" (uploads have worked since)" if recovered else "")
        )
    else:
        lines.append("Last error: none")
    lines.append(
        f"Quarantined: {_events(stats.quarantined)}"
        + (
            " the central refused; kept in the outbox, never sent again."
            if stats.quarantined
            else "."
        )
    )
    lines.extend(f"  {event_id}: {error}" for event_id, error in quarantined)
    return lines

"""The sync agent's state, kept in the outbox's meta table under kiosk.outbox.OutboxMeta's keys
(so the kiosk's admin screen and `hymy-sync status` read the same), and its description in
plain words."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from kiosk.outbox import Outbox, OutboxError, OutboxMeta, OutboxStats, QuarantineGroup
from sync.backoff import REFUSED_CAP_S

REQUEUE_COMMAND = "hymy-sync requeue --all"
# What a person can do about a refusal, by status; the central's own words come first.
REFUSAL_HINTS = {
    400: "the central finds the uploads malformed: are the kiosk's and the central's Hymy "
    "versions compatible? Upgrade the older one.",
    403: "the central forbids this device to upload: check its site and enrolment with "
    "`hymy-central devices`, or enrol it again with `hymy-sync enroll --force`.",
    404: "the central's URL has no upload endpoint: check `central` in device.json (a proxy "
    "in between, or a central of another version?).",
    405: "the central's URL answers, but not as Hymy's API does: check `central` in device.json "
    "(a web server or proxy in between?).",
    410: "the central says this device or endpoint is gone: check the device with "
    "`hymy-central devices` and enrol it again with `hymy-sync enroll --force` if it was removed.",
}
REFUSAL_HINT = (
    "ask the central's IT staff to look at its log for this device (`hymy-central devices`)."
)


@dataclass(frozen=True)
class Refusal:
    """The central refuses the uploads (a 4xx other than 401, 413 and 422 on a whole batch):
    its status and words, and since when. Every event stays pending and is offered again."""

    status: int
    error: str
    since: datetime

    def to_json(self) -> str:
        return json.dumps(
            {"status": self.status, "error": self.error, "since": self.since.isoformat()}
        )

    @classmethod
    def from_json(cls, text: str | None) -> Refusal | None:
        """The stored refusal; None when there is none or it cannot be read."""
        try:
            data = json.loads(text) if text else None
            since = datetime.fromisoformat(data["since"])
            return cls(int(data["status"]), str(data["error"]), since)
        except (ValueError, TypeError, KeyError):
            return None


@dataclass(frozen=True)
class OutboxRange:
    """The outbox's id and the seqs from first_seq to last_seq that should reach the central."""

    id: str
    first_seq: int
    last_seq: int


def outbox_range(outbox: Outbox) -> OutboxRange | None:
    """The outbox's range; None when it cannot be read (the rest of the status still can)."""
    try:
        return OutboxRange(outbox.outbox_id, outbox.first_seq, outbox.last_seq())
    except OutboxError:
        return None


@dataclass(frozen=True)
class SyncState:
    last_upload: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    revoked: str | None
    refused: Refusal | None = None
    beat_refused: Refusal | None = None  # the heartbeat or the config request


def _moment(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def read_state(outbox: Outbox) -> SyncState:
    return SyncState(
        last_upload=_moment(outbox.get_meta(OutboxMeta.LAST_UPLOAD)),
        last_error=outbox.get_meta(OutboxMeta.LAST_ERROR) or None,
        last_error_at=_moment(outbox.get_meta(OutboxMeta.LAST_ERROR_AT)),
        revoked=outbox.get_meta(OutboxMeta.REVOKED) or None,
        refused=Refusal.from_json(outbox.get_meta(OutboxMeta.REFUSED)),
        beat_refused=Refusal.from_json(outbox.get_meta(OutboxMeta.BEAT_REFUSED)),
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


def describe_refusal(refusal: Refusal, waiting: int, now: datetime) -> str:
    """The status line of refused uploads: since when, the central's words, what to do."""
    return (
        f"Uploads REFUSED since {_when(refusal.since, now)}: {refusal.error}. "
        f"{_events(waiting).capitalize()} kept and offered again at least every "
        f"{REFUSED_CAP_S / 60:g} min, so a fix at the central is picked up by itself; to fix "
        "it, " + REFUSAL_HINTS.get(refusal.status, REFUSAL_HINT)
    )


def describe_beat_refusal(refusal: Refusal, now: datetime) -> str:
    """The status line of a refused heartbeat or config request."""
    return (
        f"Heartbeat or config REFUSED since {_when(refusal.since, now)}: {refusal.error}. The "
        "fleet view does not see this kiosk's health (or the kiosk keeps the config it has); "
        "asked again every minute. To fix it, " + REFUSAL_HINTS.get(refusal.status, REFUSAL_HINT)
    )


def describe_quarantine(count: int, groups: Sequence[QuarantineGroup]) -> list[str]:
    """How many events are quarantined, why, and the command that sends them again."""
    if not count:
        return ["Quarantined: 0 events."]
    lines = [
        f"Quarantined: {_events(count)} the central refused; kept in the outbox and not sent "
        "until requeued."
    ]
    for group in groups:
        more = group.count - len(group.ids)
        lines.append(f"  {_events(group.count)}: {group.error or 'no reason given'}")
        lines.append("    " + ", ".join(group.ids) + (f" and {more} more" if more > 0 else ""))
    lines.append(
        f"Once the cause is fixed, send them again: `{REQUEUE_COMMAND}` "
        "(or `hymy-sync requeue EVENT_ID ...`)."
    )
    return lines


def describe_outbox(outbox: OutboxRange) -> str:
    """The outbox's name and range, as the central's fleet view counts them."""
    if outbox.last_seq < outbox.first_seq:
        return f"Outbox {outbox.id}: no events yet from seq {outbox.first_seq} on."
    return (
        f"Outbox {outbox.id}: seq {outbox.first_seq} to {outbox.last_seq}, each to reach the "
        "central."
    )


def describe(
    stats: OutboxStats,
    state: SyncState,
    now: datetime,
    quarantined: Sequence[QuarantineGroup] = (),
    outbox: OutboxRange | None = None,
) -> list[str]:
    """Lines for a person: refusal or progress, backlog, outbox, oldest pending, last success,
    last error, quarantine."""
    if state.revoked:
        lines = [f"Uploads STOPPED: {state.revoked}"]
    elif state.refused:
        lines = [describe_refusal(state.refused, stats.pending, now)]
    elif stats.pending == 0:
        lines = ["All events are uploaded."]
    else:
        lines = [f"Uploading: {_events(stats.pending)} waiting."]
    if state.beat_refused:
        lines.append(describe_beat_refusal(state.beat_refused, now))
    lines.append(  # the backlog (OutboxStats.backlog) itemised: pending, then held
        f"Backlog: {_events(stats.pending)} waiting to upload"
        + ("" if stats.held == 0 else f", {stats.held} check-ins waiting for their ticket to print")
        + "."
    )
    if outbox:
        lines.append(describe_outbox(outbox))
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
    lines.extend(describe_quarantine(stats.quarantined, quarantined))
    return lines

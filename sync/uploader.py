"""One batch from the outbox to the central: read pending events, send them, and settle the
central's answer in the outbox (stored or duplicate: sent; conflict or rejected: quarantined).

An event is marked sent only after a valid answer (`sync.protocol.IngestAnswer`, accounting for
every event of the batch) says it is stored, so a lost, cut-off or garbled answer means a
resend, which the central counts as a duplicate: nothing is lost, nothing doubled. Each event
goes out with its outbox's id and its seq (contract 1), which the outbox does not store.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from kiosk.clock import KioskClock
from kiosk.outbox import Outbox, OutboxMeta, StoredEvent
from sync.client import AnswerError, CentralClient, RefusedError, printable
from sync.protocol import MAX_BODY_BYTES, ProtocolError, encode_batch, parse_ingest_answer

log = logging.getLogger(__name__)
DEFAULT_BATCH = 500
DEPTH = 2  # batches on their way at once
CONFLICT = "conflict: the central holds other content under this event id"
__all__ = ["AnswerError", "BatchReport", "Settlement", "Uploader", "settle"]


@dataclass
class Settlement:
    """What becomes of each event of a batch."""

    sent: list[str] = field(default_factory=list)
    quarantine: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class BatchReport:
    events: int
    sent: int
    quarantined: int
    body_bytes: int
    split: bool = False  # the central found the body too large: sent again in halves
    answered: bool = False  # a valid answer of the central settled it: it takes uploads


def settle(ids: Sequence[str], raw: Any) -> Settlement:
    """Sort the batch's event ids by the central's answer (decoded JSON): everything not
    listed as a conflict or rejected is stored.

    Raises AnswerError when the answer is not an IngestAnswer, names events not in the batch
    or one event twice (as a conflict and rejected, or twice as either), or does not account
    for every event of it exactly once.
    """
    try:
        answer = parse_ingest_answer(raw)
    except ProtocolError as err:
        raise AnswerError(
            f"The central's answer to a batch is not an ingest answer ({err}); nothing was "
            "marked sent and the batch is sent again."
        ) from None
    conflicts = set(answer.conflicts)
    rejected = {r.id: r.error for r in answer.rejected}
    unknown = (conflicts | set(rejected)) - set(ids)
    if unknown:
        raise AnswerError(
            f"The central's answer names {len(unknown)} events not in the batch (e.g. "
            f"{sorted(unknown)[0][:40]!r}); nothing was marked sent and the batch is sent again."
        )
    listed = [*answer.conflicts, *(r.id for r in answer.rejected)]
    if len(listed) != len(set(listed)):
        twice = next(i for i in listed if listed.count(i) > 1)
        raise AnswerError(
            f"The central's answer names the event {twice[:40]!r} more than once; nothing was "
            "marked sent and the batch is sent again."
        )
    counted = answer.accepted + answer.duplicates + len(listed)
    if counted != len(ids):
        raise AnswerError(
            f"The central's answer accounts for {counted} events, not the batch's {len(ids)}; "
            "nothing was marked sent and the batch is sent again."
        )
    result = Settlement()
    for event_id in ids:
        if event_id in conflicts:
            result.quarantine[event_id] = CONFLICT
        elif event_id in rejected:
            result.quarantine[event_id] = (
                f"rejected by the central: {printable(rejected[event_id])}"
            )
        else:
            result.sent.append(event_id)
    return result


def local_problems(events: Sequence[StoredEvent]) -> dict[str, str]:
    """Events that must not be sent as they are (id -> why): a payload that is not a JSON
    object, or whose id is not its outbox id (it could not be told apart in the central's
    answer)."""
    problems = {}
    for e in events:
        if not isinstance(e.payload, Mapping) or not e.payload:
            problems[e.id] = "the stored event's payload is not a JSON object"
        elif e.payload.get("id") != e.id:
            problems[e.id] = "the stored event's payload has another id than its outbox row"
    return problems


def unencodable(events: Sequence[StoredEvent]) -> dict[str, str]:
    """Events whose payload holds text that is not Unicode (a lone surrogate): no UTF-8 body
    can carry them."""
    problems = {}
    for e in events:
        try:
            json.dumps(e.payload, ensure_ascii=False).encode()
        except UnicodeEncodeError:
            problems[e.id] = "the stored event's payload holds text that is not valid Unicode"
    return problems


@dataclass
class _InFlight:
    events: list[StoredEvent]
    broken: int
    body_bytes: int
    answer: Future[Any]


class Uploader:
    """Sends the outbox's pending events in batches of `batch_size`, `depth` batches on the way
    at once: the next batch is read and compressed while the central stores the one before.
    A body the central finds too large (413) or malformed (422) is split in halves, down to one
    event: quarantined when it alone is too large, a refusal otherwise."""

    def __init__(
        self,
        outbox: Outbox,
        client: CentralClient,
        *,
        batch_size: int = DEFAULT_BATCH,
        depth: int = DEPTH,
        clock: KioskClock | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.outbox = outbox
        self.client = client
        self.batch_size = batch_size
        self.depth = depth
        self._limit = batch_size
        self.clock = clock or KioskClock()
        self._now = now
        self._pool = ThreadPoolExecutor(max_workers=depth, thread_name_prefix="upload")
        self._in_flight: deque[_InFlight] = deque()
        self._cursor = 0  # the last seq read into a batch on its way

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def _launch(self) -> bool:
        """Read and send the next batch; False when nothing more is pending."""
        events = self.outbox.pending(self._limit, after_seq=self._cursor)
        if not events:
            return False
        self._cursor = events[-1].seq
        broken = self._set_aside(events, local_problems(events))
        events = [e for e in events if e.id not in broken]
        try:
            body = self._encode(events)
        except UnicodeEncodeError:
            more = self._set_aside(events, unencodable(events))
            broken.update(more)
            events = [e for e in events if e.id not in more]
            body = self._encode(events)
        answer: Future[Any] = Future()
        if not events:
            answer.set_result({"accepted": 0, "duplicates": 0, "conflicts": [], "rejected": []})
        elif len(body) > MAX_BODY_BYTES:
            answer.set_exception(RefusedError("batch body over the size limit", 413))
        else:
            answer = self._pool.submit(self.client.post_events, body)
        self._in_flight.append(_InFlight(events, len(broken), len(body), answer))
        return True

    def _set_aside(self, events: Sequence[StoredEvent], problems: dict[str, str]) -> dict[str, str]:
        """Quarantine stored events that cannot be sent as they are; returns them."""
        if problems:
            self.outbox.quarantine(problems)
            log.warning("quarantined %d malformed stored events", len(problems))
        return problems

    def _encode(self, events: Sequence[StoredEvent]) -> bytes:
        """The batch body: each stored payload with its outbox's id and its seq (contract 1)."""
        stamp = self.clock.now()
        outbox_id = self.outbox.outbox_id
        return encode_batch(
            [{**e.payload, "outbox_id": outbox_id, "seq": e.seq} for e in events],
            batch_id=str(uuid.uuid4()),
            sent_at=self._now(),
            boot_id=stamp.boot_id,
            monotonic_ms=stamp.monotonic_ms,
        )

    def _settle(self, batch: _InFlight) -> BatchReport:
        """Raises what sending the batch raised (nothing is marked sent then)."""
        try:
            settled = settle([e.id for e in batch.events], batch.answer.result())
        except RefusedError as err:
            if err.status not in (413, 422):
                raise
            return self._split(batch.events, err, batch.broken)
        self.outbox.mark_sent(settled.sent, meta={OutboxMeta.LAST_UPLOAD: self._now().isoformat()})
        if settled.quarantine:
            self.outbox.quarantine(settled.quarantine)
            log.warning(
                "the central refused %d events; kept in quarantine", len(settled.quarantine)
            )
        return BatchReport(
            len(batch.events) + batch.broken,
            len(settled.sent),
            len(settled.quarantine) + batch.broken,
            batch.body_bytes,
            answered=bool(batch.events),
        )

    def send_batch(self) -> BatchReport | None:
        """Settle the oldest batch on its way (sending more first); None when nothing is
        pending.

        Raises RetryLaterError, RevokedError, RefusedError or AnswerError; then every other
        batch on its way is settled or left pending, and reading starts again from the oldest.
        """
        while len(self._in_flight) < self.depth and self._launch():
            pass
        if not self._in_flight:
            self._cursor = 0  # events appended meanwhile with a lower seq cannot exist; resync
            return None
        batch = self._in_flight.popleft()
        try:
            report = self._settle(batch)
        except BaseException:
            self._abandon()
            raise
        if report.split:
            self._abandon()  # read again from the oldest pending event, in smaller batches
        else:
            self._limit = self.batch_size
        return report

    def _abandon(self) -> None:
        """Settle what already arrived of the other batches; the rest stays pending."""
        while self._in_flight:
            batch = self._in_flight.popleft()
            try:
                self._settle(batch)
            except Exception:  # its events stay pending and are sent again
                log.debug("a batch on its way failed as well", exc_info=True)
        self._cursor = 0

    def _split(self, events: list[StoredEvent], error: RefusedError, broken: int) -> BatchReport:
        """A body the central would not take: halve the batch. A lone event too large (413) is
        quarantined; a lone event whose batch is still malformed (422) says the envelope, not
        the event, is what the central refuses: a refusal, and the event stays pending.

        Raises RefusedError for that.
        """
        if len(events) == 1:
            if error.status != 413:
                raise error
            self.outbox.quarantine({events[0].id: f"refused by the central: {error}"})
            return BatchReport(1 + broken, 0, 1 + broken, 0)
        self._limit = max(1, len(events) // 2)
        log.info(
            "the central refused a batch of %d (%s); trying %d", len(events), error, self._limit
        )
        return BatchReport(broken, 0, broken, 0, split=True)

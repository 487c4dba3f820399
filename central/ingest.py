"""Ingest of a kiosk's batch: every event validated on its own, its comment redacted again,
deduplicated by its id (the same content again is a duplicate, other content a conflict that
never overwrites), clock-corrected, flagged when kept apart (central.flags), and stored with its
rollups and its outbox's progress in the caller's one transaction.

An event is rejected only for what it is: it breaks the wire format's rules (sync.protocol), it
is a response the site's question set cannot have (`response_problem`), or the database
refuses one of its values (central.event_store's safety net). It is never rejected for drift
between the kiosk's config and the central's: a service point or reason the site has retired is
an ordinary event, one the site never had is stored and flagged. A response is checked against
the site's set because a report could not place it otherwise: its set and version name the
questions it answered. An older version of the site's set stays accepted (a kiosk may send
answers it collected before the set changed; reports keep versions apart), and an event the
central already holds is answered as ever (a duplicate or a conflict), whatever the set is now.

`check_events` is the part without a database (run before the write transaction); `ingest`
the rest.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from central import event_store, retention
from central.enrollment import Device
from central.flags import (
    REASON_NOT_FOR_RATING,
    REASON_UNKNOWN,
    SERVICE_POINT_UNKNOWN,
    TIME_IMPLAUSIBLE,
)
from central.site_questions import Questions
from central.sites import SiteDefinition
from hymy_domain.national import (
    COMMENT_QUESTION,
    COMMENT_SCALE,
    RECOMMEND_SCALE,
    value_problem,
)
from hymy_domain.redaction import redact
from sync.protocol import (
    BatchEnvelope,
    FeedbackEvent,
    ProtocolError,
    ResponseEvent,
    WireEvent,
    canonical,
    event_id,
    parse_event,
)

EARLIEST_PLAUSIBLE = datetime(2024, 1, 1, tzinfo=UTC)  # a Pi without RTC boots into the past
# The longest a batch may plausibly be on its way (a proxy holding it, a slow line): a kiosk
# clock behind arrival by more than this is a wrong clock, not a batch in transit.
MAX_TRANSIT = timedelta(minutes=15)


@dataclass
class IngestResult:
    accepted: int = 0
    duplicates: int = 0
    conflicts: list[str] = field(default_factory=list)
    rejected: list[dict[str, str]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "conflicts": self.conflicts,
            "rejected": self.rejected,
        }


class CheckedEvent(NamedTuple):  # a tuple: a thousand are made per batch
    """An event that keeps the wire format's rules, its comment redacted again."""

    event: WireEvent
    id: str
    content: str  # canonical JSON (sync.protocol.canonical) of the redacted event


@dataclass(frozen=True)
class CheckedBatch:
    events: list[CheckedEvent]
    rejected: list[dict[str, str]]


def redact_comment(text: str) -> str:
    """A comment with personal data replaced by tokens, as the central stores it (an older
    kiosk may have sent it with an older rule)."""
    return redact(text).text


def _redacted(event: WireEvent) -> WireEvent:
    if isinstance(event, FeedbackEvent | ResponseEvent) and event.comment:
        comment = redact_comment(event.comment)
        if comment != event.comment:
            return event.model_copy(update={"comment": comment})
    return event


def check_events(raw_events: Iterable[Any]) -> CheckedBatch:
    """Each raw event validated, redacted and in canonical form, or rejected with its reason;
    no database needed."""
    checked, rejected = [], []
    for raw in raw_events:
        try:
            event = _redacted(parse_event(raw))
        except ProtocolError as err:
            rejected.append({"id": event_id(raw), "error": str(err)})
            continue
        checked.append(CheckedEvent(event, str(event.id), canonical(event)))
    return CheckedBatch(checked, rejected)


def same_event(stored: str, received: str, comment_deleted: bool = False) -> bool:
    """Whether a held event's content and a received one's are the same event: equal text, or
    equal once the held comment is redacted by today's rule (it may have been stored under an
    older one, and a resend is still a duplicate, not a conflict). When the held event's comment
    was deleted (`comment_deleted`: retention or a data-subject request), the comments are not
    compared: a resend with the text is the same event, and its text is not stored again."""
    if stored == received:
        return True
    held, new = json.loads(stored), json.loads(received)
    if comment_deleted and "comment" in new:
        new["comment"] = None
    if isinstance(held.get("comment"), str):
        held["comment"] = redact_comment(held["comment"])
    return held == new


def too_old(kept_from: datetime) -> str:
    """The rejection of an event from before the retention horizon (central.retention)."""
    return (
        f"older than the central keeps events (from {kept_from:%Y-%m-%d %H:%M} UTC on, "
        "HYMY_CENTRAL_EVENT_RETENTION_MONTHS): not stored; it need not be sent again"
    )


def _refused(what: str, fix: str) -> str:
    """A response's rejection: what is wrong, and how to get it stored (the kiosk's agent keeps
    a rejected event in quarantine, docs/sync.md)."""
    return (
        f"{what}: not stored. {fix} (hymy-central site update), then `hymy-sync requeue --all` "
        "on the kiosk sends it again"
    )


_NEW_VERSION = "A set whose questions or scales change gets a new version: raise `version`"


def response_problem(event: ResponseEvent, site_id: str, questions: Questions) -> str | None:
    """Why a response cannot be an answer to the site's question set, in words that say what
    to do; None when it can be.

    A response is for the site's national set (`questions`; none for a site on the smileys),
    by its id, and of its version or an older one: a kiosk may still send answers to the
    version it showed before the set changed, and reports keep those apart. The central knows
    the questions of the set's current version only, so a response to that version names one
    of its questions on that question's scale (the recommendation on "0-10", a statement or
    the region's own on the set's agreement scale, "I cannot say" only when the set offers
    it), or is the set's free comment, when the set asks one: the question COMMENT_QUESTION
    on "comment". A version newer than the site's is a set the site never had.
    """
    asked = questions.for_kiosk(site_id)
    if asked is None:
        return _refused(
            f"site {site_id} asks the four smileys, not a national question set",
            'If it should ask one, give it in the site file\'s [questions] (set = "national")',
        )
    where = f"site {site_id}'s question set {asked.id!r}"
    if event.question_set != asked.id:
        return _refused(
            f"question_set {event.question_set!r} is not {where}",
            "A set keeps its id (a new wording raises its version): if the site's set was "
            f"renamed, give it back the id {event.question_set!r}",
        )
    if event.set_version > asked.version:
        return _refused(
            f"set_version {event.set_version} is newer than {where} (version {asked.version})",
            f"A set's version only goes up: give the set the version {event.set_version} or "
            "above, with the wording the kiosk asked",
        )
    if event.set_version < asked.version:
        return None  # an older version's answer: kept apart in reports
    version = f"version {asked.version} of {where}"
    scales = {q.id: asked.agreement_scale for q in [*asked.statements, *asked.own]}
    if asked.recommendation is not None:  # ConfigQuestions requires it
        scales[asked.recommendation.id] = RECOMMEND_SCALE
    if asked.comment:
        scales.setdefault(COMMENT_QUESTION, COMMENT_SCALE)
    scale = scales.get(event.question)
    if scale is None and event.scale == COMMENT_SCALE and not asked.comment:
        return _refused(f"{version} asks no comment (comment = false)", _NEW_VERSION)
    if scale is None:
        return _refused(f"question {event.question!r} is not in {version}", _NEW_VERSION)
    if event.scale != scale:
        return _refused(
            f"question {event.question!r} is answered on {scale} in {version}, not on "
            f"{event.scale}",
            _NEW_VERSION,
        )
    if value_problem(event.scale, event.value, cannot_say=asked.cannot_say):
        return _refused(
            f"{version} offers no 'I cannot say' (cannot_say = false) for {event.question!r}",
            _NEW_VERSION,
        )
    return None


class _SiteTerms:
    """The site's service points, reasons and question set, looked up once per batch."""

    def __init__(self, site: SiteDefinition) -> None:
        self.site = site
        self._points: dict[str, str | None] = {}
        self._reasons: dict[str, frozenset[int] | None] = {}
        self._responses: dict[tuple[str, int, str, str, bool], str | None] = {}

    def response_problem(self, event: WireEvent) -> str | None:
        """response_problem for a response (remembered per set, version, question, scale and
        whether it has a value); None for any other event."""
        if not isinstance(event, ResponseEvent):
            return None
        found = (event.question_set, event.set_version, event.question, event.scale,
                 event.value is None)  # fmt: skip
        if found not in self._responses:
            site_id = self.site.site.id
            self._responses[found] = response_problem(event, site_id, self.site.questions)
        return self._responses[found]

    def point_known(self, point_id: str) -> bool:
        if point_id not in self._points:
            self._points[point_id] = self.site.service_point_state(point_id)
        return self._points[point_id] is not None

    def ratings_of(self, reason_id: str) -> frozenset[int] | None:
        """The ratings the reason is offered for; None for a reason the site never had."""
        if reason_id not in self._reasons:
            found = self.site.reason(reason_id)
            self._reasons[reason_id] = frozenset(found[0].ratings) if found else None
        return self._reasons[reason_id]


def drift_flag(event: WireEvent, terms: _SiteTerms) -> str | None:
    """The flag for a service point or reason the site never had, or a reason it does not
    offer for this rating; None when the site knows them (active or retired)."""
    if event.service_point is not None and not terms.point_known(event.service_point):
        return SERVICE_POINT_UNKNOWN
    if isinstance(event, FeedbackEvent) and event.reason is not None:
        ratings = terms.ratings_of(event.reason)
        if ratings is None:
            return REASON_UNKNOWN
        if event.rating not in ratings:
            return REASON_NOT_FOR_RATING
    return None


@dataclass(frozen=True)
class EventTime:
    at: datetime  # when it happened, as reports count it (events.corrected_at)
    suspect: bool  # the kiosk's wall clock was wrong when it happened (events.clock_suspect)
    implausible: bool  # not corrected and implausible: flagged time-implausible


@dataclass(frozen=True)
class BatchClock:
    """A batch's moment on the central's clock, against which its events are placed.

    The rule (docs/central.md, "Clock correction"):
    1. The batch carries the kiosk's wall clock (`sent_at`) and monotonic clock
       (`monotonic_ms`) of the moment it was built. When that wall clock looks right (no later
       than arrival + tolerance, no earlier than arrival - MAX_TRANSIT), the batch was built at
       `sent_at`: the difference to arrival is time in transit, not a wrong clock. Otherwise the
       kiosk's clock is wrong, and the batch is taken as built when it arrived.
    2. An event of the boot that built the batch, with a monotonic time no later than the
       batch's, happened (batch monotonic - event monotonic) before that moment; it is
       clock_suspect when its own wall-clock time is further off than the tolerance. When that
       moment is implausible (before 2024-01-01: the batch's monotonic clock counted years, so
       it is broken) the event is clock_suspect and flagged time-implausible too.
    3. Any other event keeps its wall-clock time, which could not be corrected: an event of an
       earlier boot (its monotonic clock counted from another start), or of this boot with a
       monotonic time after the batch's (impossible for a working clock: clock_suspect). When
       that time is implausible too (before 2024-01-01 or after arrival + tolerance) the event
       is clock_suspect and flagged time-implausible.
    """

    boot_id: str
    monotonic_ms: int
    built_at: datetime
    received_at: datetime
    tolerance: timedelta

    @classmethod
    def of(
        cls,
        envelope: BatchEnvelope,
        received_at: datetime,
        tolerance: timedelta,
        max_transit: timedelta = MAX_TRANSIT,
    ) -> BatchClock:
        sent_at = envelope.sent_at
        clock_right = received_at - max_transit <= sent_at <= received_at + tolerance
        return cls(
            envelope.boot_id,
            envelope.monotonic_ms,
            sent_at.astimezone(UTC) if clock_right else received_at,
            received_at,
            tolerance,
        )

    def plausible(self, moment: datetime) -> bool:
        return EARLIEST_PLAUSIBLE <= moment <= self.received_at + self.tolerance

    def place(self, event: WireEvent) -> EventTime:
        """Raises OverflowError only for times no wire event can have."""
        if event.boot_id == self.boot_id and event.monotonic_ms <= self.monotonic_ms:
            at = self.built_at - timedelta(milliseconds=self.monotonic_ms - event.monotonic_ms)
            if not self.plausible(at):  # a monotonic clock of years: it counted from nowhere
                return EventTime(at, True, True)
            return EventTime(at, abs(at - event.occurred_at) > self.tolerance, False)
        occurred = event.occurred_at.astimezone(UTC)
        plausible = self.plausible(occurred)
        same_boot = event.boot_id == self.boot_id  # yet later than the batch: a broken clock
        return EventTime(occurred, same_boot or not plausible, not plausible)


def corrected_time(
    event: WireEvent,
    envelope: BatchEnvelope,
    received_at: datetime,
    tolerance: timedelta,
    max_transit: timedelta = MAX_TRANSIT,
) -> EventTime:
    """When the event really happened, and whether that time is suspect or implausible: the
    rule of BatchClock, for one event."""
    return BatchClock.of(envelope, received_at, tolerance, max_transit).place(event)


def _row(
    checked: CheckedEvent,
    device: Device,
    time: EventTime,
    flag: str | None,
    received_at: datetime,
    batch_id: str,
) -> dict[str, Any]:
    event = checked.event
    return {
        "id": checked.id,
        "site_id": device.site_id,
        "device_id": device.id,
        "type": event.type,
        "occurred_at": event.occurred_at.astimezone(UTC),  # SQLite keeps no offset
        "corrected_at": time.at,
        "clock_suspect": time.suspect,
        "service_point": event.service_point,
        "rating": getattr(event, "rating", None),
        "reason": getattr(event, "reason", None),
        "misuse": getattr(event, "misuse", None),
        "comment": getattr(event, "comment", None),
        # a response's answer (sync.protocol.ResponseEvent); NULL for feedback and check-ins
        "question_set": getattr(event, "question_set", None),
        "set_version": getattr(event, "set_version", None),
        "question": getattr(event, "question", None),
        "scale": getattr(event, "scale", None),
        "answer": getattr(event, "value", None),
        "visit": str(event.visit) if getattr(event, "visit", None) else None,
        "content": checked.content,
        "received_at": received_at,
        "batch_id": batch_id,
        "outbox_id": str(event.outbox_id) if event.outbox_id else None,
        "seq": event.seq,
        "language": event.language,
        "flag": TIME_IMPLAUSIBLE if time.implausible else flag,
    }


def ingest(
    conn: Connection,
    device: Device,
    site: SiteDefinition,
    envelope: BatchEnvelope,
    raw_events: CheckedBatch | Iterable[Any],
    *,
    received_at: datetime,
    tolerance: timedelta = timedelta(minutes=5),
    max_transit: timedelta = MAX_TRANSIT,
) -> IngestResult:
    """Store a batch's events; returns what became of each. Runs in the caller's transaction
    and changes nothing outside it (central.db.in_write_transaction may run it again).

    `raw_events` are the batch's events as decoded, or as `check_events` left them. Raises
    what the database raises when it could store nothing at all.
    """
    batch = raw_events if isinstance(raw_events, CheckedBatch) else check_events(raw_events)
    result = IngestResult(rejected=list(batch.rejected))
    # Events from before the retention horizon are refused: one deleted there and sent again
    # must not be counted twice. Those with an implausible time are kept apart, as ever (not in
    # the rollups, so never counted twice).
    horizon = retention.kept_from(conn) if batch.events else None
    clock = BatchClock.of(envelope, received_at, tolerance, max_transit)
    terms = _SiteTerms(site)
    batch_id = str(envelope.batch_id)
    rows: list[dict[str, Any]] = []
    first: dict[str, str] = {}  # id -> content, for a repeat within this batch
    # Rows refused unless the central holds them already (then answered as ever): the reason.
    unless_held: dict[str, tuple[dict[str, Any], str]] = {}
    for checked in batch.events:
        if checked.id in first:
            if same_event(first[checked.id], checked.content):
                result.duplicates += 1
            else:
                result.conflicts.append(checked.id)
            continue
        first[checked.id] = checked.content
        try:
            time = clock.place(checked.event)
            flag = drift_flag(checked.event, terms)
            row = _row(checked, device, time, flag, received_at, batch_id)
            problem = terms.response_problem(checked.event)
            if problem is not None:
                unless_held[checked.id] = (row, problem)
            elif horizon is not None and not time.implausible and time.at < horizon:
                unless_held[checked.id] = (row, too_old(horizon))
            else:
                rows.append(row)
        except (OverflowError, ValueError) as err:  # the protocol's ranges rule these out
            result.rejected.append({"id": checked.id, "error": f"cannot be placed in time: {err}"})

    # One still held (its wrong clock kept it past the retention horizon, or it came before
    # the site's question set changed) is answered as ever; the rest are refused.
    if unless_held:
        held = event_store.known(conn, list(unless_held))
        for event_id_, (row, reason) in unless_held.items():
            if event_id_ in held:
                rows.append(row)
            else:
                result.rejected.append({"id": event_id_, "error": reason})
    zones = {device.site_id: ZoneInfo(site.site.timezone)}
    stored = event_store.store(conn, rows, zones)
    result.accepted = len(stored.fresh)
    result.rejected.extend({"id": i, "error": reason} for i, reason in stored.refused.items())
    fresh = {row["id"] for row in stored.fresh}
    resent = []
    for row in rows:
        if row["id"] in fresh or row["id"] in stored.refused:
            continue
        held = stored.known.get(row["id"])
        if held is not None and same_event(held.content, row["content"], held.comment_deleted):
            result.duplicates += 1
            if held.outbox_id is None and row["outbox_id"] is not None:
                resent.append(row)
        else:
            result.conflicts.append(row["id"])
    adopted = event_store.adopt_outbox(conn, resent) if resent else []
    event_store.record_progress(conn, device.id, [*stored.fresh, *adopted], received_at)
    event_store.touch_device(conn, device.id, received_at)
    return result

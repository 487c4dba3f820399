"""Wire format v1: the one place the events and the batch envelope are defined.

The sync agent builds gzip batches with `encode_batch`; the central reads them with
`decode_batch` and validates each event on its own with `parse_event`, so one bad event is
rejected with its reason while the rest are stored.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)

VERSION = 1
MAX_EVENTS = 1000
MAX_BODY_BYTES = 1024 * 1024  # the gzip body as sent
MAX_JSON_BYTES = 16 * MAX_BODY_BYTES  # what it may inflate to (a guard against gzip bombs)
MAX_COMMENT_CHARS = 2000

Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
Language = Annotated[str, Field(min_length=2, max_length=8, pattern=r"^[a-z]{2,3}(-[A-Za-z]+)?$")]


class ProtocolError(ValueError):
    """A body or envelope that is not wire format v1; the message says what is wrong."""


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: UUID
    occurred_at: AwareDatetime
    boot_id: Annotated[str, Field(min_length=1, max_length=64)]
    monotonic_ms: Annotated[int, Field(ge=0)]
    language: Language
    service_point: Id | None = None
    # Transport metadata for completeness (both or neither; older kiosks send neither): the
    # kiosk's outbox and the event's number in it. Not part of the content (see canonical).
    outbox_id: UUID | None = None
    seq: Annotated[int, Field(ge=1)] | None = None

    @model_validator(mode="after")
    def _outbox_id_and_seq_together(self) -> _Event:
        if (self.outbox_id is None) != (self.seq is None):
            raise ValueError("outbox_id and seq come together: send both or neither")
        return self


TRANSPORT_FIELDS = {"outbox_id", "seq"}


class FeedbackEvent(_Event):
    type: Literal["feedback"]
    rating: Annotated[int, Field(ge=1, le=4)]
    reason: Id | None = None
    comment: Annotated[str, Field(max_length=MAX_COMMENT_CHARS)] | None = None
    misuse: bool = False


class CheckinEvent(_Event):
    type: Literal["checkin"]
    service_point: Id
    ticket: Annotated[str, Field(pattern=r"^[A-Z]\d{3,}$")]
    method: Literal["touch", "barcode"]
    printed: bool


Event = Annotated[FeedbackEvent | CheckinEvent, Field(discriminator="type")]
_EVENT = TypeAdapter(Event)


class BatchEnvelope(BaseModel):
    """The batch without its events, which are validated one by one."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    batch_id: UUID
    sent_at: AwareDatetime
    boot_id: Annotated[str, Field(min_length=1, max_length=64)]
    monotonic_ms: Annotated[int, Field(ge=0)]
    version: Literal[1] = 1


def _explain(err: ValidationError) -> str:
    parts = []
    for problem in err.errors():
        location = [str(p) for p in problem["loc"]]
        if location and location[0] in ("feedback", "checkin"):  # the union's tag, not a field
            location = location[1:]
        where = ".".join(location)
        parts.append(f"{where}: {problem['msg']}" if where else problem["msg"])
    return "; ".join(parts)


def parse_event(raw: Any) -> FeedbackEvent | CheckinEvent:
    """One event of a batch.

    Raises ProtocolError with the reason, e.g. "rating: Input should be less than or equal to 4".
    """
    try:
        return _EVENT.validate_python(raw)
    except ValidationError as err:
        raise ProtocolError(_explain(err)) from None


def event_id(raw: Any) -> str:
    """The id of a raw event as given (for rejecting it by id), or '' when it has none."""
    return str(raw.get("id", "")) if isinstance(raw, Mapping) else ""


def canonical(event: FeedbackEvent | CheckinEvent) -> str:
    """The event as compact JSON in the model's field order: equal content gives equal text,
    whatever the key order or spacing it arrived with. The transport fields are left out: an
    event sent once without them and again with them is a duplicate, not a conflict."""
    return event.model_dump_json(exclude=TRANSPORT_FIELDS)


def encode_batch(
    events: Sequence[Mapping[str, Any]],
    *,
    batch_id: str,
    sent_at: datetime,
    boot_id: str,
    monotonic_ms: int,
) -> bytes:
    """The gzip body of POST /api/v1/events.

    Raises ProtocolError for more than MAX_EVENTS events.
    """
    if len(events) > MAX_EVENTS:
        raise ProtocolError(f"A batch holds at most {MAX_EVENTS} events, not {len(events)}.")
    body = {
        "batch_id": batch_id,
        "sent_at": sent_at.isoformat(),
        "boot_id": boot_id,
        "monotonic_ms": monotonic_ms,
        "version": VERSION,
        "events": list(events),
    }
    raw = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    return gzip.compress(raw, compresslevel=9, mtime=0)  # 9: fewer bytes on a metered line


def decode_batch(body: bytes) -> tuple[BatchEnvelope, list[Any]]:
    """The envelope and the raw events of a gzip batch body.

    Raises ProtocolError when the body is not gzip, not JSON, too large inflated, or its
    envelope is malformed.
    """
    try:
        inflater = zlib.decompressobj(wbits=31)  # gzip only
        raw = inflater.decompress(body, MAX_JSON_BYTES)
        if inflater.unconsumed_tail:
            raise ProtocolError(f"The batch inflates to more than {MAX_JSON_BYTES} bytes.")
    except zlib.error:
        raise ProtocolError("The body is not gzip; send the batch gzip-compressed.") from None
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ProtocolError(f"The batch is not JSON: {err}.") from None
    if not isinstance(data, dict):
        raise ProtocolError("The batch must be a JSON object.")
    events = data.pop("events", None)
    if not isinstance(events, list):
        raise ProtocolError("The batch needs an 'events' list.")
    if len(events) > MAX_EVENTS:
        raise ProtocolError(f"A batch holds at most {MAX_EVENTS} events, not {len(events)}.")
    try:
        envelope = BatchEnvelope.model_validate(data)
    except ValidationError as err:
        raise ProtocolError(f"The batch envelope is malformed: {_explain(err)}.") from None
    return envelope, events


class RejectedEvent(BaseModel):
    """One event of a batch the central did not store, with its reason."""

    model_config = ConfigDict(strict=True, frozen=True)

    id: str
    error: str


class IngestAnswer(BaseModel):
    """The central's 200 answer to a batch (POST /api/v1/events). Every event not listed as a
    conflict or rejected is stored, so `accepted + duplicates + conflicts + rejected` is the
    batch's size. Strict: the sync agent marks nothing sent on an answer that is not exactly
    this (numbers as strings, a list, a page from a proxy). Unknown keys are ignored, so a newer
    central may say more."""

    model_config = ConfigDict(strict=True, frozen=True, extra="ignore")

    accepted: Annotated[int, Field(ge=0)]
    duplicates: Annotated[int, Field(ge=0)]
    conflicts: list[str]
    rejected: list[RejectedEvent]


def parse_ingest_answer(raw: Any) -> IngestAnswer:
    """The central's answer to a batch, decoded from JSON.

    Raises ProtocolError with what is wrong, e.g. "accepted: Input should be a valid integer".
    """
    try:
        return IngestAnswer.model_validate(raw)
    except ValidationError as err:
        raise ProtocolError(_explain(err)) from None

"""Wire format v1: the one place what the sync agent and the central send each other is
defined: the events and the batch envelope, the central's answer to a batch, the heartbeat,
the enrolment answer and the kiosk's config from the central.

The sync agent builds gzip batches with `encode_batch`; the central reads them with
`decode_batch` and validates each event on its own with `parse_event`, so one bad event is
rejected with its reason while the rest are stored. The central's 200 answer is an
`IngestAnswer`, which the agent reads with `parse_ingest_answer`.

The heartbeat (POST /api/v1/heartbeat, every minute) is a `Heartbeat`: sync.heartbeat builds
its body and checks it with this model, the central validates it with the same. POST
/api/v1/enroll answers an `EnrollAnswer`, which the agent reads with `parse_enroll_answer`;
its `config`, like GET /api/v1/config's body, is a `KioskConfigAnswer`, which
central.sites.kiosk_config builds (the kiosk lays it over its own file, see
kiosk.central_config; the file's name is hymy_domain.facts.CENTRAL_CONFIG_FILE).

JSON types are strict: a number is never written as a string ("3"), a rating never as a boolean
(true), a flag never as a number or a word ("yes"), a time never as a Unix number. Times are
ISO 8601 texts with their UTC offset ("2026-11-23T08:15:00.123+02:00"); ids are UUID texts.

Every event: `id` (UUID), `type` ("feedback" | "checkin" | "response"), `occurred_at` (the
kiosk's wall clock), `boot_id` and `monotonic_ms` (the kiosk's boot and its monotonic clock, for
clock correction), `language`, `service_point` (optional for feedback and responses), and for
completeness `outbox_id` with `seq` (see below). Feedback adds `rating` (1..4), `reason`,
`comment` and `misuse`; a check-in adds `ticket`, `method` and `printed`.

A response is one answer to one question of a site's national question set (THL's model, see
hymy_domain.national and docs/question-sets.md): `question_set` and `set_version` (the set's id
and the version the kiosk showed), `question` (the question's id in it), `scale` ("0-10" for the
recommendation, "agree-3" .. "agree-7" for a statement, "comment" for the free comment), `value`
(0..10; 1..steps; null for "I cannot say" on an agreement scale and for a comment), `comment`
(the comment's text, only on "comment" and never empty or only spaces: a comment left empty is
sent as no response at all), `visit` (a random UUID shared by one visitor's answers, so a visit
stopped half way is seen as such; never linked to a person) and `misuse`. The central also
checks a response against the site's question set (central.ingest.response_problem) and rejects
one the set cannot have. Batches of kiosks that send no responses are read as before: v1 is
unchanged for them.

Completeness, `outbox_id` and `seq`: `outbox_id` is the UUID made when the kiosk's outbox was
created, `seq` (an integer from 1) the event's sequence number in that outbox, never reused.
Both or neither: batches of kiosks that do not send them yet stay accepted. They are transport
metadata, not content: `canonical()` leaves them out, so the same event sent once without them
and again with them is a duplicate, not a conflict. The uploader adds them to the stored
payload when it builds a batch; from them the central tells whether any event of a kiosk is
missing.

Plausible ranges, chosen so that every value that passes can be stored, bucketed and corrected
on both databases (anything outside is a per-event rejection with its reason):
- `occurred_at` and the batch's `sent_at` lie in [1970-01-01, 2200-01-01) UTC. 1970 is where a
  Pi without a real-time clock starts counting; a kiosk clock that wrong still records real
  visits, which the central corrects by the monotonic clock or keeps apart as
  'time-implausible' (so narrower ranges here, e.g. "after 2000", would lose them for good).
  2200 keeps every moment and its local day in any time zone far from the calendar's end
  (9999-12-31), where date arithmetic overflows.
- `monotonic_ms` (event and batch) lies in [0, 10 years]: the time since the kiosk booted; a
  larger value is a broken clock, and it keeps the batch's minus the event's monotonic time a
  span every clock correction can take.
- `seq` lies in [1, 2**31 - 1], the database's integer (68 years at an event a second).

Text: a `comment` may hold newlines and tabs but no other control character (NUL, escape, C1
codes) and no lone surrogate; a carriage return (CR LF from some keyboards) becomes a newline.
`boot_id` is printable ASCII. `language` is an ISO 639-1 code or one of the Sámi codes `smn`,
`sms` (`se` is ISO 639-1), optionally with a script and a region subtag ("sv-FI", "sr-Latn",
"zh-Hant-TW") and a BCP 47 private-use part ("fi-x-easy", easy-read Finnish), each in its
canonical case (private-use subtags in lowercase). Ids of service points and reasons are lowercase
words joined by hyphens.
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    TypeAdapter,
    ValidationError,
    model_serializer,
    model_validator,
)
from pydantic_core import PydanticCustomError

from hymy_domain.facts import (
    ID_MAX_CHARS,
    ID_PATTERN,
    MAX_RATING,
    MIN_RATING,
    TICKET_MAX_CHARS,
    TICKET_PATTERN,
    Localized,
    PrinterState,
    StorageState,
)
from hymy_domain.national import (
    AGREEMENT_STEPS,
    COMMENT_SCALE,
    DEFAULT_AGREEMENT_STEPS,
    MAX_STATEMENTS,
    agreement_scale,
    question_set_problems,
    value_problem,
)

VERSION = 1
MAX_EVENTS = 1000
MAX_BODY_BYTES = 1024 * 1024  # the gzip body as sent
MAX_JSON_BYTES = 16 * MAX_BODY_BYTES  # what it may inflate to (a guard against gzip bombs)
MAX_COMMENT_CHARS = 2000
EARLIEST_TIME = datetime(1970, 1, 1, tzinfo=UTC)
LATEST_TIME = datetime(2200, 1, 1, tzinfo=UTC)  # exclusive
MAX_MONOTONIC_MS = 10 * 366 * 24 * 3600 * 1000
MAX_SEQ = 2**31 - 1
TRANSPORT_FIELDS = frozenset({"outbox_id", "seq"})
MAX_PROBLEM_CHARS = 200  # one problem's words in a rejection (they may quote the input)

# ISO 639-1 (183 codes), and the Sámi languages of Finland that have no two-letter code
# (Inari smn, Skolt sms; Northern Sámi is se).
_ISO_639_1 = """
    aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv
    cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho
    hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku
    kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn
    no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm
    sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi
    vo wa wo xh yi yo za zh zu
"""
LANGUAGES = frozenset(_ISO_639_1.split()) | {"smn", "sms"}

_UUID_TEXT = re.compile(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")
_TIME_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}")  # the start of one
# A known language, then optionally a script (Latn) and a region (FI, 419), and a private-use
# part (x-easy: the kiosk's easy-read languages, fi-x-easy), in canonical case.
_LANGUAGE_TAG = (
    rf"^({'|'.join(sorted(LANGUAGES))})(-[A-Z][a-z]{{3}})?(-([A-Z]{{2}}|[0-9]{{3}}))?"
    r"(-x(-[a-z0-9]{1,8})+)?$"
)
# Control characters but tab (09) and newline (0a), and lone surrogates (no UTF-8 for them).
_NOT_TEXT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


class ProtocolError(ValueError):
    """A body or envelope that is not wire format v1; the message says what is wrong."""


def _uuid_text(value: Any) -> Any:
    if not isinstance(value, str) or not _UUID_TEXT.fullmatch(value):
        raise PydanticCustomError(
            "uuid_text",
            "Input should be a UUID text such as '3f2504e0-4f89-41d3-9a0c-0305e82c3301'",
        )
    return value


def _time_text(value: Any) -> Any:
    if not isinstance(value, str) or not _TIME_TEXT.match(value):
        raise PydanticCustomError(
            "time_text",
            "Input should be an ISO 8601 text with its UTC offset, "
            "e.g. '2026-11-23T08:15:00+02:00'",
        )
    return value


def _comment_text(value: str) -> str:
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    found = _NOT_TEXT.search(value)
    if found:
        raise PydanticCustomError(
            "text_character",
            "Input should hold no control character but newline and tab, and no lone "
            "surrogate; found {code} at position {position}",
            {"code": f"U+{ord(found.group()):04X}", "position": found.start()},
        )
    return value


def _not_boolean(value: Any) -> Any:
    if isinstance(value, bool):  # Literal[1] takes true, as 1 == True in Python
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


Uuid = Annotated[UUID, Field(strict=False), BeforeValidator(_uuid_text)]
WireTime = Annotated[
    AwareDatetime,
    Field(strict=False, ge=EARLIEST_TIME, lt=LATEST_TIME),
    BeforeValidator(_time_text),
]
Monotonic = Annotated[int, Field(ge=0, le=MAX_MONOTONIC_MS)]
BootId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[!-~]+$")]
Id = Annotated[str, Field(min_length=1, max_length=ID_MAX_CHARS, pattern=ID_PATTERN)]
Language = Annotated[str, Field(min_length=2, max_length=16, pattern=_LANGUAGE_TAG)]
Comment = Annotated[str, Field(max_length=MAX_COMMENT_CHARS), AfterValidator(_comment_text)]


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class _Event(_Wire):
    id: Uuid
    occurred_at: WireTime
    boot_id: BootId
    monotonic_ms: Monotonic
    language: Language
    service_point: Id | None = None
    # Transport metadata, not content: never dumped, so never part of canonical().
    outbox_id: Annotated[Uuid | None, Field(exclude=True)] = None
    seq: Annotated[Annotated[int, Field(ge=1, le=MAX_SEQ)] | None, Field(exclude=True)] = None

    @model_validator(mode="after")
    def _outbox_and_seq_together(self) -> _Event:
        if (self.outbox_id is None) != (self.seq is None):
            raise PydanticCustomError(
                "outbox_seq", "outbox_id and seq come together: send both or neither"
            )
        return self


class FeedbackEvent(_Event):
    type: Literal["feedback"]
    rating: Annotated[int, Field(ge=MIN_RATING, le=MAX_RATING)]
    reason: Id | None = None
    comment: Comment | None = None
    misuse: bool = False


class CheckinEvent(_Event):
    type: Literal["checkin"]
    service_point: Id
    ticket: Annotated[str, Field(max_length=TICKET_MAX_CHARS, pattern=TICKET_PATTERN)]
    method: Literal["touch", "barcode"]
    printed: bool


class ResponseEvent(_Event):
    type: Literal["response"]
    question_set: Id
    set_version: Annotated[int, Field(ge=1, le=MAX_SEQ)]
    question: Id
    scale: Annotated[str, Field(max_length=16)]
    value: int | None
    comment: Comment | None = None
    visit: Uuid | None = None
    misuse: bool = False

    @model_validator(mode="after")
    def _value_on_its_scale(self) -> ResponseEvent:
        problem = value_problem(self.scale, self.value)
        if problem:
            raise PydanticCustomError("scale_value", problem)
        if (self.scale == COMMENT_SCALE) != (self.comment is not None):
            raise PydanticCustomError(
                "scale_comment",
                "a comment comes with the scale 'comment' and no other: send it there",
            )
        if self.comment is not None and not self.comment.strip():
            raise PydanticCustomError(
                "comment_blank",
                "a comment holds text: send no response for a comment left empty",
            )
        return self


WireEvent = FeedbackEvent | CheckinEvent | ResponseEvent
Event = Annotated[WireEvent, Field(discriminator="type")]
_EVENT = TypeAdapter(Event)


class BatchEnvelope(_Wire):
    """The batch without its events, which are validated one by one."""

    batch_id: Uuid
    sent_at: WireTime
    boot_id: BootId
    monotonic_ms: Monotonic
    version: Annotated[Literal[1], BeforeValidator(_not_boolean)] = 1


_JSON_KINDS = {
    str: "a string",
    bool: "true or false",
    int: "a number",
    float: "a decimal number",
    list: "a list",
    dict: "an object",
    type(None): "null",
}


# What a field's pattern asks for, in words (a pattern mismatch shows the regex otherwise).
_PATTERN_WORDS = {
    "language": "a known language code (ISO 639-1, or smn or sms), optionally with a script, "
    "a region and a private-use part, e.g. 'fi', 'sv-FI', 'sr-Latn', 'fi-x-easy'",
    "boot_id": "printable ASCII without spaces",
    "service_point": "lowercase letters and digits, words joined by hyphens",
    "reason": "lowercase letters and digits, words joined by hyphens",
    "ticket": "a capital letter and at least three digits, e.g. 'L023'",
}


def _explain(err: ValidationError) -> str:
    parts = []
    for problem in err.errors():
        location = [str(p) for p in problem["loc"]]
        if location and location[0] in ("feedback", "checkin"):  # the union's tag, not a field
            location = location[1:]
        where = ".".join(location)
        message = problem["msg"]
        if problem["type"] == "string_pattern_mismatch" and location[-1:][0] in _PATTERN_WORDS:
            given = str(problem["input"])[:40]
            message = f"Input should be {_PATTERN_WORDS[location[-1]]}, not {given!r}"
        elif problem["type"].endswith("_type") or problem["type"] in ("uuid_text", "time_text"):
            message += f", not {_JSON_KINDS.get(type(problem['input']), 'that')}"
        if len(message) > MAX_PROBLEM_CHARS:  # a message may quote the input: never all of it
            message = message[: MAX_PROBLEM_CHARS - 3] + "..."
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)


def parse_event(raw: Any) -> WireEvent:
    """One event of a batch.

    Raises ProtocolError with the reason, e.g. "rating: Input should be less than or equal to 4".
    """
    try:
        return _EVENT.validate_python(raw)
    except ValidationError as err:
        raise ProtocolError(_explain(err)) from None


def event_id(raw: Any) -> str:
    """The id of a raw event as given (for rejecting it by id), or '' when it has no text id."""
    given = raw.get("id") if isinstance(raw, Mapping) else None
    return given[:64] if isinstance(given, str) else ""


def canonical(event: WireEvent) -> str:
    """The event's content as compact JSON in the model's field order, without the transport
    fields (outbox_id, seq): equal content gives equal text, whatever the key order, spacing or
    offset spelling it arrived with."""
    return event.model_dump_json()  # the transport fields are excluded by the model


def encode_batch(
    events: Sequence[Mapping[str, Any]],
    *,
    batch_id: str,
    sent_at: datetime,
    boot_id: str,
    monotonic_ms: int,
) -> bytes:
    """The gzip body of POST /api/v1/events. Text that has no UTF-8 (a lone surrogate) is sent
    \\u-escaped, so the central rejects that one event with its reason.

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
    try:
        raw = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    except UnicodeEncodeError:  # a lone surrogate: sent escaped, for the central to reject
        raw = json.dumps(body, separators=(",", ":")).encode()
    return gzip.compress(raw, compresslevel=9, mtime=0)  # 9: fewer bytes on a metered line


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _json(raw: bytes) -> Any:
    """Raises ProtocolError for anything but strict UTF-8 JSON that Python can hold."""
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except RecursionError:
        raise ProtocolError("The batch is nested too deeply to be a batch of events.") from None
    except UnicodeDecodeError as err:
        raise ProtocolError(f"The batch is not UTF-8 text: {err}.") from None
    except json.JSONDecodeError as err:
        raise ProtocolError(f"The batch is not JSON: {err}.") from None
    except ValueError as err:  # NaN, Infinity, or an integer of thousands of digits
        what = str(err).split(";")[0]
        raise ProtocolError(f"The batch holds a value no field can take: {what}.") from None


def decode_batch(body: bytes) -> tuple[BatchEnvelope, list[Any]]:
    """The envelope and the raw events of a gzip batch body.

    Raises ProtocolError when the body is not gzip, not JSON, too large inflated, nested too
    deeply, or its envelope is malformed.
    """
    try:
        inflater = zlib.decompressobj(wbits=31)  # gzip only
        raw = inflater.decompress(body, MAX_JSON_BYTES)
        if inflater.unconsumed_tail:
            raise ProtocolError(f"The batch inflates to more than {MAX_JSON_BYTES} bytes.")
    except zlib.error:
        raise ProtocolError("The body is not gzip; send the batch gzip-compressed.") from None
    data = _json(raw)
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


# --- the heartbeat: POST /api/v1/heartbeat, every minute (contract 3) -----------------------

# Counts a kiosk reports: an integer a database column and JSON reader anywhere can hold.
Count = Annotated[int, Field(ge=0, le=2**63 - 1)]
MAX_VERSION_CHARS = 40
MAX_REFUSAL_CHARS = 500
# What a central of before contract 3 takes; the agent sends them alone when it refuses more.
HEARTBEAT_BASE_FIELDS = (
    "version",
    "backlog",
    "oldest_pending",
    "last_upload",
    "quarantined",
    "free_disk_bytes",
    "printer",
    "device_clock",
)


class _Part(BaseModel):
    """Strict JSON types, as the events': a count is never "3" or true, a time never a Unix
    number; times lie in the wire format's plausible range."""

    model_config = ConfigDict(extra="forbid", strict=True)


class OutboxReport(_Part):
    """The kiosk's outbox: its id, the first seq the central should get, the last one made."""

    id: str = Field(min_length=1, max_length=64)
    first_seq: Annotated[int, Field(ge=1, le=MAX_SEQ)]
    last_seq: Annotated[int, Field(ge=0, le=MAX_SEQ)]


class HeartbeatRefusal(_Part):
    """The central's last refusal of what the agent sends (a non-retryable 4xx but 401); the
    agent clears it once a batch is taken again. `events`: how many wait meanwhile."""

    status: int = Field(ge=100, le=599)
    error: str = Field(max_length=MAX_REFUSAL_CHARS)
    at: WireTime
    events: Count


class Heartbeat(_Part):
    """What a kiosk's sync agent reports every minute. `backlog` is kiosk.outbox's
    OutboxStats.backlog: the events still to reach the central (pending and held)."""

    version: str = Field(max_length=MAX_VERSION_CHARS)
    backlog: Count
    oldest_pending: WireTime | None = None
    last_upload: WireTime | None = None
    quarantined: Count = 0
    free_disk_bytes: Count
    printer: Annotated[PrinterState, Field(strict=False)] = PrinterState.NONE  # from its value
    device_clock: WireTime
    outbox: OutboxReport | None = None
    refused: HeartbeatRefusal | None = None
    storage: Annotated[StorageState, Field(strict=False)] = StorageState.OK


# --- the kiosk's config from the central: in the enrolment answer and GET /api/v1/config ---


class _Config(BaseModel):
    """Strict JSON types; keys beyond these are let through (a newer central may send more, the
    kiosk's own config validation decides what it takes)."""

    model_config = ConfigDict(extra="allow", frozen=True, strict=True)

    @model_serializer(mode="wrap")
    def _without_none(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """No key for an optional part left out (a point without guidance has no `guidance`)."""
        return {key: value for key, value in handler(self).items() if value is not None}


class ConfigKiosk(_Config):
    """The kiosk section's keys the central owns (hymy_domain.facts.CENTRAL_KIOSK_KEYS)."""

    site: str
    kiosk_id: str
    station_name: Localized
    timezone: str


class ConfigServicePoint(_Config):
    id: str
    name: Localized
    prefix: str
    guidance: Localized | None = None
    range: Annotated[list[int], Field(min_length=2, max_length=2)]  # [first, last], this kiosk's


class ConfigReason(_Config):
    id: str
    ratings: list[Annotated[int, Field(ge=MIN_RATING, le=MAX_RATING)]]
    name: Localized


class ConfigFeedback(_Config):
    reasons: list[ConfigReason] = []


class Statement(BaseModel):
    """A question of the national set: its id (answers carry it) and its words per language."""

    model_config = ConfigDict(frozen=True)

    id: Annotated[str, Field(pattern=ID_PATTERN, max_length=ID_MAX_CHARS)]
    text: Localized


class QuestionSetKeys(BaseModel):
    """The national question set's keys, defined once: as a site file writes them under
    `[questions]` (central.sites.Questions) and as the kiosk config sends them
    (ConfigQuestions, which requires what a kiosk needs to ask the set).

    Each answer is sent as a `response` with the set's `id` and `version`, the question's id
    and the scale: `recommendation` on "0-10" (its `low` and `high` end labels), then each of
    `statements` (the national model's basic ones, at most seven) and `own` (the region's) on
    "agree-<steps>", with "I cannot say" when `cannot_say`; `labels` names the steps in each
    language (else the kiosk's catalogs name the five steps), and the free comment last when
    `comment`."""

    id: Annotated[str, Field(pattern=ID_PATTERN, max_length=ID_MAX_CHARS)] | None = None
    version: Annotated[int, Field(ge=1, le=MAX_SEQ)] = 1
    recommendation: Statement | None = None
    low: Localized | None = None
    high: Localized | None = None
    statements: Annotated[list[Statement], Field(max_length=MAX_STATEMENTS)] = []
    own: Annotated[list[Statement], Field(max_length=MAX_STATEMENTS)] = []
    steps: Annotated[int, Field(ge=AGREEMENT_STEPS.start, le=AGREEMENT_STEPS.stop - 1)] = (
        DEFAULT_AGREEMENT_STEPS
    )
    cannot_say: bool = True
    labels: dict[str, list[str]] | None = None
    comment: bool = True

    @property
    def asked(self) -> list[Statement]:
        """The questions in the order the kiosk asks them: the recommendation (when given),
        the statements, the region's own."""
        first = [self.recommendation] if self.recommendation is not None else []
        return [*first, *self.statements, *self.own]


class ConfigQuestions(_Config, QuestionSetKeys):
    """The national question set a kiosk asks instead of the four smileys (hymy_domain.national;
    left out of the config for a site on the smileys, so older kiosks get what they know): the
    keys of QuestionSetKeys, with its id, the recommendation and its end labels given."""

    model_config = ConfigDict(extra="allow", frozen=True, strict=True)

    @model_validator(mode="after")
    def _consistent(self) -> ConfigQuestions:
        missing = [k for k in ("id", "recommendation", "low", "high") if getattr(self, k) is None]
        if missing:
            raise PydanticCustomError(
                "missing",
                "the national set needs {keys}: the recommendation question and the labels of "
                "its ends 0 and 10 (see docs/question-sets.md)",
                {"keys": ", ".join(missing)},
            )
        written = {language for q in self.asked for language in q.text}
        problems = question_set_problems(
            [q.id for q in self.asked], self.steps, self.labels, written
        )
        if problems:
            raise PydanticCustomError(
                "question_set", "{problems}", {"problems": "; ".join(problems)}
            )
        return self

    @property
    def agreement_scale(self) -> str:
        """The statements' wire scale, e.g. "agree-5"."""
        return agreement_scale(self.steps)


class KioskConfigAnswer(_Config):
    """The config a kiosk gets from its site: the kiosk TOML's keys the central owns, with the
    kiosk's own ticket-number range per service point. Dumped without the optional keys left
    out (no `guidance` key for a point without guidance, as the kiosk's TOML has none)."""

    kiosk: ConfigKiosk
    service_points: list[ConfigServicePoint]
    feedback: ConfigFeedback = ConfigFeedback()
    # "You said, we did" on the start screen, per language (hymy_domain.site_message); left
    # out when the site has none, so older agents and kiosks get the config they know.
    message: Localized | None = None
    # The national question set (ConfigQuestions); left out for a site on the smileys.
    questions: ConfigQuestions | None = None

    def to_json(self) -> dict[str, Any]:
        """The config as JSON data, as sent and as the sync agent writes it for the kiosk."""
        return self.model_dump(mode="json")


# --- the enrolment answer: POST /api/v1/enroll ---------------------------------------------

# What each credential may hold: the token goes into every request's Authorization header (an
# RFC 6750 token: a control character, a space or a non-ASCII letter there would fail every
# request after enrolment, and a line break would split the header), the device id and site
# into logs and `status`.
CREDENTIAL_PATTERNS = {
    "device_id": r"^[A-Za-z0-9._:-]{1,128}$",
    "token": r"^[A-Za-z0-9._~+/=-]{16,512}$",
    "site": r"^[^\x00-\x1f\x7f-\x9f]{1,200}$",
}


class EnrollAnswer(BaseModel):
    """The central's answer to an enrolment: the device's id and token (shown this once), its
    site, and the kiosk's first config. Unknown keys are ignored, so a newer central may say
    more; the config is checked apart (sync.credentials.check_kiosk_config), as the config
    pull's is."""

    model_config = ConfigDict(strict=True, frozen=True, extra="ignore")

    device_id: Annotated[str, Field(pattern=CREDENTIAL_PATTERNS["device_id"])]
    token: Annotated[str, Field(pattern=CREDENTIAL_PATTERNS["token"])]
    site: Annotated[str, Field(pattern=CREDENTIAL_PATTERNS["site"])]
    config: KioskConfigAnswer


def enroll_answer_problems(raw: Any) -> list[str]:
    """The credentials (device_id, token, site) of an enrolment answer that are missing, not
    text, or hold what they may not; empty when all three are good (the config is checked
    apart). Never quotes the answer: it may hold the token."""
    if not isinstance(raw, Mapping):
        return list(CREDENTIAL_PATTERNS)
    return [
        key
        for key, pattern in CREDENTIAL_PATTERNS.items()
        if not (isinstance(raw.get(key), str) and re.fullmatch(pattern, raw[key]))
    ]

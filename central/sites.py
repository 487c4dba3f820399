"""Sites: what `hymy-central site add` stores, and the config each enrolled kiosk gets from it.

A site file has the shape of a kiosk config's shared parts (see docs/central.md):

    [site]
    id = "kaleva"
    name = { fi = "Kalevan terveysasema", sv = "Kalevas hälsostation", en = "Kaleva ..." }
    timezone = "Europe/Helsinki"
    numbers_per_kiosk = 100        # each kiosk's own block of queue numbers per service point

    [[service_points]]
    id = "laboratorio"
    name = { fi = "Laboratorio", sv = "Laboratoriet", en = "Laboratory" }
    prefix = "L"

    [[feedback.reasons]]
    id = "waiting-time"
    ratings = [1, 2]
    name = { fi = "Odotusaika", sv = "Väntetiden", en = "Waiting time" }

    [[retired.service_points]]     # no longer offered; their old events still count
    ...

    [reports]                      # the console's reports; never sent to kiosks
    min_answers = 5                # a figure from fewer answers is not shown to people

    [opening_hours]                # for the alerts (central only); default: weekdays 8-16
    mon = ["08:00-16:00"]          # ... tue to sun; [] = closed
    [public]                       # never sent to kiosks
    results = true                 # the last 30 days' score on a page without sign-in

    [message]                      # "You said, we did" on the kiosks' start screen
    fi = "Toivoitte lisää istumapaikkoja: aulassa on nyt 12 uutta tuolia."

Service points and reasons a new definition leaves out are kept under [retired] (see
SiteDefinition.replacing); `site_toml` writes a definition back in this shape (`hymy-central
site show`), `retiring` retires some of them (`hymy-central site retire --service-point`), and
central.site_changes says what an update changed.

Stored sites (the sites table): `save_site`, `update_site`, `load_site`, `list_sites`,
`retire_site`, `retire_parts`, `missing_sites`, `sites_in_unsupported_zones`. They raise
NotFoundError for no such site (central.enrollment raises it for no such device too) and
SiteRetiredError (a NotFoundError) for a change a retired site refuses: no new kiosks, codes or
definition changes; its uploads and reports go on.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from central.alert_rules import DEFAULT_HOURS, WeeklyHours
from central.site_questions import Questions
from hymy_domain.facts import (
    ID_MAX_CHARS,
    ID_PATTERN,
    MAX_RATING,
    MIN_RATING,
    PREFIX_PATTERN,
    Localized,
)
from hymy_domain.site_message import MESSAGE_LANGUAGES, message_problem
from sync.protocol import KioskConfigAnswer

ID = ID_PATTERN  # the site file's ids, as every part of Hymy takes them
ID_LENGTH = ID_MAX_CHARS  # the columns that hold them (central.tables: String(64))


class SiteError(ValueError):
    """A site definition that cannot be used; the message names the key and the fix.
    `problems` lists each problem as (location, kind, message): the location is the key's path
    in the site file (("service_points", 2, "prefix")), the kind pydantic's error type or one of
    "toml", "unique", "timezone" (for a form to show each next to its field)."""

    def __init__(
        self, message: str, problems: list[tuple[tuple[str | int, ...], str, str]] | None = None
    ) -> None:
        super().__init__(message)
        self.problems = problems or []


def _zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{value!r} is not a time zone such as 'Europe/Helsinki'") from None
    return value


# The days on which a zone's offset is checked: from the earliest plausible event on.
ZONE_CHECK_FROM = datetime(2024, 1, 1, 12, tzinfo=UTC)
ZONE_CHECK_DAYS = 76 * 365


@lru_cache(maxsize=64)
def zone_problem(name: str) -> str | None:
    """Why the central cannot report in this time zone, or None when it can.

    Rollups count per UTC hour, so local hours and days are exact only where the offset from
    UTC is a whole number of hours; a zone with half- or quarter-hour offsets (Asia/Kolkata
    +05:30, Australia/Adelaide +09:30/+10:30, Asia/Kathmandu +05:45) would have its events put
    in the wrong local hours and days. The offset is checked at noon UTC of every day from 2024
    to 2100 (an offset lasts months, not hours).
    """
    zone = ZoneInfo(name)
    for day in range(ZONE_CHECK_DAYS):
        moment = ZONE_CHECK_FROM + timedelta(days=day)
        offset = moment.astimezone(zone).utcoffset() or timedelta(0)
        if offset % timedelta(hours=1):
            sign, size = ("-", -offset) if offset < timedelta(0) else ("+", offset)
            minutes = int(size.total_seconds() // 60)
            return (
                f"{name!r} is UTC{sign}{minutes // 60:02d}:{minutes % 60:02d} on "
                f"{moment.date().isoformat()}, not a whole number of hours from UTC; the "
                "central counts events per UTC hour, so its local hours and days would be "
                "wrong: use a zone with whole-hour offsets such as 'Europe/Helsinki'"
            )
    return None


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SiteInfo(_Model):
    id: Annotated[str, Field(pattern=ID, max_length=ID_LENGTH)]
    name: Localized
    timezone: Annotated[str, AfterValidator(_zone)] = "Europe/Helsinki"
    numbers_per_kiosk: Annotated[int, Field(ge=10, le=999)] = 100


class ServicePoint(_Model):
    id: Annotated[str, Field(pattern=ID, max_length=ID_LENGTH)]
    name: Localized
    prefix: Annotated[str, Field(pattern=PREFIX_PATTERN)]
    guidance: Localized | None = None


class Reason(_Model):
    id: Annotated[str, Field(pattern=ID, max_length=ID_LENGTH)]
    ratings: list[Annotated[int, Field(ge=MIN_RATING, le=MAX_RATING)]] = Field(min_length=1)
    name: Localized


class Feedback(_Model):
    reasons: list[Reason] = []


class Retired(_Model):
    """Service points and reasons a site no longer offers: kiosks are not given them, but events
    recorded while they were offered are still accepted and reported (labelled as retired)."""

    service_points: list[ServicePoint] = []
    reasons: list[Reason] = []


DEFAULT_MIN_ANSWERS = 5


class ReportSettings(_Model):
    """How the site's figures are shown to people (central only: kiosk_config leaves it out).

    min_answers: a score, distribution or share from fewer answers than this is never shown
    (small numbers could point at one visitor); central.fairness applies the rule.
    """

    min_answers: Annotated[int, Field(ge=1)] = DEFAULT_MIN_ANSWERS


class OpeningHours(_Model):
    """When the station is open, per weekday in the site's time zone (central only: the
    alerts' `quiet` rule counts only these hours). Each day a list of ranges like
    "08:00-16:00"; an empty list: closed."""

    mon: list[str] = DEFAULT_HOURS["mon"]
    tue: list[str] = DEFAULT_HOURS["tue"]
    wed: list[str] = DEFAULT_HOURS["wed"]
    thu: list[str] = DEFAULT_HOURS["thu"]
    fri: list[str] = DEFAULT_HOURS["fri"]
    sat: list[str] = DEFAULT_HOURS["sat"]
    sun: list[str] = DEFAULT_HOURS["sun"]

    @model_validator(mode="after")
    def _ranges(self) -> OpeningHours:
        WeeklyHours.of(self.model_dump())  # RuleError (a ValueError) says what to write
        return self

    @property
    def weekly(self) -> WeeklyHours:
        return WeeklyHours.of(self.model_dump())


class PublicSettings(_Model):
    """What the site publishes without sign-in (central only: kiosk_config leaves it out).

    results: the public page and widget of the last 30 days' score and n (central.public_results;
    off by default: a site that has not opted in answers 404, as an unknown one does).
    """

    results: bool = False


def _message_text(value: str) -> str:
    problem = message_problem(value)
    if problem:
        raise ValueError(problem)
    return value


MessageText = Annotated[str, AfterValidator(_message_text)]


class KioskMessage(_Model):
    """ "You said, we did": a short message per language on the kiosks' start screen
    (hymy_domain.site_message: at most MESSAGE_MAX_CHARS, one paragraph, no personal data).
    A language left out falls back on the kiosk as its other texts do."""

    fi: MessageText | None = None
    sv: MessageText | None = None
    en: MessageText | None = None

    def texts(self) -> dict[str, str]:
        """The message's languages and texts, fi, sv, en in order; empty for no message."""
        return {lang: text for lang in MESSAGE_LANGUAGES if (text := getattr(self, lang))}


class SiteDefinition(_Model):
    site: SiteInfo
    service_points: list[ServicePoint] = Field(min_length=1)
    feedback: Feedback = Feedback()
    retired: Retired = Retired()
    reports: ReportSettings = ReportSettings()
    opening_hours: OpeningHours = OpeningHours()
    public: PublicSettings = PublicSettings()
    message: KioskMessage = KioskMessage()
    questions: Questions = Questions()

    @property
    def kiosk_slots(self) -> int:
        """How many kiosks the number space 1..999 has room for."""
        return 999 // self.site.numbers_per_kiosk

    def service_point_state(self, point_id: str) -> str | None:
        """'active', 'retired', or None for an id the site never had."""
        if any(p.id == point_id for p in self.service_points):
            return "active"
        if any(p.id == point_id for p in self.retired.service_points):
            return "retired"
        return None

    def reason(self, reason_id: str) -> tuple[Reason, str] | None:
        """The reason with 'active' or 'retired', or None for an id the site never had."""
        for reason in self.feedback.reasons:
            if reason.id == reason_id:
                return reason, "active"
        for reason in self.retired.reasons:
            if reason.id == reason_id:
                return reason, "retired"
        return None

    def replacing(self, old: SiteDefinition) -> SiteDefinition:
        """This definition as the successor of `old`: what `old` offered (or had retired) and
        this one no longer offers is kept as retired; what this one offers again is not."""
        points = {p.id for p in self.service_points}
        reasons = {r.id for r in self.feedback.reasons}
        retired_points: dict[str, ServicePoint] = {}
        for point in [
            *old.retired.service_points,
            *old.service_points,
            *self.retired.service_points,
        ]:
            if point.id not in points:
                retired_points[point.id] = point
        retired_reasons: dict[str, Reason] = {}
        for reason in [*old.retired.reasons, *old.feedback.reasons, *self.retired.reasons]:
            if reason.id not in reasons:
                retired_reasons[reason.id] = reason
        retired = Retired(
            service_points=list(retired_points.values()), reasons=list(retired_reasons.values())
        )
        return self.model_copy(update={"retired": retired})


def parse_site(text: str, source: str = "the site file") -> SiteDefinition:
    """Raises SiteError with every problem, each with its key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise SiteError(f"{source} is not valid TOML: {err}", [((), "toml", str(err))]) from None
    return checked_site(data, source)


def checked_site(data: dict[str, Any], source: str = "the site file") -> SiteDefinition:
    """A site file's data (as TOML gives it, or as the console's form builds it) as a
    definition: the one set of rules for `hymy-central site add` and the console.

    Raises SiteError with every problem, each with its key.
    """
    try:
        definition = SiteDefinition.model_validate(data)
    except ValidationError as err:
        found = [(tuple(e["loc"]), e["type"], e["msg"]) for e in err.errors()]
        problems = "; ".join(f"{'.'.join(str(p) for p in loc)}: {msg}" for loc, _, msg in found)
        raise SiteError(f"{source}: {problems}", found) from None
    for key in ("prefix", "id"):
        values = [getattr(p, key) for p in definition.service_points]
        if len(set(values)) != len(values):
            twice = [
                (("service_points", i, key), "unique", f"{value} is used twice")
                for i, value in enumerate(values)
                if values.index(value) != i
            ]
            raise SiteError(
                f"{source}: service_points: each {key} must be unique ({values})", twice
            )
    problem = zone_problem(definition.site.timezone)
    if problem:
        raise SiteError(
            f"{source}: site.timezone: {problem}", [(("site", "timezone"), "timezone", problem)]
        )
    return definition


def lowest_free_slot(taken: Iterable[int], capacity: int) -> int | None:
    """The lowest ticket-number block 0..capacity-1 that no live kiosk holds, or None when live
    kiosks hold every one (a revoked kiosk's block is free again)."""
    held = set(taken)
    return next((slot for slot in range(capacity) if slot not in held), None)


def kiosk_config(definition: SiteDefinition, *, kiosk_id: str, slot: int) -> dict[str, Any]:
    """The config a kiosk gets at enrolment and from GET /api/v1/config (a
    sync.protocol.KioskConfigAnswer, as JSON data): the kiosk TOML's keys, with its own number
    ranges.

    Raises SiteError when the kiosk's block is beyond the site's numbers (numbers_per_kiosk was
    raised after the kiosk was enrolled).
    """
    if slot >= definition.kiosk_slots:
        block = definition.site.numbers_per_kiosk
        raise SiteError(
            f"This kiosk holds ticket-number block {slot + 1} of site {definition.site.id}, but "
            f"with numbers_per_kiosk = {block} the site has blocks for "
            f"{definition.kiosk_slots} kiosks only: lower numbers_per_kiosk in its site file and "
            "run `hymy-central site add` again, or revoke this kiosk and enrol it again."
        )
    block = definition.site.numbers_per_kiosk
    first, last = 1 + slot * block, (slot + 1) * block
    config = KioskConfigAnswer.model_validate(
        {
            "kiosk": {
                "site": definition.site.id,
                "kiosk_id": kiosk_id,
                "station_name": definition.site.name,
                "timezone": definition.site.timezone,
            },
            "service_points": [
                {**point.model_dump(), "range": [first, last]}
                for point in definition.service_points
            ],
            "feedback": {"reasons": [r.model_dump() for r in definition.feedback.reasons]},
            "message": definition.message.texts() or None,
            "questions": definition.questions.for_kiosk(definition.site.id),
        }
    )
    return config.to_json()


def valid_kiosk_id(value: str) -> bool:
    return bool(re.fullmatch(ID, value)) and len(value) <= ID_LENGTH


def retiring(
    definition: SiteDefinition,
    points: Iterable[str] = (),
    reasons: Iterable[str] = (),
    *,
    undo: bool = False,
) -> SiteDefinition:
    """The definition with these service points and reasons retired (kiosks no longer offer
    them; old and late events still count and reports label them retired), or with `undo`
    back in service. Raises SiteError for an id the site does not have in that state, or when
    no service point would be left (retire the whole site instead).
    """
    points, reasons = list(dict.fromkeys(points)), list(dict.fromkeys(reasons))
    site_id = definition.site.id
    active_points = {p.id: p for p in definition.service_points}
    retired_points = {p.id: p for p in definition.retired.service_points}
    active_reasons = {r.id: r for r in definition.feedback.reasons}
    retired_reasons = {r.id: r for r in definition.retired.reasons}
    source_points, target_points = (
        (retired_points, active_points) if undo else (active_points, retired_points)
    )
    source_reasons, target_reasons = (
        (retired_reasons, active_reasons) if undo else (active_reasons, retired_reasons)
    )
    state = "retired" if undo else "offered"
    for point in points:
        if point not in source_points:
            raise SiteError(
                f"Site {site_id} has no {state} service point {point!r}; "
                f"`hymy-central site show {site_id}` lists them."
            )
        target_points[point] = source_points.pop(point)
    for reason in reasons:
        if reason not in source_reasons:
            raise SiteError(
                f"Site {site_id} has no {state} reason {reason!r}; "
                f"`hymy-central site show {site_id}` lists them."
            )
        target_reasons[reason] = source_reasons.pop(reason)
    if not active_points:
        raise SiteError(
            f"Site {site_id} would have no service point left: a site offers at least one. "
            f"To take the whole site out of service, run `hymy-central site retire {site_id}`."
        )
    prefixes = [p.prefix for p in active_points.values()]
    if len(set(prefixes)) != len(prefixes):
        raise SiteError(
            f"Site {site_id}: two offered service points would share a prefix ({prefixes}); "
            "change one in the site file and run `hymy-central site update FILE`."
        )
    return definition.model_copy(
        update={
            "service_points": list(active_points.values()),
            "feedback": Feedback(reasons=list(active_reasons.values())),
            "retired": Retired(
                service_points=list(retired_points.values()),
                reasons=list(retired_reasons.values()),
            ),
        }
    )


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml_value(key)


def _toml_value(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        pairs = ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items())
        return "{ " + pairs + " }"
    raise TypeError(f"no TOML for {value!r}")


def _toml_table(header: str, values: dict[str, Any]) -> list[str]:
    return [header, *(f"{k} = {_toml_value(v)}" for k, v in values.items() if v is not None), ""]


def site_toml(definition: SiteDefinition, retired_at: datetime | None = None) -> str:
    """The definition as a site file that `parse_site` (and so `hymy-central site update`)
    takes back unchanged, retired service points and reasons included."""
    site_id = definition.site.id
    lines = [
        f"# Site {site_id} as the central holds it (hymy-central site show {site_id}).",
        "# Edit it and give it back with `hymy-central site update FILE`. A service point or",
        "# reason left out is kept as retired: its old events still count.",
    ]
    if retired_at is not None:
        lines.append(
            f"# The site is retired since {retired_at.strftime('%Y-%m-%d %H:%M UTC')}: "
            f"`hymy-central site retire {site_id} --undo` returns it to service."
        )
    lines.append("")
    lines += _toml_table("[site]", definition.site.model_dump())
    for point in definition.service_points:
        lines += _toml_table("[[service_points]]", point.model_dump())
    for reason in definition.feedback.reasons:
        lines += _toml_table("[[feedback.reasons]]", reason.model_dump())
    if definition.retired.service_points or definition.retired.reasons:
        lines += ["# No longer offered; kept so their old events still count.", ""]
    for point in definition.retired.service_points:
        lines += _toml_table("[[retired.service_points]]", point.model_dump())
    for reason in definition.retired.reasons:
        lines += _toml_table("[[retired.reasons]]", reason.model_dump())
    lines += _toml_table("[reports]", definition.reports.model_dump())
    if definition.opening_hours != OpeningHours():
        lines += _toml_table("[opening_hours]", definition.opening_hours.model_dump())
    lines += _toml_table("[public]", definition.public.model_dump())
    if definition.message.texts():
        lines += ['# "You said, we did" on the kiosks\' start screen.']
        lines += _toml_table("[message]", definition.message.texts())
    questions = definition.questions
    if questions != Questions():
        parts = {"set", "recommendation", "statements", "own"}
        top = {"set": questions.set, **questions.model_dump(exclude=parts)}
        lines += ["# What the kiosks ask (docs/question-sets.md)."]
        lines += _toml_table("[questions]", top)
        if questions.recommendation:
            lines += _toml_table(
                "[questions.recommendation]", questions.recommendation.model_dump()
            )
        for part in ("statements", "own"):
            for question in getattr(questions, part):
                lines += _toml_table(f"[[questions.{part}]]", question.model_dump())
    return "\n".join(lines).rstrip("\n") + "\n"

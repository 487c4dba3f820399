"""The kiosk's TOML config, validated at start-up into frozen, typed objects.

A bad config raises ConfigError, whose message names the file, each wrong key and what to do about
it, all problems at once. Loading reads the one file and touches nothing else.

Types are strict (pydantic strict mode on every section): `fullscreen = "yes"`, `inactivity =
"30"` or `comments = 1` are mistakes, never guessed at. The only widening is the one TOML needs:
a whole number where a number is asked (`inactivity = 30` for seconds), and TOML's arrays for
the tuples and sets below.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    model_validator,
)

from hymy_domain import facts, national
from hymy_domain.site_message import message_problem
from kiosk.i18n import text_fallbacks
from kiosk.pin import is_pin_hash

SUPPORTED_LANGUAGES = ("fi", "sv", "en")
ID_PATTERN = re.compile(facts.ID_PATTERN)


@dataclass(frozen=True)
class ConfigProblem:
    key: str
    message: str


class ConfigError(Exception):
    """The kiosk config cannot be used; str() is the whole message for a person."""

    def __init__(self, path: Path | str, problems: list[ConfigProblem]) -> None:
        self.path = Path(path)
        self.problems = problems
        lines = [f"{p.key}: {p.message}" if p.key else p.message for p in problems]
        super().__init__(
            f"the config {path} cannot be used:\n  - "
            + "\n  - ".join(lines)
            + "\nFix the file and start the kiosk again; nothing was recorded meanwhile."
        )


def _id(value: str) -> str:
    if not ID_PATTERN.match(value):
        raise ValueError(
            f"{value!r} is not a valid id: use lowercase letters, digits and hyphens "
            "(e.g. 'laboratorio', 'kaleva-aula-1')"
        )
    return value


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    # OSError: a name that is a folder of the time zone database ("Europe") or far too long
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(f"{value!r} is not a time zone name such as 'Europe/Helsinki'") from None
    return value


def _prefix(value: str) -> str:
    if not re.fullmatch(facts.PREFIX_PATTERN, value):
        raise ValueError(f"must be one capital letter A-Z, e.g. 'L' (got {value!r})")
    return value


def _regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as err:
        raise ValueError(f"is not a regular expression ({err}); e.g. '^L\\d{{6}}$'") from None
    return value


def _pin_hash(value: str) -> str:
    if not is_pin_hash(value):
        raise ValueError("store a hash made with `hymy-kiosk --hash-pin`, not the PIN itself")
    return value


def _tuple_from_array(value: object) -> object:
    # TOML (and the central's JSON) has arrays; strict mode takes only tuples for tuple fields.
    return tuple(value) if isinstance(value, list) else value


def _message(value: dict[str, str]) -> dict[str, str]:
    for language, words in value.items():
        problem = message_problem(words)
        if problem:
            raise ValueError(f"{language}: {problem}")
    return value


T = TypeVar("T")
Array = Annotated[tuple[T, ...], BeforeValidator(_tuple_from_array)]
Id = Annotated[str, AfterValidator(_id)]
Localized = facts.Localized
# "You said, we did" per language: a language left out falls back as the station's name does.
Message = Annotated[Localized, AfterValidator(_message)]
Rating = Annotated[int, Field(ge=facts.MIN_RATING, le=facts.MAX_RATING)]
TicketNumber = Annotated[int, Field(ge=1, le=999)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class KioskSection(_Section):
    site: Id
    kiosk_id: Id
    station_name: Localized
    timezone_name: Annotated[str, AfterValidator(_timezone)] = Field(
        "Europe/Helsinki", alias="timezone"
    )
    languages: Array[str] = Field(SUPPORTED_LANGUAGES, min_length=1)
    default_language: str = "fi"
    help_line: Localized | None = None  # the start screen's "where to get help", per language

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone_name)


class Timeouts(_Section):
    inactivity: float = Field(30.0, gt=0, le=600)
    thanks: float = Field(4.0, gt=0, le=60)
    ticket: float = Field(20.0, gt=0, le=300)
    admin: float = Field(60.0, gt=0, le=600)  # the PIN pad, admin and touch-test screens
    warning: float = Field(10.0, ge=0, le=60)  # "Do you need more time?" before a reset; 0: none
    unprinted_ticket: float = Field(600.0, gt=0, le=3600)  # a ticket that did not print
    assisted_factor: float = Field(2.0, ge=1, le=5)  # speech mode: every time-out this much longer


class Misuse(_Section):
    max_ratings: int = Field(5, ge=1, le=1000)
    window_seconds: float = Field(60.0, gt=0, le=3600)
    quiet_seconds: float = Field(30.0, gt=0, le=3600)
    bounce_ms: int = Field(300, ge=0, le=2000)


class Reason(_Section):
    id: Id
    ratings: Array[Rating] = Field(min_length=1)  # a tuple: its problems are named in file order
    name: Localized


class Feedback(_Section):
    comments: bool = True
    comment_max_chars: int = Field(500, ge=1, le=2000)
    reasons: Array[Reason] = ()


class Question(_Section):
    id: Id
    text: Localized


class Questions(_Section):
    """The national feedback model a site may ask instead of the four smileys (from the
    central: the keys of sync.protocol.QuestionSetKeys, docs/question-sets.md): the
    recommendation 0-10 with its end labels, then each statement (the national ones, then the
    region's `own`) on an agreement scale of `steps`, with "I cannot say" when `cannot_say`,
    then the comment when `comment`. `labels` names the steps per language; without it the
    kiosk's catalogs name the five steps. Every answer is sent with the set's id and version."""

    id: Id
    version: int = Field(1, ge=1)
    recommendation: Question
    low: Localized
    high: Localized
    statements: Array[Question] = Field((), max_length=national.MAX_STATEMENTS)
    own: Array[Question] = Field((), max_length=national.MAX_STATEMENTS)
    steps: int = Field(
        national.DEFAULT_AGREEMENT_STEPS,
        ge=national.AGREEMENT_STEPS.start,
        le=national.AGREEMENT_STEPS.stop - 1,
    )
    cannot_say: bool = True
    labels: dict[str, Array[Annotated[str, facts.NonEmpty()]]] | None = None
    comment: bool = True

    @model_validator(mode="after")
    def _askable(self) -> Questions:
        written = {language for q in self.asked for language in q.text}
        problems = national.question_set_problems(
            [q.id for q in self.asked], self.steps, self.labels, written
        )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def asked(self) -> tuple[Question, ...]:
        """The questions in the order they are asked: the recommendation, the statements."""
        return (self.recommendation, *self.statements, *self.own)

    @property
    def agreement_scale(self) -> str:
        return national.agreement_scale(self.steps)


class ServicePoint(_Section):
    id: Id
    name: Localized
    prefix: Annotated[str, AfterValidator(_prefix)]
    range: Annotated[tuple[TicketNumber, TicketNumber], BeforeValidator(_tuple_from_array)]
    guidance: Localized | None = None
    # A scanned booking code checks in here when it starts with one of the prefixes or matches
    # the regular expression as a whole.
    booking_prefixes: Array[Annotated[str, Field(min_length=1)]] = ()
    booking_pattern: Annotated[str, AfterValidator(_regex)] | None = None

    @property
    def first(self) -> int:
        return self.range[0]

    @property
    def last(self) -> int:
        return self.range[1]


class DeviceConfig(_Section):
    kind: Literal["none", "fake", "serial"] = "none"
    port: str | None = None
    baudrate: int = Field(9600, ge=300, le=921600)
    code_page: Literal["CP858", "CP850", "CP865", "CP437"] = "CP858"  # the printer's å ä ö


class PrinterConfig(DeviceConfig):
    baudrate: int = Field(19200, ge=300, le=921600)  # receipt printers' usual speed


class Devices(_Section):
    printer: PrinterConfig = PrinterConfig()
    scanner: DeviceConfig = DeviceConfig()
    buttons: DeviceConfig = DeviceConfig()


class Admin(_Section):
    pin_hash: Annotated[str, AfterValidator(_pin_hash)]
    long_press_seconds: float = Field(3.0, ge=1, le=30)


class OutboxSection(_Section):
    retention_days: int = Field(30, ge=1, le=3650)


class Display(_Section):
    dpi: float = Field(133.0, ge=50, le=600)
    fullscreen: bool = True
    logo: str | None = None  # a PNG on the start screen; relative to the config file's folder
    clock: bool = False  # the time on the start screen


class SpeechSection(_Section):
    """Speech output for speech mode (a visitor switches it on with a held panel key or a
    keypad key; see docs/devices.md)."""

    enabled: bool = True
    engine: Literal["espeak-ng", "fake", "none"] = "espeak-ng"
    rate: int = Field(150, ge=80, le=400)  # words per minute (easy-read languages a sixth slower)
    wav_dir: str | None = None  # each utterance into a WAV file here instead of the speaker


class KioskConfig(_Section):
    """The whole kiosk config. `source` is the file it came from."""

    kiosk: KioskSection
    timeouts: Timeouts = Timeouts()
    misuse: Misuse = Misuse()
    feedback: Feedback = Feedback()
    service_points: Array[ServicePoint] = Field(min_length=1)
    devices: Devices = Devices()
    admin: Admin
    outbox: OutboxSection = OutboxSection()
    display: Display = Display()
    speech: SpeechSection = SpeechSection()
    message: Message | None = None  # "You said, we did" on the start screen (from the central)
    questions: Questions | None = None  # the national set instead of the smileys (from the central)
    _source: Path = PrivateAttr(default=Path("<text>"))

    @property
    def source(self) -> Path:
        return self._source

    @property
    def logo_path(self) -> Path | None:
        """The logo's file (a relative `[display] logo` is beside the config file), or None."""
        if not self.display.logo:
            return None
        return self.source.parent / Path(self.display.logo).expanduser()

    def service_point(self, point_id: str) -> ServicePoint:
        """Raises KeyError for an id the config does not have."""
        for point in self.service_points:
            if point.id == point_id:
                return point
        raise KeyError(point_id)

    def reason(self, reason_id: str) -> Reason:
        """Raises KeyError for an id the config does not have."""
        for reason in self.feedback.reasons:
            if reason.id == reason_id:
                return reason
        raise KeyError(reason_id)

    def reasons_for_rating(self, rating: int) -> list[str]:
        """Ids of the follow-up reasons offered after a rating, in file order."""
        return [r.id for r in self.feedback.reasons if rating in r.ratings]


def text(name: Mapping[str, str], language: str) -> str:
    """A localized name in the language, else in the language it falls back to (easy-read
    Finnish to Finnish, Ukrainian to English: kiosk.i18n.text_fallbacks), else in the first
    language it has."""
    for candidate in text_fallbacks(language):
        if name.get(candidate):
            return name[candidate]
    return next(iter(name.values()), "")


def _key(location: tuple[Any, ...]) -> str:
    key = ""
    for part in location:
        if isinstance(part, int):
            key += f"[{part}]"
        else:
            key += f".{part}" if key else str(part)
    return key


def _toml(value: object) -> str:
    """A value as it would be written in the TOML file (true, "30", [1, 2])."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    return repr(value)


# What a value of the wrong type should look like instead, by pydantic's error type.
WRONG_TYPE = {
    "bool_type": "must be true or false, without quotes",
    "int_type": "must be a whole number without quotes, e.g. 5",
    "float_type": "must be a number without quotes, e.g. 30 or 2.5",
    "string_type": 'must be text in double quotes, e.g. "laboratorio"',
    "tuple_type": 'must be a list in square brackets, e.g. [1, 2] or ["fi", "sv"]',
    "dict_type": 'must be a table: a [section] or { key = "value", ... }',
    "model_type": 'must be a table: a [section] or { key = "value", ... }',
}


def _explain(error: Mapping[str, Any]) -> str:
    kind, message = error["type"], error["msg"]
    if kind == "missing":
        return "is missing; add it"
    if kind == "extra_forbidden":
        return "is not a known key; check its spelling (docs/kiosk-config.md lists every key)"
    if kind == "value_error":  # our own validators' sentences say it all
        return message.removeprefix("Value error, ")
    if kind in WRONG_TYPE:
        return f"{WRONG_TYPE[kind]} (got {_toml(error.get('input'))})"
    return f"{message[0].lower()}{message[1:]} (got {error.get('input')!r})"


def _cross_checks(config: KioskConfig, available: Collection[str]) -> list[ConfigProblem]:
    problems: list[ConfigProblem] = []
    languages = config.kiosk.languages
    for language in languages:
        if language not in available:
            problems.append(
                ConfigProblem(
                    "kiosk.languages",
                    f"{language!r} has no translation; choose from {', '.join(sorted(available))}",
                )
            )
    twice = sorted({language for language in languages if languages.count(language) > 1})
    if twice:
        problems.append(
            ConfigProblem("kiosk.languages", f"lists {', '.join(map(repr, twice))} more than once")
        )
    if config.kiosk.default_language not in languages:
        problems.append(
            ConfigProblem(
                "kiosk.default_language",
                f"{config.kiosk.default_language!r} must be one of kiosk.languages "
                f"({', '.join(languages)})",
            )
        )
    named: list[tuple[str, Mapping[str, str]]] = [("kiosk.station_name", config.kiosk.station_name)]
    for i, point in enumerate(config.service_points):
        named.append((f"service_points[{i}].name", point.name))
        if point.guidance is not None:
            named.append((f"service_points[{i}].guidance", point.guidance))
        if point.first > point.last:
            problems.append(
                ConfigProblem(
                    f"service_points[{i}].range",
                    f"the first number {point.first} is above the last {point.last}; "
                    "write [first, last]",
                )
            )
    for i, reason in enumerate(config.feedback.reasons):
        named.append((f"feedback.reasons[{i}].name", reason.name))
    for key, name in named:
        # A language that falls back (fi-x-easy to fi, uk to en) needs no text of its own.
        missing = [
            lang for lang in languages if lang not in name and text_fallbacks(lang) == (lang,)
        ]
        if missing:
            problems.append(ConfigProblem(key, f"has no text for {', '.join(missing)}; add it"))
    for label, items, attribute in (
        ("service_points", config.service_points, "id"),
        ("service_points", config.service_points, "prefix"),
        ("feedback.reasons", config.feedback.reasons, "id"),
    ):
        seen: dict[str, int] = {}
        for i, item in enumerate(items):
            value = getattr(item, attribute)
            if value in seen:
                problems.append(
                    ConfigProblem(
                        f"{label}[{i}].{attribute}",
                        f"{value!r} is already used by {label}[{seen[value]}]; each must be unique",
                    )
                )
            seen.setdefault(value, i)
    for kind in ("printer", "scanner", "buttons"):
        device: DeviceConfig = getattr(config.devices, kind)
        if device.kind == "serial" and not device.port:
            problems.append(
                ConfigProblem(
                    f"devices.{kind}.port", "a serial device needs its port, e.g. '/dev/ttyUSB0'"
                )
            )
    return problems


def parse_config(
    text_: str, *, source: str | Path, available_languages: Collection[str] = SUPPORTED_LANGUAGES
) -> KioskConfig:
    """The config in TOML text; `source` names it in messages.

    Raises ConfigError listing every problem.
    """
    return validate_config(
        parse_toml(text_, source=source), source=source, available_languages=available_languages
    )


def parse_toml(text_: str, *, source: str | Path) -> dict[str, Any]:
    """The TOML text as a dict. Raises ConfigError when it is not TOML."""
    try:
        return tomllib.loads(text_)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(source, [ConfigProblem("", f"is not valid TOML: {err}")]) from None


def validate_config(
    data: Mapping[str, Any],
    *,
    source: str | Path,
    available_languages: Collection[str] = SUPPORTED_LANGUAGES,
) -> KioskConfig:
    """The config in already parsed data. Raises ConfigError listing every problem."""
    try:
        config = KioskConfig.model_validate(data)
    except ValidationError as err:
        problems = [ConfigProblem(_key(e["loc"]), _explain(e)) for e in err.errors()]
        raise ConfigError(source, problems) from None
    problems = _cross_checks(config, available_languages)
    if problems:
        raise ConfigError(source, problems)
    config._source = Path(source)
    return config


def load_config(
    path: Path, *, available_languages: Collection[str] = SUPPORTED_LANGUAGES
) -> KioskConfig:
    """The config in the TOML file at path.

    Raises ConfigError when the file is missing, unreadable or wrong in any way.
    """
    return parse_config(
        read_config_file(path), source=path, available_languages=available_languages
    )


def read_config_file(path: Path) -> str:
    """The config file's text. Raises ConfigError when it is missing or unreadable."""
    try:
        content = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            path,
            [
                ConfigProblem(
                    "",
                    "does not exist; pass --config PATH or copy "
                    "assets/config/example-kiosk.toml there",
                )
            ],
        ) from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(path, [ConfigProblem("", f"cannot be read: {err}")]) from None
    return content

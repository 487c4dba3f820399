"""Personal data out of free text: Finnish personal identity codes (henkilötunnus, validated by
their check character), phone numbers and e-mail addresses (pure: no I/O, only `re`).

The kiosk redacts every comment before it is written anywhere and refuses a barcode that holds
any of these (`contains_personal_data`); the central redacts every comment again at ingest.

The rules follow what people type, not only the textbook forms:
- henkilötunnus: spaces or any dash around the century sign (`020390 - 526W`, `020390 – 526W`),
  lower case, glued to a word (`hetu020390-526W`), or without the sign (or a space instead of
  it: `131052 308T`) when its check character is a letter (`020390526W`);
- phone numbers: glued to a label (`Puh:0457654321`, `p.0401234567`, `tel:+358401234567`),
  digit groups split by spaces (one or two), dots or dashes, `+358`, `00358`, `+358 (0)40`,
  `(09) 123 456`, and the country code without its plus (`358 40 123 4567`);
- e-mail addresses: spaces around `@` or the dots (`matti @ example.fi`,
  `matti . meikalainen @ example . fi`), the usual disguises (`matti(at)example.fi`,
  `matti [at] example [dot] fi`) and the words alone (`matti at gmail dot com`,
  `matti miukumauku gmail piste com`: the kiosk's keyboard has no `@`). A web address after
  "at" (`book at omaolo.fi`) is taken for one too: an address left in is worse than a site's
  name taken out.

Ordinary numbers stay: dates (`01-12-2026`, `1.12.2026`, `01 12 2026`), times and opening
hours (`klo 14.30`, `08.00-16.00`, `0930-1030`), room and ticket numbers (`huone 214`, `L023`,
lists of them: `023 024 025`, `huone 0214 0215`), postcodes and their ranges (`00100-00990`),
a number with its year (`lähete 0123/2026`), years, prices and short numbers. A phone number
starts with 0 (Finnish, never 000), `+`, `00` or `358`; that alone keeps most numbers apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
# Century signs, the letters Y X W V U and B C D E F added on 1 January 2023.
CENTURIES = {
    "+": 1800,
    "-": 1900,
    "Y": 1900,
    "X": 1900,
    "W": 1900,
    "V": 1900,
    "U": 1900,
    "A": 2000,
    "B": 2000,
    "C": 2000,
    "D": 2000,
    "E": 2000,
    "F": 2000,
}
# What a keyboard, a phone or a word processor makes of the hyphen: hyphen, non-breaking hyphen,
# figure dash, en dash, em dash, minus sign.
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2212"
SPACE = "[ \u00a0\u202f]"  # a space, a no-break space, a narrow no-break space

HETU = re.compile(
    rf"(?<!\d)(\d{{2}})(\d{{2}})(\d{{2}})"
    # The sign, maybe with spaces around it; or a space in its place (then, as without a sign,
    # only a letter for a check character makes it a henkilötunnus).
    rf"(?:{SPACE}{{0,2}}([-+{DASHES}A-FU-Ya-fu-y]){SPACE}{{0,2}}|{SPACE}{{1,2}})?"
    r"(\d{3})([0-9A-Ya-y])(?!\d)"
)


def _disguise(*words: str) -> str:
    """A word in brackets standing for a character: "(at)", "[dot]", "{ät}"."""
    return rf"{SPACE}{{0,2}}[(\[{{<]{SPACE}?(?:{'|'.join(words)}){SPACE}?[)\]}}>]{SPACE}{{0,2}}"


def _spoken(*words: str) -> str:
    """A word alone standing for a character, with spaces around it: " at ", " piste "."""
    return rf"{SPACE}{{1,2}}(?:{'|'.join(words)}){SPACE}{{1,2}}"


AT_WORDS = ("at", "ät", "snabel-?a", "miuku", "miukumauku", "kissanhäntä")
DOT_WORDS = ("dot", "piste", "punkt")
AT_SIGNS = "@\uff20\ufe6b"  # @, the full-width @ and the small one of some phone keyboards
_AT = (
    rf"(?:{SPACE}{{0,2}}[{AT_SIGNS}]{SPACE}{{0,2}}|{_disguise('a', *AT_WORDS)}"
    rf"|(?P<spoken_at>{_spoken(*AT_WORDS)}))"
)
_DOT = (
    rf"(?:{SPACE}{{0,2}}\.{SPACE}{{0,2}}|{_disguise(*DOT_WORDS)}"
    rf"|{_spoken(*DOT_WORDS)})"
)
EMAIL = re.compile(
    # The local part, maybe "matti . meikalainen" (a dot with a space on both sides: "Kiitos.
    # matti@..." is a sentence before an address); it starts at its first word, never after
    # " . ", which also keeps the search linear.
    rf"(?<![\w.+-])(?<!{SPACE}\.{SPACE})[\w+-]+(?:(?:\.|{SPACE}\.{SPACE})[\w+-]+)*"
    rf"{_AT}"
    rf"(?P<domain>[\w-]+(?:{_DOT}[\w-]+)*{_DOT}(?P<tld>[A-Za-z]{{2,24}}))(?![\w-])",
    re.IGNORECASE,
)
DISGUISED = re.compile(r"[\s(\[{<]")
# A disguised address (spaces around its dots, "(dot)", "at" as a word) must end in a top-level
# domain people use here, so that "Moi @ kaikki. Kiitos" and "at the desk. Thanks" stay sentences.
COMMON_TLDS = frozenset(
    {"fi", "ax", "se", "no", "dk", "is", "ee", "de", "eu", "uk", "nl", "fr", "es", "it", "ch"}
    | {"at", "be", "pl", "ru", "com", "net", "org", "info", "io", "me", "biz"}
)

# A run of digit groups that may hold a phone number: groups joined by one or two spaces, a dot,
# a dash or a slash (with spaces around it or not), or brackets: "+358 (0)40 123 4567",
# "(09) 123 456", "040.123.4567". It may follow a label ("puh:", "p.") but not another number.
_JOIN = rf"(?=[ \u00a0\u202f)(./\-{DASHES}])\)?{SPACE}{{0,2}}(?:[./\-{DASHES}]{SPACE}{{0,2}})?\(?"
NUMBER_RUN = re.compile(rf"(?<!\d)(?<!\d[.,:/\-{DASHES}])(?:\+{SPACE}?|\()?\d+(?:{_JOIN}\d+)*")
DIGITS = re.compile(r"\d+")
FIRST_ZERO = re.compile(r"(?<!\d)0")  # a group that starts with 0
DATE_SEPARATORS = frozenset(".-/" + DASHES)
TIME_SEPARATORS = frozenset(".:")
RANGE_SEPARATORS = frozenset("-" + DASHES)
COUNTRY_CODE = "358"  # Finland's, typed without its plus: "358 40 123 4567"
BARE_COUNTRY_DIGITS = range(11, 14)  # 358 and the national number without its 0
NATIONAL_DIGITS = range(7, 13)  # 0 and 6 to 11 more: 09 12345, 040 1234 5678
INTERNATIONAL_DIGITS = range(7, 16)  # after + or 00: E.164 allows 15

HETU_TOKEN, PHONE_TOKEN, EMAIL_TOKEN = "[HETU]", "[PHONE]", "[EMAIL]"


@dataclass(frozen=True)
class Redaction:
    text: str
    found: tuple[str, ...]  # kinds found, in order: "hetu", then "email", then "phone"


def is_valid_hetu(candidate: str) -> bool:
    """True for a henkilötunnus with an existing date and the right check character."""
    match = HETU.fullmatch(candidate.strip())
    return match is not None and _hetu_ok(match)


def _hetu_ok(match: re.Match[str]) -> bool:
    day, month, year, sign, individual, check = match.groups()
    if sign is None:
        # Typed without its sign: only with a letter for a check character, which no phone
        # number or other run of digits has; the century is then unknown.
        if check.isdigit():
            return False
        centuries = (1800, 1900, 2000)
    else:
        sign = "-" if sign in DASHES else sign.upper()
        centuries = (CENTURIES[sign],)
    if int(individual) < 2 or not any(_is_date(c + int(year), month, day) for c in centuries):
        return False
    return CHECK_CHARACTERS[int(day + month + year + individual) % 31] == check.upper()


def _is_date(year: int, month: str, day: str) -> bool:
    try:
        date(year, int(month), int(day))
    except ValueError:
        return False
    return True


def _is_email(match: re.Match[str]) -> bool:
    disguised = match["spoken_at"] is not None or DISGUISED.search(match["domain"])
    return not disguised or match["tld"].lower() in COMMON_TLDS


# --- phone numbers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Group:
    start: int  # in the text
    end: int
    digits: str
    joiner: str  # what joins it to the group before ("" for the first)


def _groups(run: re.Match[str]) -> list[_Group]:
    groups: list[_Group] = []
    previous_end = None
    for digits in DIGITS.finditer(run.group(0)):
        start, end = run.start() + digits.start(), run.start() + digits.end()
        joiner = "" if previous_end is None else run.string[previous_end:start]
        groups.append(_Group(start, end, digits.group(0), joiner))
        previous_end = end
    return groups


def _chains(groups: list[_Group], separators: frozenset[str], *, spaced: bool) -> list[range]:
    """Maximal runs of groups joined by one and the same separator ("1.12.2026"; with
    `spaced`, also one with spaces around it: "1. 12. 2026")."""

    def joins(i: int) -> bool:
        joiner = groups[i].joiner
        return (joiner.strip(" \u00a0\u202f") if spaced else joiner) in separators

    chains: list[range] = []
    first = 0
    for i in range(1, len(groups) + 1):
        goes_on = (
            i < len(groups)
            and joins(i)
            and (i == first + 1 or groups[i].joiner == groups[first + 1].joiner)
        )
        if not goes_on:
            chains.append(range(first, i))
            first = i
    return chains


def _is_date_chain(groups: list[_Group]) -> bool:
    if len(groups) != 3:
        return False
    day, month, year = (g.digits for g in groups)
    return (
        len(day) <= 2
        and len(month) <= 2
        and (len(year) == 2 or _is_year(year))
        and 1 <= int(day) <= 31
        and 1 <= int(month) <= 12
    )


def _is_year(digits: str) -> bool:
    return len(digits) == 4 and 1900 <= int(digits) <= 2099


def _is_time_chain(groups: list[_Group]) -> bool:
    if len(groups) != 2:
        return False
    hours, minutes = (g.digits for g in groups)
    return len(hours) <= 2 and len(minutes) == 2 and int(hours) <= 24 and int(minutes) <= 59


def _is_spaced_date_chain(groups: list[_Group]) -> bool:
    """ "01 12 2026": a date with spaces only when its year has four digits."""
    return _is_date_chain(groups) and len(groups[2].digits) == 4


def _is_clock(digits: str) -> bool:
    return len(digits) == 4 and int(digits[:2]) <= 24 and int(digits[2:]) <= 59


def _is_clock_range(groups: list[_Group]) -> bool:
    """ "0930-1030": two times of four digits each, from and to."""
    return len(groups) == 2 and all(_is_clock(g.digits) for g in groups)


def _is_number_list(groups: list[_Group]) -> bool:
    """ "023 024 025", "00100-00990", "huone 0214 0215": numbers of one length, each too short to
    be a phone number and each with its leading zero, are a list or a range of numbers."""
    lengths = {len(g.digits) for g in groups}
    return (
        len(groups) >= 2
        and len(lengths) == 1
        and 3 <= lengths.pop() < NATIONAL_DIGITS.start
        and all(g.digits.startswith("0") for g in groups)
    )


def _dates_and_times(groups: list[_Group]) -> set[int]:
    """Indexes of the groups that are part of a date (1.12.2026, 01 12 2026), a time (14.30) or
    a range of times (0930-1030), or that are a year after a slash ending the run (0123/2026)."""
    taken: set[int] = set()
    last = groups[-1] if groups else None
    if last and last.joiner.strip(" \u00a0\u202f") == "/" and _is_year(last.digits):
        taken.add(len(groups) - 1)
    for separators, spaced, is_kind in (
        (DATE_SEPARATORS, True, _is_date_chain),
        (frozenset(" "), False, _is_spaced_date_chain),
        (TIME_SEPARATORS, False, _is_time_chain),
        (RANGE_SEPARATORS, True, _is_clock_range),
    ):
        for chain in _chains(groups, separators, spaced=spaced):
            if is_kind([groups[i] for i in chain]):
                taken.update(chain)
    return taken


def _phone_end(
    groups: list[_Group], i: int, international: bool, taken: set[int], allowed: range
) -> int | None:
    """The last group of the longest phone number that starts at group i, if one does: enough
    digits (and not too many), no date or time in it, and no group of one digit (a list of
    small numbers) except the area code after a country code ("+358 9 123 4567") or a bracketed
    trunk zero ("+358 (0)40"). Looks only as far as a phone number's digits can reach."""
    prefix = 2 if groups[i].digits.startswith("00") else 0  # 00 358 ... counts as +358 ...
    found, digits = None, 0
    for j in range(i, len(groups)):
        group = groups[j]
        single = len(group.digits) == 1 and j > i
        if j in taken or (
            single and not ((international and j - i <= 2) or group.joiner.endswith("("))
        ):
            break
        digits += len(group.digits)
        if digits - prefix >= allowed.stop:
            break
        if digits - prefix in allowed:
            found = j
    return found


def _phone_spans(run: re.Match[str]) -> list[tuple[int, int]]:
    """Where the run holds phone numbers: from each group that can start one, the longest
    stretch of groups that is a phone number and holds no date or time."""
    groups = _groups(run)
    dates_and_times = _dates_and_times(groups)
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(groups):
        digits = groups[i].digits
        plus = i == 0 and run.group(0).startswith("+")
        # "358 40 123 4567": the country code without its plus, at the start of a run.
        bare = i == 0 and not plus and digits.startswith(COUNTRY_CODE) and digits[3:4] != "0"
        international = plus or bare or digits.startswith("00")
        allowed = (
            BARE_COUNTRY_DIGITS
            if bare
            else INTERNATIONAL_DIGITS
            if international
            else NATIONAL_DIGITS
        )
        # After a country code, "9-10-1900" is a Helsinki number, not a date.
        taken: set[int] = set() if international else dates_and_times
        # No country code starts with 0: "000..." is an order or customer number.
        starts = (digits.startswith("0") and not digits.startswith("000")) or plus or bare
        # A number glued to the one before by a bare dot or dash ("12-0401") is not a new start.
        glued = i > 0 and groups[i].joiner in DATE_SEPARATORS
        found = (
            _phone_end(groups, i, international, taken, allowed) if starts and not glued else None
        )
        if found is not None and _is_number_list(groups[i : found + 1]):
            found = None
        if found is None:
            i += 1
            continue
        start = run.start() if i == 0 else groups[i].start
        if i > 0 and groups[i].joiner.endswith("("):
            start -= 1  # "(09) 123 456" from its bracket
        spans.append((start, groups[found].end))
        i = found + 1
    return spans


def _may_hold_a_phone(run: str) -> bool:
    """A quick look that leaves out most runs (a date, a time, a room number) at once."""
    return sum(map(str.isdigit, run)) >= NATIONAL_DIGITS.start and (
        run[0] in "+(" or run.startswith(COUNTRY_CODE) or bool(FIRST_ZERO.search(run))
    )


def _redact_phones(text: str, found: list[str]) -> str:
    spans = [
        span
        for run in NUMBER_RUN.finditer(text)
        if _may_hold_a_phone(run.group(0))
        for span in _phone_spans(run)
    ]
    if not spans:
        return text
    pieces: list[str] = []
    last = 0
    for start, end in spans:
        pieces += [text[last:start], PHONE_TOKEN]
        found.append("phone")
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


# --- all three ---------------------------------------------------------------------------------


# Other spaces people's keyboards and phones type between digit groups: tab, no-break and thin
# spaces, ideographic space. Read as a plain space (the text keeps one in their place).
_ODD_SPACES = str.maketrans(
    dict.fromkeys(["\t", "\u00a0", "\u1680", *map(chr, range(0x2000, 0x200B)), "\u202f"], " ")
    | dict.fromkeys(["\u205f", "\u3000"], " ")
)
# A line break inside a number ("040 123\n4567"): read as a space between its digits.
_BREAK_IN_NUMBER = re.compile(r"(?<=\d)[ \t]*(?:\r\n|\r|\n)[ \t]*(?=[\d+(])")


def redact(text: str) -> Redaction:
    """The text with each henkilötunnus, e-mail address and phone number replaced by a token."""
    found: list[str] = []
    text = _BREAK_IN_NUMBER.sub(" ", text.translate(_ODD_SPACES))

    def hetu(match: re.Match[str]) -> str:
        if not _hetu_ok(match):
            return match.group(0)
        found.append("hetu")
        return HETU_TOKEN

    def email(match: re.Match[str]) -> str:
        if not _is_email(match):
            return match.group(0)
        found.append("email")
        return EMAIL_TOKEN

    text = HETU.sub(hetu, text)
    text = EMAIL.sub(email, text)
    text = _redact_phones(text, found)
    return Redaction(text=text, found=tuple(found))


def contains_personal_data(text: str) -> bool:
    """True when the text holds a henkilötunnus, a phone number or an e-mail address."""
    return bool(redact(text).found)

"""Personal data out of free text: Finnish personal identity codes (henkilötunnus, validated by
their check character), phone numbers and e-mail addresses (pure: no I/O).

Comments are redacted before they are written anywhere; a barcode that holds any of these is
refused (`contains_personal_data`).
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

HETU = re.compile(
    r"(?<![0-9A-Za-zÅÄÖåäö])(\d{2})(\d{2})(\d{2})([-+A-FU-Ya-fu-y])(\d{3})([0-9A-Ya-y])"
    r"(?![0-9A-Za-zÅÄÖåäö])"
)
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])", re.UNICODE)
# A phone number: optional international prefix (+358, 00358, +46), then digit groups separated by
# single spaces or hyphens, optionally an area code in brackets; 7 to 17 digits in all
# (E.164 plus a 00 prefix).
PHONE = re.compile(
    r"(?<![\w.,:/])(?:(?:\+|00)\d{1,3}[ -]?)?(?:\(0?\d{1,3}\)[ -]?)?"
    r"\d(?:[ -]?\d){5,16}(?![\w.,:/]\d)"
)

HETU_TOKEN, PHONE_TOKEN, EMAIL_TOKEN = "[HETU]", "[PHONE]", "[EMAIL]"


@dataclass(frozen=True)
class Redaction:
    text: str
    found: tuple[str, ...]  # kinds found, in order: "hetu", "phone", "email"


def is_valid_hetu(candidate: str) -> bool:
    """True for a henkilötunnus with an existing date and the right check character."""
    match = HETU.fullmatch(candidate.strip())
    return match is not None and _hetu_ok(match)


def _hetu_ok(match: re.Match[str]) -> bool:
    day, month, year, sign, individual, check = match.groups()
    century = CENTURIES.get(sign.upper())
    if century is None or int(individual) < 2:
        return False
    try:
        date(century + int(year), int(month), int(day))
    except ValueError:
        return False
    return CHECK_CHARACTERS[int(day + month + year + individual) % 31] == check.upper()


def _digits(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def _is_phone(candidate: str) -> bool:
    digits = _digits(candidate)
    if not 7 <= digits <= 17:  # E.164 allows 15 digits, plus a 00 prefix
        return False
    compact = re.sub(r"[ ()-]", "", candidate)
    # Finnish numbers start with 0 (or +358/00358); foreign ones need their + or 00 prefix.
    # That keeps sums of money, years and long reference numbers without a 0 apart.
    return compact.startswith(("+", "0"))


def redact(text: str) -> Redaction:
    """The text with each henkilötunnus, e-mail address and phone number replaced by a token."""
    found: list[tuple[int, str]] = []

    def hetu(match: re.Match[str]) -> str:
        if not _hetu_ok(match):
            return match.group(0)
        found.append((match.start(), "hetu"))
        return HETU_TOKEN

    def email(match: re.Match[str]) -> str:
        found.append((match.start(), "email"))
        return EMAIL_TOKEN

    def phone(match: re.Match[str]) -> str:
        if not _is_phone(match.group(0)):
            return match.group(0)
        found.append((match.start(), "phone"))
        return PHONE_TOKEN

    text = HETU.sub(hetu, text)
    text = EMAIL.sub(email, text)
    text = PHONE.sub(phone, text)
    return Redaction(text=text, found=tuple(kind for _, kind in found))


def contains_personal_data(text: str) -> bool:
    """True when the text holds a henkilötunnus, a phone number or an e-mail address."""
    return bool(redact(text).found)

"""Which service point a scanned booking code checks the visitor in at, by the rules of the
kiosk config (a prefix or a regular expression per service point). Pure."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from hymy_domain.redaction import contains_personal_data, is_valid_hetu

HETU_LENGTH = 11


@dataclass(frozen=True)
class BookingRule:
    service_point: str
    prefixes: tuple[str, ...] = ()
    pattern: str | None = None

    def matches(self, code: str) -> bool:
        if any(code.upper().startswith(p.upper()) for p in self.prefixes):
            return True
        return bool(self.pattern and re.fullmatch(self.pattern, code))


@dataclass(frozen=True)
class BookingDecision:
    service_point: str | None  # where to check in; None when refused or unknown
    refused_personal_data: bool = False


def carries_personal_data(code: str) -> bool:
    """A henkilötunnus anywhere in the code (also run together with other characters, as
    barcodes are), or a phone number or e-mail address."""
    if contains_personal_data(code):
        return True
    return any(is_valid_hetu(code[i : i + HETU_LENGTH]) for i in range(len(code) - HETU_LENGTH + 1))


def decide(code: str, rules: Sequence[BookingRule]) -> BookingDecision:
    """A code that carries a henkilötunnus, phone number or e-mail address is refused before
    anything else looks at it (it is never stored or logged); else the first matching rule."""
    if carries_personal_data(code):
        return BookingDecision(None, refused_personal_data=True)
    for rule in rules:
        if rule.matches(code):
            return BookingDecision(rule.service_point)
    return BookingDecision(None)

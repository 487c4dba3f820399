"""Queue-ticket numbering (pure): a prefix per service point, the kiosk's own number range, a new
day at local midnight in Europe/Helsinki. The outbox keeps the counter in the same transaction as
the check-in, so a number is never handed out twice after a restart."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from hymy_domain.facts import PREFIX_PATTERN

HELSINKI = ZoneInfo("Europe/Helsinki")


@dataclass(frozen=True)
class TicketRange:
    prefix: str
    first: int
    last: int

    def __post_init__(self) -> None:
        if not re.fullmatch(PREFIX_PATTERN, self.prefix):
            raise ValueError(f"A ticket prefix is one capital letter, not {self.prefix!r}.")
        if not 1 <= self.first <= self.last:
            raise ValueError(
                f"A ticket range needs 1 <= first <= last, not {self.first}..{self.last}."
            )

    @property
    def key(self) -> str:
        """The counter's key: its own for each prefix and range."""
        return f"{self.prefix}:{self.first}-{self.last}"


@dataclass(frozen=True)
class TicketCounter:
    day: date
    last_number: int


def service_day(moment: datetime, tz: ZoneInfo = HELSINKI) -> date:
    """The local date of a moment, which decides when numbering starts again.

    Raises ValueError for a naive datetime.
    """
    if moment.utcoffset() is None:
        raise ValueError("service_day needs an aware datetime (with its UTC offset).")
    return moment.astimezone(tz).date()


def next_number(ticket_range: TicketRange, counter: TicketCounter | None, today: date) -> int:
    """The number to hand out next: the first of the range on a new day; else one up, from the
    last of the range back to its first."""
    if counter is None or counter.day != today:
        return ticket_range.first
    following = counter.last_number + 1
    if following > ticket_range.last or following < ticket_range.first:
        return ticket_range.first
    return following


def format_ticket(prefix: str, number: int, width: int = 3) -> str:
    """'L', 23 -> 'L023'."""
    return f"{prefix}{number:0{width}d}"

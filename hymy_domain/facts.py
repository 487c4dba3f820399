"""Facts of the domain that the kiosk, the sync agent and the central all rely on, each defined
once here (pure: no I/O, no third-party imports).

- Ids of sites, kiosks, service points and reasons: `ID_PATTERN` (lowercase words joined by
  hyphens), at most `ID_MAX_CHARS`.
- Queue tickets: a service point's `prefix` (`PREFIX_PATTERN`, one capital letter) and the
  ticket it gives (`TICKET_PATTERN`, e.g. "L023"), at most `TICKET_MAX_CHARS`.
- Ratings: `RATINGS`, 1 very unhappy .. 4 very happy, no neutral (`RATING_NAMES`).
- `Localized`: a text in several languages, language code -> non-empty text.
- `PrinterState` and `StorageState`: the words the kiosk, the heartbeat and the fleet view use.
- `CENTRAL_CONFIG_FILE`: the central's config for a kiosk, in the data directory (written by
  the sync agent, read by the kiosk), and `CENTRAL_KIOSK_KEYS`, the kiosk keys it sets.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"  # sites, kiosks, service points, reasons
ID_MAX_CHARS = 64  # the central's columns that hold them (central.tables: String(64))
PREFIX_PATTERN = r"^[A-Z]$"  # a service point's ticket prefix
TICKET_PATTERN = r"^[A-Z][0-9]{3,}$"  # a queue ticket: its prefix and at least three digits
TICKET_MAX_CHARS = 16

RATINGS = (1, 2, 3, 4)  # the four smileys; every rating is one of these, no neutral
MIN_RATING, MAX_RATING = RATINGS[0], RATINGS[-1]
# Each rating's name in keys and columns (`very_unhappy`); people read translated words.
RATING_NAMES = {1: "very_unhappy", 2: "unhappy", 3: "happy", 4: "very_happy"}


class NonEmpty:
    """Annotation: the text holds at least one character. Pydantic (in the kiosk's and the
    central's models) reads it through this hook; nothing here imports pydantic."""

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        return {**handler(source), "min_length": 1}

    def __repr__(self) -> str:
        return "NonEmpty()"


# A text in several languages: {"fi": "Laboratorio", "sv": "Laboratoriet", "en": "Laboratory"}.
Localized = dict[str, Annotated[str, NonEmpty()]]


class PrinterState(StrEnum):
    """The kiosk's receipt printer, as the kiosk notes it, the heartbeat sends it and the
    fleet view shows it."""

    NONE = "none"  # no printer configured
    OK = "ok"
    PAPER_NEAR_END = "paper_near_end"
    PAPER_OUT = "paper_out"
    OFFLINE = "offline"


PRINTER_NEEDS_PAPER = frozenset({PrinterState.PAPER_OUT, PrinterState.PAPER_NEAR_END})


class StorageState(StrEnum):
    """The kiosk's data directory, as the sync agent finds it and the heartbeat sends it."""

    OK = "ok"
    READ_ONLY = "read_only"
    FULL = "full"
    ERROR = "error"  # an outbox write failed for another reason


CENTRAL_CONFIG_FILE = "central-config.json"  # in the data directory
# The keys of the kiosk section that the central's config sets (sync.protocol.ConfigKiosk);
# the kiosk's own file keeps the rest of its section.
CENTRAL_KIOSK_KEYS = ("site", "kiosk_id", "station_name", "timezone")

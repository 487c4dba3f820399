"""Builders of the wire-format v1 events (see ARCHITECTURE.md and sync.protocol), as JSON-ready
dicts (pure)."""

from __future__ import annotations

import re
import uuid
from typing import Any

from hymy_domain.facts import RATINGS
from hymy_domain.national import COMMENT_SCALE, value_problem
from kiosk.clock import Stamp

METHODS = ("touch", "barcode")
TICKET = re.compile(r"^[A-Z]\d{3,}$")


def _common(
    kind: str, stamp: Stamp, language: str, service_point: str | None, event_id: str | None
) -> dict[str, Any]:
    if stamp.occurred_at.utcoffset() is None:
        raise ValueError("An event's time must carry its UTC offset (an aware datetime).")
    if not language:
        raise ValueError("An event needs the visitor's language.")
    return {
        "id": event_id or str(uuid.uuid4()),
        "type": kind,
        "occurred_at": stamp.occurred_at.isoformat(timespec="milliseconds"),  # plenty, and smaller
        "boot_id": stamp.boot_id,
        "monotonic_ms": stamp.monotonic_ms,
        "language": language,
        "service_point": service_point,
    }


def feedback_event(
    *,
    stamp: Stamp,
    language: str,
    rating: int,
    reason: str | None,
    comment: str | None,
    misuse: bool,
    service_point: str | None = None,
    event_id: str | None = None,
) -> dict[str, Any]:
    """A feedback event. The comment must already be redacted.

    Raises ValueError for a rating outside 1..4 or a time without its offset.
    """
    if rating not in RATINGS:
        raise ValueError(f"A rating is 1, 2, 3 or 4, not {rating!r}.")
    event = _common("feedback", stamp, language, service_point, event_id)
    event.update(rating=rating, reason=reason, comment=comment, misuse=bool(misuse))
    return event


def checkin_event(
    *,
    stamp: Stamp,
    language: str,
    service_point: str,
    ticket: str,
    method: str = "touch",
    printed: bool = False,
    event_id: str | None = None,
) -> dict[str, Any]:
    """A check-in event with its queue ticket.

    Raises ValueError for an unknown method, a malformed ticket or a time without its offset.
    """
    if method not in METHODS:
        raise ValueError(f"A check-in method is 'touch' or 'barcode', not {method!r}.")
    if not TICKET.match(ticket):
        raise ValueError(f"A ticket is a capital letter and a number, e.g. 'L023', not {ticket!r}.")
    event = _common("checkin", stamp, language, service_point, event_id)
    event.update(ticket=ticket, method=method, printed=bool(printed))
    return event


def response_event(
    *,
    stamp: Stamp,
    language: str,
    question_set: str,
    set_version: int,
    question: str,
    scale: str,
    value: int | None,
    visit: str,
    misuse: bool,
    comment: str | None = None,
    event_id: str | None = None,
) -> dict[str, Any]:
    """A response: one answer to one question of the site's national set (a visit's answers
    share `visit`). A comment (scale "comment", value None) must already be redacted.

    Raises ValueError for a value its scale does not have, a comment on another scale or a
    time without its offset.
    """
    problem = value_problem(scale, value)
    if problem:
        raise ValueError(f"{question}: {problem}")
    if (scale == COMMENT_SCALE) != bool(comment and comment.strip()):
        raise ValueError("A comment comes with the scale 'comment' and no other, never empty.")
    event = _common("response", stamp, language, None, event_id)
    event.update(
        question_set=question_set,
        set_version=set_version,
        question=question,
        scale=scale,
        value=value,
        visit=visit,
        misuse=bool(misuse),
    )
    if comment is not None:
        event["comment"] = comment
    return event

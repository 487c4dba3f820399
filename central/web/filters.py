"""The filter forms of the report pages (site, comparison): the period a person asked for, read
from the query string, checked against central.limits, with a sentence in their language when
it cannot be reported, and the typed values kept so the form shows what they wrote.

A bad period never reaches a report: the page shows the form, the message and no figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import Request

from central.limits import EARLIEST_DAY, LATEST_DAY, MAX_DAYS, MAX_DAYS_BY_HOUR
from central.periods import QUICK, last_days, quick_period


@dataclass
class PeriodChoice:
    """What the form shows (`from_text`, `to_text`, `quick`) and, when `error` is None, the
    local days to report."""

    first: date
    last: date
    from_text: str
    to_text: str
    quick: str | None = None
    error: str | None = None


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def period_from_query(
    request: Request, today: date, *, default_days: int, by_hour: bool, gettext: Any
) -> PeriodChoice:
    """The period of `?quick=...` or `?from=...&to=...` (either may be left out: `to` is then
    today, `from` `default_days` before `to`), by default the last `default_days` days.
    `by_hour`: the page reads hourly figures (its heat map), so at most 3 years."""
    _ = gettext
    params = request.query_params
    quick = params.get("quick") or None
    if quick in QUICK:
        first, last = quick_period(quick, today)
        return PeriodChoice(first, last, first.isoformat(), last.isoformat(), quick)
    from_text, to_text = params.get("from", "").strip(), params.get("to", "").strip()
    default_first, default_last = last_days(today, default_days)
    first = _day(from_text) if from_text else None
    last = _day(to_text) if to_text else None
    choice = PeriodChoice(
        first or default_first,
        last or default_last,
        from_text or (default_first.isoformat() if not to_text else ""),
        to_text or default_last.isoformat(),
    )
    if (from_text and first is None) or (to_text and last is None):
        choice.error = _("Write the days as year-month-day, for example 2026-11-30.")
        return choice
    if first is None and last is not None:
        choice.first = last_days(last, default_days)[0]
        choice.from_text = choice.first.isoformat()
    for day in (choice.first, choice.last):
        if not EARLIEST_DAY <= day <= LATEST_DAY:
            choice.error = _(
                "Reports cover the days from %(first)s to %(last)s: check the year."
            ) % {"first": EARLIEST_DAY.isoformat(), "last": LATEST_DAY.isoformat()}
            return choice
    if choice.last < choice.first:
        choice.error = _(
            "The period ends before it starts: choose a last day on or after the first day."
        )
        return choice
    longest = MAX_DAYS_BY_HOUR if by_hour else MAX_DAYS
    if (choice.last - choice.first).days + 1 > longest:
        choice.error = _(
            "This page covers at most %(days)s days (%(years)s years) at a time: "
            "choose a shorter period."
        ) % {"days": longest, "years": 3 if by_hour else 20}
    return choice


def quick_links(request: Request, current: str | None, gettext: Any) -> list[dict[str, Any]]:
    """The quick choices as links of this page, its other filters kept."""
    _ = gettext
    words = {
        "this_week": _("This week"),
        "last_4_weeks": _("Last 4 weeks"),
        "this_month": _("This month"),
        "last_month": _("Last month"),
        "this_year": _("This year"),
    }
    kept = [
        (k, v)
        for k, v in request.query_params.multi_items()
        if k not in ("quick", "from", "to", "download", "table")
    ]
    return [
        {
            "key": key,
            "label": words[key],
            "url": f"{request.url.path}?{urlencode([*kept, ('quick', key)])}",
            "current": key == current,
        }
        for key in QUICK
    ]

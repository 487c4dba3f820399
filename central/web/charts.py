"""The report pages' charts and labels: Chart.js configs (JSON, drawn by static/console.js from a
`<script type="application/json">` block) and the words for buckets and weekdays in the
person's language (Babel's calendar names, so Swedish gets "måndag" without a catalog entry).

A hidden figure is None in the data, which Chart.js draws as a gap: never a zero.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from babel.dates import format_date, format_skeleton, get_day_names

from central.downloads import Cell
from central.web import i18n


def N_(message: str) -> str:  # noqa: N802 - gettext's name for "translate later"
    """Marks a message for the catalogs; translated where it is shown."""
    return message


RATING_WORDS = (N_("Very unhappy"), N_("Unhappy"), N_("Happy"), N_("Very happy"))


def weekday_names(language: str, width: str = "wide") -> list[str]:
    """Monday..Sunday in the language, as a heading (stand-alone: "maanantai", not the
    "maanantaina" of a date), "abbreviated" for narrow places."""
    names = get_day_names(width, context="stand-alone", locale=i18n.locale(language))
    return [str(names[i]) for i in range(7)]


def bucket_text(bucket: dict[str, Any], by: str, language: str, gettext: Any) -> str:
    """A bucket for a chart's axis: 24.11. (short: a month of days must fit), week 48/2026,
    marraskuu 2026."""
    where = i18n.locale(language)
    first: date = bucket["from"]
    if by == "day":
        return format_skeleton("MMMd", first, locale=where)
    if by == "week":
        year, week = bucket["bucket"].split("-W")
        return gettext("Week %(week)s/%(year)s") % {"week": int(week), "year": year}
    return format_date(first, "LLLL yyyy", locale=where)


def bucket_cell(bucket: dict[str, Any], by: str, language: str, gettext: Any) -> Cell:
    """A bucket's first cell of a table: a day is a real date (a date cell in Excel)."""
    return bucket["from"] if by == "day" else bucket_text(bucket, by, language, gettext)


def distribution_chart(
    labels: list[str], distributions: list[dict[str, int] | None], gettext: Any, *,
    horizontal: bool = False,
) -> dict[str, Any]:  # fmt: skip
    """Stacked bars of the four ratings' counts, a bar per label (None: hidden, no bar)."""
    datasets = [
        {
            "label": gettext(word),
            "rating": rating,
            "data": [None if d is None else d.get(str(rating), 0) for d in distributions],
        }
        for rating, word in enumerate(RATING_WORDS, start=1)
    ]
    axis = {"stacked": True, "beginAtZero": True}
    labelled = {**axis, "ticks": {"autoSkip": False}}  # every bar keeps its label
    return {
        "type": "bar",
        "data": {"labels": labels, "datasets": datasets},
        "options": {
            "indexAxis": "y" if horizontal else "x",
            "scales": {"x": axis, "y": labelled} if horizontal else {"x": axis, "y": axis},
            "plugins": {"legend": {"position": "bottom"}},
        },
    }


def line_chart(labels: list[str], values: list[float | None], label: str) -> dict[str, Any]:
    """A score over time on the 0-100 scale; None leaves a gap."""
    return {
        "type": "line",
        "data": {"labels": labels, "datasets": [{"label": label, "data": values}]},
        "options": {
            "spanGaps": False,
            "scales": {"y": {"min": 0, "max": 100}},
            "plugins": {"legend": {"display": False}},
        },
    }


def bar_chart(
    labels: list[str], values: list[float | int | None], label: str, *, horizontal: bool = False,
    maximum: float | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Plain bars (check-ins per bucket; shrunken scores across units)."""
    scale: dict[str, Any] = {"beginAtZero": True}
    if maximum is not None:
        scale["max"] = maximum
    return {
        "type": "bar",
        "data": {"labels": labels, "datasets": [{"label": label, "data": values}]},
        "options": {
            "indexAxis": "y" if horizontal else "x",
            "scales": {"x" if horizontal else "y": scale},
            "plugins": {"legend": {"display": False}},
        },
    }


def heat_step(value: float | int | None, top: float | int) -> int:
    """The heat-0..heat-9 class step of a value out of `top` (0 when there is nothing)."""
    if value is None or top <= 0:
        return 0
    return max(0, min(9, round(9 * value / top)))

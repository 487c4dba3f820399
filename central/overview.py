"""The managers' front page: for each site, this week so far against last week, from the same
reports the API gives (central.reports over the rollups), with names in the reader's language and
the small-number rule (central.fairness) applied to every figure.

The change in score compares this week (Monday..today) with last week's same days (Monday..the
same weekday): a week's days differ (Mondays are busy, Fridays short), so comparing three days
with seven would mostly measure the calendar. The full last week is given beside it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from central.downloads import Table
from central.fairness import guard, shown_count
from central.names import reason_name, site_name
from central.national_report import national_report
from central.reports import report
from central.site_store import load_site
from central.sites import SiteDefinition
from hymy_domain.national import RECOMMEND_SCALE

TOP_REASONS = 5
PERIODS = ("this_week", "last_week_to_date", "last_week")
CHANGE_AGAINST = "last_week_to_date"


def weeks(today: date) -> dict[str, tuple[date, date]]:
    """The three periods of the overview as (first, last) local days: this ISO week up to today,
    last week up to the same weekday, and the whole of last week."""
    monday = today - timedelta(days=today.weekday())
    last_monday = monday - timedelta(days=7)
    return {
        "this_week": (monday, today),
        "last_week_to_date": (last_monday, today - timedelta(days=7)),
        "last_week": (last_monday, monday - timedelta(days=1)),
    }


def overview(
    conn: Connection,
    sites: list[str],
    today: date | None,
    language: str,
    *,
    include_misuse: bool = False,
) -> dict[str, Any]:
    """Per site, in the order given: its name in `language`, and for this week, last week to
    the same weekday and the whole of last week the feedback (guarded: n, hidden, fewer_than,
    min_answers, score, distribution, positive_share, top_reasons), the check-ins, and for a
    site that asks the national set (or has answers to one) its `recommendation`: the NPS with
    its own n (guarded: n, hidden, fewer_than, nps), never mixed into the score; None for a
    site on the smileys only. `change` is this week's score minus last week's to the same
    weekday (None when either is hidden).

    `today` None means each site's own local date now (sites may lie in different zones).
    Raises what central.reports.report raises (NotFoundError, ReportError, LimitError).
    """
    answer: list[dict[str, Any]] = []
    for site in dict.fromkeys(sites):
        definition = load_site(conn, site)
        local_today = today if today is not None else local_date(definition)
        minimum = definition.reports.min_answers
        periods = {
            name: _period(conn, definition, first, last, language, minimum, include_misuse)
            for name, (first, last) in weeks(local_today).items()
        }
        now, before = periods["this_week"]["score"], periods[CHANGE_AGAINST]["score"]
        answer.append(
            {
                "site": site,
                "name": site_name(definition, language),
                "today": local_today.isoformat(),
                "min_answers": minimum,
                **periods,
                "change": None if now is None or before is None else round(now - before, 1),
            }
        )
    return {
        "language": language,
        "include_misuse": include_misuse,
        "change_against": CHANGE_AGAINST,
        "sites": answer,
    }


def local_date(definition: SiteDefinition) -> date:
    """Today in the site's own time zone."""
    return datetime.now(UTC).astimezone(ZoneInfo(definition.site.timezone)).date()


def _period(
    conn: Connection,
    definition: SiteDefinition,
    first: date,
    last: date,
    language: str,
    minimum: int,
    include_misuse: bool,
) -> dict[str, Any]:
    site = definition.site.id
    feedback = report(
        conn, "feedback", [site], first, last, by="week", include_misuse=include_misuse
    )
    checkins = report(conn, "checkins", [site], first, last, by="week")
    recommendation = _recommendation(conn, definition, first, last, minimum, include_misuse)
    total = feedback["total"]
    reasons = [
        {
            "reason": r["reason"],
            "name": reason_name({site: definition}, r["reason"], language),
            "count": r["count"],
            "state": r["state"],
        }
        for r in feedback["top_reasons"][:TOP_REASONS]
    ]
    figures = {
        "score": total["score"],
        "distribution": total["distribution"],
        "positive_share": total["positive_share"],
        "top_reasons": reasons,
    }
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        **guard(total["n"], minimum, figures),
        "checkins": checkins["total"]["checkins"],
        "recommendation": recommendation,
    }


def _recommendation(
    conn: Connection,
    definition: SiteDefinition,
    first: date,
    last: date,
    minimum: int,
    include_misuse: bool,
) -> dict[str, Any] | None:
    """The national set's recommendation over the period (its newest version's answers), as
    central.national_report guards it; for a national site without answers yet, n 0; None for
    a site on the smileys that has none."""
    (site,) = national_report(
        conn, [definition.site.id], first, last, include_misuse=include_misuse
    )["sites"]
    found = next((q for q in site["questions"] if q["scale"] == RECOMMEND_SCALE), None)
    if found is not None:
        return {key: found[key] for key in ("n", "hidden", "fewer_than", "min_answers", "nps")}
    if definition.questions.set == "national":
        return guard(0, minimum, {"nps": None})
    return None


def overview_tables(answer: dict[str, Any], gettext: Callable[[str], str] = str) -> list[Table]:
    """The overview's numbers as two tables: the weeks of every site, and their top reasons.
    `gettext` translates the headings (English msgids); hidden figures stay None and a
    withheld n reads "< minimum"."""
    _ = gettext
    labels = {
        "this_week": _("This week"),
        "last_week_to_date": _("Last week to the same day"),
        "last_week": _("Last week"),
    }
    weeks_table = Table(
        title=_("Overview"),
        headings=[
            _("Site"), _("Period"), _("From"), _("To"), _("Answers"), _("Very unhappy"),
            _("Unhappy"), _("Happy"), _("Very happy"), _("Score"), _("Positive share"),
            _("Change in score"), _("Check-ins"), _("NPS"), _("NPS answers"),
        ],
        rows=[],
    )  # fmt: skip
    reasons_table = Table(
        title=_("Top reasons"),
        headings=[_("Site"), _("Period"), _("Reason"), _("Count")],
        rows=[],
    )
    for site in answer["sites"]:
        for period in PERIODS:
            p = site[period]
            d = p["distribution"] or {}
            weeks_table.rows.append(
                [
                    site["name"],
                    labels[period],
                    date.fromisoformat(p["from"]),
                    date.fromisoformat(p["to"]),
                    shown_count(p),
                    d.get("1"),
                    d.get("2"),
                    d.get("3"),
                    d.get("4"),
                    p["score"],
                    p["positive_share"],
                    site["change"] if period == "this_week" else None,
                    p["checkins"],
                    (p["recommendation"] or {}).get("nps"),
                    shown_count(p["recommendation"]) if p["recommendation"] else None,
                ]
            )
            for reason in p["top_reasons"] or []:
                reasons_table.rows.append(
                    [site["name"], labels[period], reason["name"], reason["count"]]
                )
    return [weeks_table, reasons_table]

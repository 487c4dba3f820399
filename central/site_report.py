"""One site over a period, as the console's site page shows it: feedback and check-ins per
bucket (day, week or month; every bucket of the period, empty ones too, so a chart shows a gap
rather than joining two far points), by service point, the top reasons, the hour x weekday grid
(central.heatmap), and what was left out: misuse (counted by running the report with and
without it) and events whose kiosk time was implausible.

Every feedback figure goes through central.fairness.guard with the site's minimum; check-ins are
counts of visits, not opinions, and are always shown.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection

from central.downloads import Cell, Table
from central.fairness import guard, shown_count
from central.heatmap import heatmap
from central.language_names import language_name
from central.names import reason_name, service_point_name
from central.report_math import NO_POINT
from central.reports import report
from central.sites import SiteDefinition

BUCKETS = ("day", "week", "month")
TOP_REASONS = 10
EMPTY = {"n": 0, "score": None, "distribution": None, "positive_share": None}


def bucket_of(day: date, by: str) -> str:
    """The label central.reports gives the bucket a local day falls in."""
    if by == "day":
        return day.isoformat()
    if by == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    if by == "month":
        return day.strftime("%Y-%m")
    raise ValueError(f"Bucket by one of {', '.join(BUCKETS)}, not {by!r}.")


def period_buckets(first: date, last: date, by: str) -> list[dict[str, Any]]:
    """Every bucket of first..last in order: {bucket, from, to}, its days within the period
    (the first and last week or month may be partial)."""
    found: dict[str, dict[str, Any]] = {}
    day = first
    while day <= last:
        key = bucket_of(day, by)
        found.setdefault(key, {"bucket": key, "from": day})["to"] = day
        day += timedelta(days=1)
    return list(found.values())


def _figures(bucket: dict[str, Any]) -> dict[str, Any]:
    return {
        "score": bucket["score"],
        "distribution": bucket["distribution"],
        "positive_share": bucket["positive_share"],
    }


def site_report(
    conn: Connection,
    definition: SiteDefinition,
    first: date,
    last: date,
    *,
    by: str = "day",
    service_point: str | None = None,
    include_misuse: bool = False,
    language: str = "fi",
) -> dict[str, Any]:
    """The site page's figures (see the module's docstring), every one guarded.

    Raises ValueError for a bucket other than day, week or month, and what
    central.reports.report raises (ReportError, LimitError, NotFoundError).
    """
    if by not in BUCKETS:
        raise ValueError(f"Bucket by one of {', '.join(BUCKETS)}, not {by!r}.")
    site = definition.site.id
    minimum = definition.reports.min_answers
    common = {"first": first, "last": last, "service_point": service_point}
    feedback = report(conn, "feedback", [site], by=by, include_misuse=include_misuse, **common)
    # The same period with misuse the other way: the difference is what was flagged.
    other = report(
        conn, "feedback", [site], by="month", include_misuse=not include_misuse, **common
    )
    checkins = report(conn, "checkins", [site], by=by, **common)
    points = report(
        conn, "feedback", [site], by="service-point", include_misuse=include_misuse, **common
    )
    scored = {b["bucket"]: b for b in feedback["buckets"]}
    counted = {b["bucket"]: b["checkins"] for b in checkins["buckets"]}
    buckets = []
    for bucket in period_buckets(first, last, by):
        found = scored.get(bucket["bucket"], EMPTY)
        buckets.append(
            {
                **bucket,
                **guard(found["n"], minimum, _figures(found)),
                "checkins": counted.get(bucket["bucket"], 0),
            }
        )
    total = guard(feedback["total"]["n"], minimum, _figures(feedback["total"]))
    by_point = []
    for bucket in points["buckets"]:
        point = bucket["bucket"]
        name = None if point == NO_POINT else service_point_name(definition, point, language)
        by_point.append(
            {
                "service_point": None if point == NO_POINT else point,
                "name": name,
                "state": bucket.get("state"),
                **guard(bucket["n"], minimum, _figures(bucket)),
            }
        )
    shown_points = [p for p in by_point if p["service_point"]]
    shown_points.sort(key=lambda p: (p["hidden"], p["name"]))
    reasons = [
        {
            "reason": r["reason"],
            "name": reason_name({site: definition}, r["reason"], language),
            "count": r["count"],
            "state": r["state"],
            "not_offered_for_rating": r["not_offered_for_rating"],
        }
        for r in feedback["top_reasons"][:TOP_REASONS]
    ]
    languages = [
        {
            "language": r["language"],
            "name": language_name(r["language"], language) or "",
            "count": r["count"],
        }
        for r in feedback["languages"]
    ]
    flagged = abs(other["total"]["n"] - feedback["total"]["n"])
    grid = heatmap(
        conn, [site], first, last, service_point=service_point, include_misuse=include_misuse
    )
    return {
        "site": site,
        "from": first.isoformat(),
        "to": last.isoformat(),
        "by": by,
        "service_point": service_point,
        "include_misuse": include_misuse,
        "min_answers": minimum,
        "total": {**total, "checkins": checkins["total"]["checkins"]},
        "buckets": buckets,
        "service_points": shown_points,
        "without_service_point": next((p for p in by_point if p["service_point"] is None), None),
        # Reasons of too few answers could point at a visitor, as any figure could.
        "top_reasons": None if total["hidden"] else reasons,
        "languages": None if total["hidden"] else languages,  # the visitors' kiosk languages
        "misuse": flagged,
        "heatmap": grid,
        "left_out": {
            "time_implausible": feedback["left_out"]["time_implausible"]
            + checkins["left_out"]["time_implausible"]
        },
    }


def _row(label: Cell, figures: dict[str, Any]) -> list[Cell]:
    d = figures["distribution"] or {}
    return [
        label,
        shown_count(figures),
        figures["score"],
        d.get("1"),
        d.get("2"),
        d.get("3"),
        d.get("4"),
        figures["positive_share"],
    ]


def site_tables(
    answer: dict[str, Any],
    gettext: Callable[[str], str] = str,
    label: Callable[[dict[str, Any]], Cell] = lambda b: b["bucket"],
) -> dict[str, Table]:
    """The site page's tables by download name: scores, distribution, checkins,
    service-points, reasons, languages. `label` turns a bucket into its first cell (a date for
    a day, say); `gettext` translates titles and headings (English msgids)."""
    _ = gettext
    ratings = [_("Very unhappy"), _("Unhappy"), _("Happy"), _("Very happy")]
    period = _("Period")
    scores = Table(_("Score by period"), [period, _("Answers"), _("Score")])
    distribution = Table(
        _("Answers by rating"), [period, _("Answers"), *ratings, _("Positive share")]
    )
    checkins = Table(_("Check-ins by period"), [period, _("Check-ins")])
    for bucket in answer["buckets"]:
        row = _row(label(bucket), bucket)
        scores.rows.append(row[:3])
        distribution.rows.append([row[0], row[1], *row[3:]])
        checkins.rows.append([row[0], bucket["checkins"]])
    points = Table(
        _("By service point"),
        [_("Service point"), _("Answers"), _("Score"), *ratings, _("Positive share")],
        [_row(p["name"], p) for p in answer["service_points"]],
    )
    reasons = Table(
        _("Top reasons"),
        [_("Reason"), _("Count"), _("With a rating the reason is not offered for")],
        [[r["name"], r["count"], r["not_offered_for_rating"]] for r in answer["top_reasons"] or []],
    )
    languages = Table(
        _("Answers by language"),
        [_("Language"), _("Answers")],
        [[r["name"], r["count"]] for r in answer.get("languages") or []],
    )
    return {
        "scores": scores,
        "distribution": distribution,
        "checkins": checkins,
        "service-points": points,
        "reasons": reasons,
        "languages": languages,
    }

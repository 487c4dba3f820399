"""When visitors come and how they feel then: an hour (0-23) x weekday (Monday-Sunday) grid of
feedback and check-ins in the site's local time, over a period.

It reads central.reports' hour buckets (the hourly rollups by UTC hour, each placed in its site's
local time, DST-aware): an autumn night's two 03:00 hours both fall in the 03 column, the spring
night's missing one in none. Misuse is left out unless asked; every cell goes through the
small-number rule (central.fairness.guard).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection

from central.downloads import Table
from central.fairness import guard, shown_count, strictest_minimum
from central.report_math import HOUR_LABEL, Bucket
from central.reports import report
from central.site_store import load_site

WEEKDAYS = (1, 2, 3, 4, 5, 6, 7)  # ISO: Monday is 1
HOURS = tuple(range(24))


def N_(message: str) -> str:  # noqa: N802 - gettext's name for "translate later"
    """Marks an English msgid for the console's catalogs; heatmap_tables translates it."""
    return message


WEEKDAY_NAMES = (
    N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"),
    N_("Sunday"),
)  # fmt: skip


def _place(label: str) -> tuple[int, int]:
    """(weekday index 0-6, hour) of an hour bucket's local label, e.g. 2026-10-25T03:00+0300."""
    local = datetime.strptime(label, HOUR_LABEL.replace(":00", ":%M"))
    return local.weekday(), local.hour


def heatmap(
    conn: Connection,
    sites: list[str],
    first: date,
    last: date,
    *,
    service_point: str | None = None,
    include_misuse: bool = False,
    min_answers: int | None = None,
) -> dict[str, Any]:
    """The grid of the sites' local days first..last (at most 3 years, as reports by hour).

    Answer: `feedback` is 7 rows (Monday first) of 24 cells, each {weekday (1-7), hour, n,
    hidden, fewer_than, min_answers, score}; `checkins` 7 rows of 24 counts; `total` the guarded
    figures of the whole period; the minimum is the largest of the sites' and `min_answers`.

    Raises what central.reports.report raises (NotFoundError, ReportError, LimitError) and
    central.fairness.FairnessError for a minimum below 1.
    """
    minimum = strictest_minimum(
        (load_site(conn, site).reports.min_answers for site in dict.fromkeys(sites)), min_answers
    )
    common = {"first": first, "last": last, "by": "hour", "service_point": service_point}
    feedback = report(conn, "feedback", sites, include_misuse=include_misuse, **common)
    checkins = report(conn, "checkins", sites, **common)
    ratings = [[Counter() for _ in HOURS] for _ in WEEKDAYS]
    for bucket in feedback["buckets"]:
        day, hour = _place(bucket["bucket"])
        ratings[day][hour].update({int(r): c for r, c in bucket["distribution"].items()})
    counts = [[0 for _ in HOURS] for _ in WEEKDAYS]
    for bucket in checkins["buckets"]:
        day, hour = _place(bucket["bucket"])
        counts[day][hour] += bucket["checkins"]
    grid = []
    for day in range(len(WEEKDAYS)):
        row = []
        for hour in HOURS:
            cell = Bucket("cell", distribution=ratings[day][hour]).as_json("feedback")
            row.append(
                {
                    "weekday": WEEKDAYS[day],
                    "hour": hour,
                    **guard(cell["n"], minimum, {"score": cell["score"]}),
                }
            )
        grid.append(row)
    total = feedback["total"]
    return {
        "sites": feedback["sites"],
        "from": first.isoformat(),
        "to": last.isoformat(),
        "service_point": service_point,
        "include_misuse": include_misuse,
        "min_answers": minimum,
        "weekdays": list(WEEKDAYS),
        "hours": list(HOURS),
        "feedback": grid,
        "checkins": counts,
        "total": {
            **guard(
                total["n"],
                minimum,
                {
                    "score": total["score"],
                    "distribution": total["distribution"],
                    "positive_share": total["positive_share"],
                },
            ),
            "checkins": checkins["total"]["checkins"],
        },
        "left_out": {
            "time_implausible": feedback["left_out"]["time_implausible"]
            + checkins["left_out"]["time_implausible"]
        },
    }


def heatmap_tables(answer: dict[str, Any], gettext: Callable[[str], str] = str) -> list[Table]:
    """The grid as three tables of a row per weekday and a column per hour: scores, answers
    (a withheld n reads "< minimum") and check-ins. `gettext` translates titles, headings and
    weekday names (English msgids)."""
    _ = gettext
    headings = [_("Weekday"), *(f"{hour:02d}" for hour in answer["hours"])]
    days = [_(name) for name in WEEKDAY_NAMES]
    scores = Table(_("Score by hour"), headings)
    answers = Table(_("Answers by hour"), headings)
    checkins = Table(_("Check-ins by hour"), headings)
    for day, cells, counts in zip(days, answer["feedback"], answer["checkins"], strict=True):
        scores.rows.append([day, *(cell["score"] for cell in cells)])
        answers.rows.append([day, *(shown_count(cell) for cell in cells)])
        checkins.rows.append([day, *counts])
    return [scores, answers, checkins]

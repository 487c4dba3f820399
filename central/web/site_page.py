"""`/sites` (choose a site; straight to it when a person has one) and `/sites/{site}`: one
site's feedback and check-ins over a period (central.site_report), filtered by a GET form so
every view has its own URL to share and bookmark, with every table downloadable.

The page reads hourly figures (its heat map), so a period is at most 3 years; a period that
cannot be reported shows the form as typed and a sentence, never a 5xx or a JSON problem.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from central.api.deps import Db
from central.heatmap import heatmap_tables
from central.names import service_point_name, site_name
from central.national_report import national_section
from central.overview import local_date
from central.site_report import BUCKETS, site_report, site_tables
from central.sites import SiteDefinition
from central.web.charts import (
    bar_chart,
    bucket_cell,
    bucket_text,
    distribution_chart,
    heat_step,
    line_chart,
    weekday_names,
)
from central.web.filters import period_from_query, quick_links
from central.web.pages import page
from central.web.scope import readable_sites, require_reader, require_site
from central.web.session import CurrentSession, PageError
from central.web.templating import gettext_for, language_of, render

router = APIRouter(include_in_schema=False)
DEFAULT_DAYS = 28


@router.get("/sites")
def choose_site(request: Request, session: CurrentSession, db: Db) -> Response:
    """The person's sites to choose from; their one site at once."""
    caller = session.person.caller
    require_reader(request, caller)
    language = language_of(request)
    sites = readable_sites(db, caller)
    if len(sites) == 1:
        return RedirectResponse(f"/sites/{sites[0].site.id}", status_code=303)
    choices = sorted(
        ((d.site.id, site_name(d, language)) for d in sites), key=lambda item: item[1].lower()
    )
    return render(request, "sites.html", nav="site", sites=choices)


def service_points(definition: SiteDefinition, language: str, gettext: Any) -> list[tuple]:
    """(id, name) of the site's service points for the filter: active ones, then retired ones
    (their old answers are still reported)."""

    def named(point: str) -> str:
        return service_point_name(definition, point, language)

    active = [(p.id, named(p.id)) for p in definition.service_points]
    retired = [
        (p.id, gettext("%(name)s (retired)") % {"name": named(p.id)})
        for p in definition.retired.service_points
    ]
    return sorted(active, key=lambda p: p[1].lower()) + sorted(retired, key=lambda p: p[1].lower())


def heat_rows(grid: dict[str, Any], language: str) -> dict[str, Any]:
    """The heat map's rows for the template: (weekday name, [(step, cell)...]), over the hours
    from the first to the last with any answer or check-in (a night of empty columns only
    pushes the day off a phone's screen; the downloads keep all 24)."""
    names = weekday_names(language)
    top = max((max(row) for row in grid["checkins"]), default=0)
    used = [
        hour
        for hour in grid["hours"]
        if any(row[hour]["n"] != 0 for row in grid["feedback"])
        or any(row[hour] for row in grid["checkins"])
    ]
    hours = list(range(used[0], used[-1] + 1)) if used else list(grid["hours"])
    return {
        "hours": hours,
        "trimmed": len(hours) < len(grid["hours"]),
        "feedback": [
            (
                name,
                [
                    (None if cells[h]["hidden"] else heat_step(cells[h]["score"], 100), cells[h])
                    for h in hours
                ],
            )
            for name, cells in zip(names, grid["feedback"], strict=True)
        ],
        "checkins": [
            (name, [(heat_step(counts[h], top), counts[h]) for h in hours])
            for name, counts in zip(names, grid["checkins"], strict=True)
        ],
    }


@router.get("/sites/{site}")
def site_page(request: Request, site: str, session: CurrentSession, db: Db) -> Response:
    """One site over a period."""
    _ = gettext_for(request)
    language = language_of(request)
    definition = require_site(request, db, session.person.caller, site)
    params = request.query_params
    choice = period_from_query(
        request, local_date(definition), default_days=DEFAULT_DAYS, by_hour=True, gettext=_
    )
    by = params.get("by") if params.get("by") in BUCKETS else "day"
    points = service_points(definition, language, _)
    point = params.get("service_point") or None
    include_misuse = params.get("include_misuse") in ("1", "on", "true")
    if point is not None and point not in {p for p, _name in points}:
        choice.error = choice.error or _(
            "This site has no such service point: choose one from the list."
        )
    form = {
        "choice": choice, "by": by, "point": point, "include_misuse": include_misuse,
        "points": points, "buckets": BUCKETS,
        "quick_links": quick_links(request, choice.quick, _),
    }  # fmt: skip
    name = site_name(definition, language)
    if choice.error:
        if params.get("download"):
            raise PageError(422, choice.error)
        return page(request, "site.html", nav="site", site=site, name=name, status_code=422, **form)
    answer = site_report(
        db, definition, choice.first, choice.last, by=by, service_point=point,
        include_misuse=include_misuse, language=language,
    )  # fmt: skip
    tables = site_tables(answer, _, lambda bucket: bucket_cell(bucket, by, language, _))
    scores_t, answers_t, checkins_t = heatmap_tables(answer["heatmap"], _)
    for table in (scores_t, answers_t, checkins_t):
        for row, day in zip(table.rows, weekday_names(language), strict=True):
            row[0] = day
    tables |= {"heat-scores": scores_t, "heat-answers": answers_t, "heat-checkins": checkins_t}
    # The national set's answers apart, each question with its own n: never in the score.
    national, national_table = national_section(
        db, definition, choice.first, choice.last, language, _, service_point=point,
        include_misuse=include_misuse,
    )  # fmt: skip
    if national_table is not None:
        tables["national"] = national_table
    labels = [bucket_text(b, by, language, _) for b in answer["buckets"]]
    charts = {
        "scores": line_chart(labels, [b["score"] for b in answer["buckets"]], _("Score")),
        "distribution": distribution_chart(
            labels, [b["distribution"] for b in answer["buckets"]], _
        ),
        "checkins": bar_chart(labels, [b["checkins"] for b in answer["buckets"]], _("Check-ins")),
    }
    return page(
        request,
        "site.html",
        tables=tables,
        name_parts=(site, choice.first, choice.last),
        nav="site",
        site=site,
        name=name,
        answer=answer,
        charts=charts,
        heat=heat_rows(answer["heatmap"], language),
        national=national,
        pdf_query=urlencode(
            {"from": choice.first.isoformat(), "to": choice.last.isoformat(), "by": by}
            | ({"service_point": point} if point else {})
            | ({"include_misuse": "1"} if include_misuse else {})
        ),
        **form,
    )

"""`/`: the managers' overview, this week against last week for every site of the person's
scope (central.overview); IT staff read no reports, so their start is the fleet.

Up to CARDS_AT_MOST sites get a card each (score, distribution chart and its numbers, change,
reasons, check-ins); more would be a wall to scroll, so an admin of a whole county gets one
compact table instead.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from central.api.deps import Db
from central.overview import CHANGE_AGAINST, overview, overview_tables
from central.web.charts import distribution_chart
from central.web.pages import page
from central.web.scope import readable_sites
from central.web.session import CurrentSession
from central.web.templating import gettext_for, language_of

router = APIRouter(include_in_schema=False)
CARDS_AT_MOST = 12


def _card_chart(site: dict[str, Any], gettext: Any) -> dict[str, Any] | None:
    """This week's and last week's distributions as two stacked bars; None when both are
    hidden (a chart of nothing says nothing)."""
    periods = ("this_week", CHANGE_AGAINST)
    distributions = [site[p]["distribution"] for p in periods]
    if all(d is None for d in distributions):
        return None
    labels = [gettext("This week"), gettext("Last week, same days")]
    return distribution_chart(labels, distributions, gettext, horizontal=True)


@router.get("/")
def overview_page(request: Request, session: CurrentSession, db: Db) -> Response:
    """The overview of the person's sites."""
    caller = session.person.caller
    if not caller.reads_reports:
        return RedirectResponse("/fleet", status_code=303)
    _ = gettext_for(request)
    language = language_of(request)
    sites = [d.site.id for d in readable_sites(db, caller)]
    answer = overview(db, sites, None, language)
    weeks_table, reasons_table = overview_tables(answer, _)
    charts = {site["site"]: _card_chart(site, _) for site in answer["sites"]}
    today = answer["sites"][0]["today"] if answer["sites"] else date.today().isoformat()
    return page(
        request,
        "overview.html",
        tables={"overview": weeks_table, "reasons": reasons_table},
        name_parts=("overview", today),
        nav="overview",
        answer=answer,
        charts=charts,
        compact=len(answer["sites"]) > CARDS_AT_MOST,
        change_against=CHANGE_AGAINST,
    )

"""`/compare`: the person's sites (or their service points) side by side, fairly
(central.comparison): sorted by the score shrunk towards the mean of all the compared answers,
units with too few answers last and without figures, the formula shown with its numbers.

A manager who names a site outside their scope (`?site=B`) gets the 403 page, as on every page.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from central.api.deps import Db
from central.comparison import UNITS, comparison, comparison_tables
from central.names import site_name
from central.overview import local_date
from central.web.charts import bar_chart
from central.web.filters import period_from_query, quick_links
from central.web.pages import page
from central.web.scope import readable_sites, require_reader, require_site
from central.web.session import CurrentSession, PageError
from central.web.templating import gettext_for, language_of

router = APIRouter(include_in_schema=False)
DEFAULT_DAYS = 90
BARS_IN_A_SMALL_CHART = 12


@router.get("/compare")
def compare_page(request: Request, session: CurrentSession, db: Db) -> Response:
    """Sites or service points compared over a period."""
    _ = gettext_for(request)
    language = language_of(request)
    caller = session.person.caller
    require_reader(request, caller)
    readable = readable_sites(db, caller)
    asked = list(dict.fromkeys(request.query_params.getlist("site")))
    chosen = [require_site(request, db, caller, site) for site in asked] or readable
    by = request.query_params.get("by") if request.query_params.get("by") in UNITS else "site"
    today = local_date(chosen[0]) if chosen else None
    form = {
        "sites": sorted(
            ((d.site.id, site_name(d, language)) for d in readable), key=lambda s: s[1].lower()
        ),
        "chosen": {d.site.id for d in chosen},
        "by": by,
    }
    if today is None:
        return page(request, "compare.html", nav="compare", choice=None, **form)
    choice = period_from_query(request, today, default_days=DEFAULT_DAYS, by_hour=False, gettext=_)
    form |= {"choice": choice, "quick_links": quick_links(request, choice.quick, _)}
    if choice.error:
        if request.query_params.get("download"):
            raise PageError(422, choice.error)
        return page(request, "compare.html", nav="compare", status_code=422, **form)
    answer = comparison(
        db, [d.site.id for d in chosen], choice.first, choice.last, by=by, language=language
    )
    units_table, formula_table = comparison_tables(answer, _)
    shown = [u for u in answer["units"] if not u["hidden"]]
    one_site = len({u["site"] for u in shown}) <= 1  # the site's name would only crowd the axis
    labels = [
        u["name"] if by == "site" or one_site else f"{u['name']} ({u['site_name']})" for u in shown
    ]
    chart = bar_chart(
        labels, [u["shrunk_score"] for u in shown], _("Shrunken score"),
        horizontal=True, maximum=100,
    )  # fmt: skip
    return page(
        request,
        "compare.html",
        tables={"comparison": units_table, "formula": formula_table},
        name_parts=("comparison", choice.first, choice.last),
        nav="compare",
        answer=answer,
        bars=chart if shown else None,
        chart_size="wide" if len(shown) <= BARS_IN_A_SMALL_CHART else "tall",
        **form,
    )

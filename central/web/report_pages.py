"""The site report as a PDF in the console, and the page where a person chooses which reports
they get by e-mail.

- `/sites/{site}/report.pdf`: the site page's period (the same `from`, `to`, `quick` and `by`)
  as a PDF in the person's language, behind the page's own access check: a manager can never
  download what they could not open.
- `/reports`: the person's scheduled reports (weekly or monthly; one site, or every site they
  may read when they read several), subscribe and unsubscribe. An admin may choose someone
  else (`?person=ID`) and change theirs.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Connection

from central.api.deps import Db, run_write
from central.names import site_name
from central.overview import local_date
from central.people import Person, list_people, person_by_id
from central.report_subscriptions import (
    EVERY_SITE,
    SubscriptionError,
    subscribe,
    subscriptions_of,
    unsubscribe,
)
from central.site_report import BUCKETS, period_buckets
from central.web.filters import period_from_query
from central.web.scope import readable_sites, require_reader, require_site
from central.web.session import CurrentSession, FormSession, PageError
from central.web.site_page import DEFAULT_DAYS, service_points
from central.web.templating import gettext_for, language_of, render

router = APIRouter(include_in_schema=False)


@router.get("/sites/{site}/report.pdf")
def site_pdf(request: Request, site: str, session: CurrentSession, db: Db) -> Response:
    """The site page's period as a PDF."""
    # Imported here: central.report_pdf imports central.web, which imports this module.
    from central.report_pdf import CONTENT_TYPE, MAX_BUCKETS, render_report

    _ = gettext_for(request)
    definition = require_site(request, db, session.person.caller, site)
    choice = period_from_query(
        request, local_date(definition), default_days=DEFAULT_DAYS, by_hour=True, gettext=_
    )
    if choice.error:
        raise PageError(422, choice.error)
    asked = request.query_params.get("by")
    # A long period by day is too many rows on paper: the first bucket from the asked one on
    # that fits (a year by day becomes a year by week).
    fitting = [b for b in BUCKETS[BUCKETS.index(asked) if asked in BUCKETS else 0 :]
               if len(period_buckets(choice.first, choice.last, b)) <= MAX_BUCKETS]  # fmt: skip
    if not fitting:
        raise PageError(422, _("This period is too long for a PDF: choose at most five years."))
    params = request.query_params
    point = params.get("service_point") or None
    if point is not None and point not in {p for p, _name in service_points(definition, "fi", _)}:
        raise PageError(422, _("This site has no such service point: choose one from the list."))
    pdf = render_report(
        db, [definition], choice.first, choice.last, language=language_of(request),
        by=fitting[0], service_point=point,
        include_misuse=params.get("include_misuse") in ("1", "on", "true"),
    )  # fmt: skip
    return Response(
        pdf.data,
        media_type=CONTENT_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="{pdf.filename}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


def _whose(request: Request, db: Connection, me: Person, wanted: str | None) -> Person:
    """The person whose reports the page shows: oneself, or (for an admin) anyone."""
    if not wanted or wanted == me.id:
        return me
    _ = gettext_for(request)
    if me.role != "admin":
        raise PageError(403, _("Only an admin may change another person's reports."))
    found = person_by_id(db, wanted)
    if found is None:
        raise PageError(404, _("There is no such person. Choose one from the list."))
    return found


def _page(
    request: Request, db: Connection, me: Person, whose: Person, status_code: int = 200,
    **context: Any,
) -> Response:  # fmt: skip
    db.rollback()  # a fresh snapshot after a write (SQLite would show what it read before)
    language = language_of(request)
    sites = readable_sites(db, whose.caller) if whose.caller.reads_reports else []
    names = {d.site.id: site_name(d, language) for d in sites}
    scopes = sorted(names.items(), key=lambda item: item[1].lower())
    people = (
        [p for p in list_people(db) if p.caller.reads_reports and p.disabled_at is None]
        if me.role == "admin"
        else []
    )
    return render(
        request,
        "reports.html",
        status_code,
        nav="reports",
        whose=whose,
        people=people,
        scopes=scopes,
        several=len(sites) > 1,
        names=names,
        EVERY_SITE=EVERY_SITE,
        subscriptions=subscriptions_of(db, whose.id),
        **context,
    )


@router.get("/reports")
def reports_page(request: Request, session: CurrentSession, db: Db) -> Response:
    """The person's reports by e-mail."""
    me = session.person
    whose = _whose(request, db, me, request.query_params.get("person"))
    if whose.id == me.id:
        require_reader(request, me.caller)
    return _page(request, db, me, whose)


def _back(whose: Person, me: Person) -> RedirectResponse:
    query = "" if whose.id == me.id else "?" + urlencode({"person": whose.id})
    return RedirectResponse(f"/reports{query}", status_code=303)


@router.post("/reports/subscribe")
async def add_subscription(request: Request, session: FormSession, db: Db) -> Response:
    """Subscribe (oneself, or someone else by an admin) to a site's or every site's report."""
    _ = gettext_for(request)
    form = await request.form()
    me = session.person
    whose = _whose(request, db, me, str(form.get("person") or ""))
    scope, frequency = str(form.get("scope") or ""), str(form.get("frequency") or "")
    problem = None
    if frequency not in ("weekly", "monthly"):
        problem = _("Choose how often: every week or every month.")
    elif not scope:
        problem = _("Choose a site, or all the sites.")
    if problem is None:
        try:
            await run_write(request, lambda conn: subscribe(conn, whose, scope, frequency, by=me))
        except SubscriptionError:
            problem = _("This report cannot be sent to %(email)s: they may not read that site.") % {
                "email": whose.email
            }
    if problem:
        return _page(request, db, me, whose, 422, problem=problem)
    return _back(whose, me)


@router.post("/reports/{subscription_id}/unsubscribe")
async def remove_subscription(
    request: Request, subscription_id: str, session: FormSession, db: Db
) -> Response:
    """Stop a scheduled report."""
    _ = gettext_for(request)
    me = session.person
    owned = {s.id for s in subscriptions_of(db, me.id)}
    if subscription_id not in owned and me.role != "admin":
        raise PageError(403, _("Only an admin may change another person's reports."))
    try:
        removed = await run_write(request, lambda conn: unsubscribe(conn, subscription_id, by=me))
    except SubscriptionError:
        return RedirectResponse("/reports", status_code=303)  # removed already: nothing to do
    whose = person_by_id(db, removed.person_id) or me
    return _back(whose, me)

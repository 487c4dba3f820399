"""`/deliveries`: the e-mails and webhook calls the central sent, is trying to send and gave up
on (central.deliveries), newest first, with each one's attempts and last error, and "Try again
now" for one that failed or waits. Admins see all; IT staff with a site scope their sites'; a
manager their sites' and the e-mails to themselves (a region's report), never another site's.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from central import deliveries
from central.api.deps import Db, run_write
from central.downloads import Table
from central.fleet import visible_sites
from central.people import Person
from central.web.pages import page
from central.web.session import CurrentSession, FormSession, PageError
from central.web.templating import gettext_for

router = APIRouter(include_in_schema=False)
STATUSES = ("queued", "sending", "sent", "failed")


def about_link(about: str) -> str | None:
    """The console page of what made a delivery ("alert:ID" -> the alert)."""
    kind, _, rest = about.partition(":")
    if kind == "alert" and rest:
        return f"/alerts/{rest.split(':', 1)[0]}"
    if kind == "report":
        return "/reports"
    return None


def status_words(request: Request) -> dict[str, str]:
    _ = gettext_for(request)
    return {
        "queued": _("waiting"),
        "sending": _("being sent"),
        "sent": _("sent"),
        "failed": _("failed"),
    }


def _scope(person: Person) -> tuple[tuple[str, ...], str | None]:
    """(the sites, the address) whose deliveries the person sees; ((), None): all."""
    caller = person.caller
    if caller.role == "manager":
        return caller.sites, person.email
    return visible_sites(caller.role, caller.sites), None


@router.get("/deliveries")
def deliveries_view(
    request: Request, db: Db, session: CurrentSession, status: str | None = None
) -> Response:
    """The deliveries, of one status when asked (?status=failed)."""
    _ = gettext_for(request)
    scope, address = _scope(session.person)
    chosen = status if status in STATUSES else None
    rows = deliveries.recent(db, sites=scope, address=address, status=chosen)
    words = status_words(request)
    kinds = {"email": _("e-mail"), "webhook": _("webhook")}
    table = Table(
        _("Deliveries"),
        [_("Made"), _("Kind"), _("Recipient"), _("Site"), _("Subject"), _("Status"), _("Attempts"),
         _("Last error")],
        [[r.created_at, kinds.get(r.kind, r.kind), r.target, r.site_id, r.subject,
          words.get(r.status, r.status), r.attempts, r.last_error] for r in rows],
    )  # fmt: skip
    context: dict[str, Any] = {
        "rows": rows,
        "words": words,
        "kinds": kinds,
        "chosen": chosen,
        "statuses": STATUSES,
        "scope": scope,
        "about_link": about_link,
        "no_smtp": request.app.state.settings.smtp_host is None,
    }
    return page(
        request,
        "deliveries.html",
        tables={"deliveries": table},
        name_parts=("deliveries",),
        nav="deliveries",
        **context,
    )


@router.post("/deliveries/{delivery_id}/retry")
async def retry(request: Request, delivery_id: str, session: FormSession, db: Db) -> Response:
    """Try a failed or waiting delivery again now."""
    _ = gettext_for(request)
    scope, address = _scope(session.person)
    found = deliveries.site_of(db, delivery_id)
    visible = found is not None and (
        not (scope or address) or found[0] in scope or (address is not None and found[1] == address)
    )
    if not visible:
        raise PageError(404, _("There is no such delivery: it may have been removed."))
    db.rollback()  # the read's snapshot ends before the write
    await run_write(request, lambda conn: deliveries.retry_now(conn, delivery_id))
    deliveries.wake()
    return RedirectResponse("/deliveries", status_code=303)

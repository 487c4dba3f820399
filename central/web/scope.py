"""Which sites a signed-in person's report pages may show: the same rule as the API's keys
(central.access.Caller). A manager asking for a site outside their scope gets the 403 page
whether or not the site exists (a refusal must not tell which ids are sites); an admin asking
for an unknown site gets 404.
"""

from __future__ import annotations

from fastapi import Request
from sqlalchemy import Connection

from central.access import Caller
from central.site_store import NotFoundError, list_sites, load_site
from central.sites import SiteDefinition
from central.web.session import PageError
from central.web.templating import gettext_for


def require_reader(request: Request, caller: Caller) -> None:
    """The 403 page for a role that reads no reports (IT staff)."""
    if not caller.reads_reports:
        raise PageError(403, gettext_for(request)("Your account may not open this page."))


def readable_sites(conn: Connection, caller: Caller) -> list[SiteDefinition]:
    """The person's sites that exist, by id: every site for an admin, the scope of a manager."""
    if caller.role == "admin":
        return [record.definition for record in list_sites(conn)]
    found = []
    for site in sorted(caller.sites):
        try:
            found.append(load_site(conn, site))
        except NotFoundError:
            continue  # a scope may outlive a site's record; nothing to show of it
    return found


def require_site(request: Request, conn: Connection, caller: Caller, site: str) -> SiteDefinition:
    """The site's definition, when the person may read it. Raises PageError 403 (not theirs)
    or 404 (no such site)."""
    _ = gettext_for(request)
    require_reader(request, caller)
    if not caller.may_read_site(site):
        raise PageError(403, _("Your account may not read the reports of this site."))
    try:
        return load_site(conn, site)
    except NotFoundError:
        raise PageError(404, _("There is no such site. Choose one from the list.")) from None

"""What every report query shares, the rollup reports (central.reports) and the comments
listing (central.comments) alike: the error for a report that cannot be made as asked, the
check of what a request asks for before any query runs, and the sites' definitions it is read
with."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection

from central.limits import check_id, check_period, check_sites
from central.site_store import load_site
from central.sites import SiteDefinition, zone_problem


class ReportError(ValueError):
    """A report that cannot be made as asked; the message says what to change."""


def checked_request(
    sites: list[str], first: date, last: date, by: str, service_point: str | None
) -> list[str]:
    """The sites once each; raises ReportError or LimitError for what no query should run."""
    sites = check_sites(sites)
    if last < first:
        raise ReportError(f"The period ends ({last}) before it starts ({first}).")
    check_period(first, last, by)
    if service_point is not None:
        check_id("service_point", service_point)
    return sites


def site_definitions(conn: Connection, sites: list[str]) -> dict[str, SiteDefinition]:
    """Each site's definition. Raises NotFoundError for an unknown site, ReportError for one
    whose time zone the rollups cannot serve (added before such zones were refused)."""
    definitions = {site: load_site(conn, site) for site in sites}
    for site, definition in definitions.items():
        problem = zone_problem(definition.site.timezone)
        if problem:
            raise ReportError(
                f"Site {site} cannot be reported: its time zone {problem}. Set it in the "
                "site file and run `hymy-central site add` again."
            )
    return definitions

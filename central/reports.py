"""Reports for managers: feedback and check-ins per site, service point and time, from the rollups
(never a scan of raw events), as JSON-ready dicts or CSV."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, func, literal, select

from central.enrollment import load_site
from central.limits import check_id, check_paging, check_period, check_sites
from central.report_math import BUCKETS, summarize, utc_bounds
from central.rollups import COUNTS
from central.tables import daily_reason_rollups, daily_rollups, rollups

KINDS = ("feedback", "checkins")
TOP_REASONS = 10


class ReportError(ValueError):
    """A report that cannot be made as asked; the message says what to change."""


def _rows(
    conn: Connection,
    by: str,
    tz_of: dict[str, ZoneInfo],
    first: date,
    last: date,
    service_point: str | None,
) -> list:
    """The rollups summed in SQL down to what the bucketing needs.

    Hour buckets read the hourly rollups, site by site (each site's local days are other UTC
    hours). Every other bucket reads the daily rollups, already in local dates, in one query for
    all the sites: per site and day, or per service point.
    """
    if by == "hour":
        sums = [func.sum(getattr(rollups.c, c)).label(c) for c in COUNTS]
        keys = [rollups.c.site_id, rollups.c.hour]
        rows = []
        for site, tz in tz_of.items():
            start, end = utc_bounds(first, last, tz)
            where = [rollups.c.site_id == site, rollups.c.hour >= start, rollups.c.hour < end]
            if service_point:
                where.append(rollups.c.service_point == service_point)
            query = select(*keys, literal("").label("service_point"), *sums)
            rows += conn.execute(query.where(*where).group_by(*keys)).mappings().all()
        return rows
    table = daily_rollups
    sums = [func.sum(getattr(table.c, c)).label(c) for c in COUNTS]
    where = [table.c.site_id.in_(list(tz_of)), table.c.day >= first, table.c.day <= last]
    if service_point:
        where.append(table.c.service_point == service_point)
    if by == "service-point":  # the same across time zones: one site stands for the zone
        site = literal(next(iter(tz_of))).label("site_id")
        query = select(site, table.c.service_point, *sums).group_by(table.c.service_point)
    else:
        keys = [table.c.site_id, table.c.day]
        query = select(*keys, literal("").label("service_point"), *sums).group_by(*keys)
    return conn.execute(query.where(*where)).mappings().all()


def report(
    conn: Connection,
    kind: str,
    sites: list[str],
    first: date,
    last: date,
    by: str = "day",
    include_misuse: bool = False,
    service_point: str | None = None,
) -> dict[str, Any]:
    """A feedback or check-in report over the local days first..last of the sites.

    Raises ReportError for an unknown bucket or kind or a reversed period;
    central.limits.LimitError for a request beyond the limits (period, sites, ids);
    central.enrollment.NotFoundError for an unknown site.
    """
    if kind not in KINDS:
        raise ReportError(f"A report is one of {', '.join(KINDS)}, not {kind!r}.")
    if by not in BUCKETS:
        raise ReportError(f"Bucket by one of {', '.join(BUCKETS)}, not {by!r}.")
    sites = _checked(sites, first, last, by, service_point)
    tz_of = {site: ZoneInfo(load_site(conn, site).site.timezone) for site in sites}
    rows = _rows(conn, by, tz_of, first, last, service_point)
    reason_counts: dict[str, int] = {}
    if kind == "feedback":
        reasons = daily_reason_rollups
        rwhere = [reasons.c.site_id.in_(sites), reasons.c.day >= first, reasons.c.day <= last]
        if service_point:
            rwhere.append(reasons.c.service_point == service_point)
        if not include_misuse:
            rwhere.append(reasons.c.misuse.is_(False))
        query = (
            select(reasons.c.reason, func.sum(reasons.c.count))
            .where(*rwhere)
            .group_by(reasons.c.reason)
        )
        reason_counts = {reason: int(count) for reason, count in conn.execute(query)}
    buckets, total = summarize(rows, by, include_misuse, tz_of)
    answer: dict[str, Any] = {
        "report": kind,
        "sites": sites,
        "service_point": service_point,
        "from": first.isoformat(),
        "to": last.isoformat(),
        "by": by,
        "buckets": [b.as_json(kind) for b in buckets],
        "total": total.as_json(kind),
    }
    if kind == "feedback":
        answer["include_misuse"] = include_misuse
        top = sorted(reason_counts.items(), key=lambda item: (-item[1], item[0]))[:TOP_REASONS]
        answer["top_reasons"] = [{"reason": r, "count": n} for r, n in top]
    return answer


def _checked(
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


def to_csv(answer: dict[str, Any]) -> str:
    """The buckets and the total as CSV (one row each)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    rows = [*answer["buckets"], answer["total"]]
    if answer["report"] == "checkins":
        writer.writerow(["bucket", "checkins"])
        writer.writerows([r["bucket"], r["checkins"]] for r in rows)
    else:
        writer.writerow(
            [
                "bucket",
                "n",
                "very_unhappy",
                "unhappy",
                "happy",
                "very_happy",
                "score",
                "positive_share",
            ]
        )
        for r in rows:
            d = r["distribution"]
            writer.writerow(
                [
                    r["bucket"],
                    r["n"],
                    d["1"],
                    d["2"],
                    d["3"],
                    d["4"],
                    "" if r["score"] is None else r["score"],
                    "" if r["positive_share"] is None else r["positive_share"],
                ]
            )
    return out.getvalue()


def to_table(answer: dict[str, Any]) -> str:
    """The report as an aligned text table for a terminal."""
    lines = list(csv.reader(io.StringIO(to_csv(answer))))
    widths = [max(len(row[i]) for row in lines) for i in range(len(lines[0]))]
    return "\n".join(
        "  ".join(
            c.rjust(w) if i else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in lines
    )


def list_comments(
    conn: Connection, sites: list[str], first: date, last: date, *, limit: int = 50, offset: int = 0
) -> dict[str, Any]:
    """A page of comments of the sites' local days first..last, newest first, misuse left out.

    Raises ReportError, central.limits.LimitError (period, paging, sites) and
    central.enrollment.NotFoundError for an unknown site.
    """
    from central.tables import events

    sites = _checked(sites, first, last, "day", None)
    check_paging(limit, offset)
    items: list[dict[str, Any]] = []
    for site in sites:
        start, end = utc_bounds(first, last, ZoneInfo(load_site(conn, site).site.timezone))
        query = (
            select(
                events.c.site_id,
                events.c.corrected_at,
                events.c.service_point,
                events.c.rating,
                events.c.reason,
                events.c.comment,
            )
            .where(
                events.c.site_id == site,
                events.c.comment.is_not(None),
                events.c.misuse.is_(False),
                events.c.corrected_at >= start,
                events.c.corrected_at < end,
            )
            .order_by(events.c.corrected_at.desc())
            .limit(limit + offset + 1)  # one more tells whether another page follows
        )
        items += [dict(row._mapping) for row in conn.execute(query)]
    items.sort(key=lambda item: str(item["corrected_at"]), reverse=True)
    page = items[offset : offset + limit]
    for item in page:
        item["occurred_at"] = str(item.pop("corrected_at"))
        item["site"] = item.pop("site_id")
    return {"comments": page, "limit": limit, "offset": offset, "more": len(items) > offset + limit}

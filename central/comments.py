"""The comments listing: the redacted comments of the sites' local days, newest first, narrowed
by service point, rating and reason, for the API (`GET /api/v1/reports/comments`, a page at a
time), the console's comments page and its downloads (every match up to DOWNLOAD_CAP).

Every filter is a WHERE on the one query per site that the index events_by_site_time serves
(site, corrected_at): a site's comments of a period are few enough that the other conditions
are checked on the rows that index finds. Misuse is always left out; comments of events whose
kiosk time is implausible are left out and counted, or listed at the time they reached the
central when asked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, func, or_, select

from central.flags import TIME_IMPLAUSIBLE
from central.limits import check_id, check_paging
from central.report_math import utc_bounds
from central.report_queries import ReportError, checked_request, site_definitions
from central.sites import SiteDefinition
from central.tables import events
from hymy_domain.facts import RATINGS as RATINGS  # central.api and web import it from here

MAX_FILTER_VALUES = 100  # service points or reasons named in one listing
DOWNLOAD_CAP = 10_000  # a download holds at most this many comments (the newest)


@dataclass(frozen=True)
class CommentFilter:
    """What a listing asks for: the sites' local days first..last, and optionally only some
    service points, ratings and reasons (empty: any)."""

    sites: tuple[str, ...]
    first: date
    last: date
    service_points: tuple[str, ...] = ()
    ratings: tuple[int, ...] = ()
    reasons: tuple[str, ...] = ()
    include_implausible: bool = False


@dataclass(frozen=True)
class Comment:
    site: str
    service_point: str | None
    rating: int | None
    reason: str | None
    comment: str
    at: datetime  # corrected kiosk time, or the time it reached the central (time_implausible)
    time_implausible: bool
    language: str | None = None  # the visitor's language on the kiosk (a wire tag: "fi-x-easy")


@dataclass(frozen=True)
class Found:
    """The newest comments matching a filter (at most the number asked, plus one when more
    match), and how many of the period were left out for an implausible kiosk time."""

    comments: list[Comment]
    left_out: int
    definitions: dict[str, SiteDefinition]


def checked(wanted: CommentFilter) -> CommentFilter:
    """The filter with each site, service point, rating and reason once.

    Raises ReportError (a reversed period, a rating outside 1-4) or central.limits.LimitError
    (the period, too many sites, a value not shaped like an id).
    """
    sites = checked_request(list(wanted.sites), wanted.first, wanted.last, "day", None)
    for point in wanted.service_points:
        check_id("service_point", point)
    for reason in wanted.reasons:
        check_id("reason", reason)
    bad = [r for r in wanted.ratings if r not in RATINGS]
    if bad:
        raise ReportError(f"rating={bad[0]}: a rating is 1, 2, 3 or 4.")
    return CommentFilter(
        tuple(sites),
        wanted.first,
        wanted.last,
        tuple(dict.fromkeys(wanted.service_points)),
        tuple(dict.fromkeys(wanted.ratings)),
        tuple(dict.fromkeys(wanted.reasons)),
        wanted.include_implausible,
    )


def _narrowed(wanted: CommentFilter) -> list[Any]:
    where = [events.c.comment.is_not(None), events.c.misuse.is_(False)]
    if wanted.service_points:
        where.append(events.c.service_point.in_(wanted.service_points))
    if wanted.ratings:
        where.append(events.c.rating.in_(wanted.ratings))
    if wanted.reasons:
        where.append(events.c.reason.in_(wanted.reasons))
    return where


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def find_comments(conn: Connection, wanted: CommentFilter, newest: int) -> Found:
    """The `newest` newest comments matching the filter (checked with `checked` first).

    Raises ReportError, central.limits.LimitError and central.site_store.NotFoundError for an
    unknown site.
    """
    wanted = checked(wanted)
    definitions = site_definitions(conn, list(wanted.sites))
    columns = [
        events.c.site_id,
        events.c.service_point,
        events.c.rating,
        events.c.reason,
        events.c.comment,
        events.c.language,
    ]
    narrowed = _narrowed(wanted)
    found: list[Comment] = []
    left_out = 0
    for site, definition in definitions.items():
        start, end = _bounds(wanted, definition)
        query = (
            select(*columns, events.c.corrected_at.label("at"))
            .where(
                events.c.site_id == site,
                *narrowed,
                or_(events.c.flag.is_(None), events.c.flag != TIME_IMPLAUSIBLE),
                events.c.corrected_at >= start,
                events.c.corrected_at < end,
            )
            .order_by(events.c.corrected_at.desc())
            .limit(newest)
        )
        found += [_comment(row, False) for row in conn.execute(query)]
        apart = [
            events.c.site_id == site,
            *narrowed,
            events.c.flag == TIME_IMPLAUSIBLE,
            events.c.received_at >= start,
            events.c.received_at < end,
        ]
        if wanted.include_implausible:
            query = select(*columns, events.c.received_at.label("at")).where(*apart)
            found += [_comment(row, True) for row in conn.execute(query)]
        else:
            left_out += conn.execute(select(func.count()).where(*apart)).scalar_one()
    found.sort(key=lambda c: c.at, reverse=True)
    return Found(found[:newest], left_out, definitions)


def count_comments(conn: Connection, wanted: CommentFilter) -> int:
    """How many comments match the filter (for "showing 51-100 of 240"); same raises as
    find_comments."""
    wanted = checked(wanted)
    narrowed = _narrowed(wanted)
    total = 0
    for site, definition in site_definitions(conn, list(wanted.sites)).items():
        start, end = _bounds(wanted, definition)
        listed = [
            or_(events.c.flag.is_(None), events.c.flag != TIME_IMPLAUSIBLE),
            events.c.corrected_at >= start,
            events.c.corrected_at < end,
        ]
        total += conn.execute(
            select(func.count()).where(events.c.site_id == site, *narrowed, *listed)
        ).scalar_one()
        if wanted.include_implausible:
            apart = [
                events.c.flag == TIME_IMPLAUSIBLE,
                events.c.received_at >= start,
                events.c.received_at < end,
            ]
            total += conn.execute(
                select(func.count()).where(events.c.site_id == site, *narrowed, *apart)
            ).scalar_one()
    return total


def _bounds(wanted: CommentFilter, definition: SiteDefinition) -> tuple[datetime, datetime]:
    return utc_bounds(wanted.first, wanted.last, ZoneInfo(definition.site.timezone))


def _comment(row: Any, time_implausible: bool) -> Comment:
    return Comment(
        row.site_id,
        row.service_point,
        row.rating,
        row.reason,
        row.comment,
        _aware(row.at),
        time_implausible,
        row.language,
    )


def list_comments(
    conn: Connection,
    sites: list[str],
    first: date,
    last: date,
    *,
    limit: int = 50,
    offset: int = 0,
    include_implausible: bool = False,
    service_points: Iterable[str] = (),
    ratings: Iterable[int] = (),
    reasons: Iterable[str] = (),
) -> dict[str, Any]:
    """A page of comments of the sites' local days first..last, newest first, misuse left out,
    as the API answers it (`more`: another page follows).

    Comments of events whose time is implausible are left out and counted in `left_out`; with
    include_implausible they are listed at the time they reached the central, marked
    `"time_implausible": true`.

    Raises ReportError, central.limits.LimitError (period, paging, sites, ids) and
    central.site_store.NotFoundError for an unknown site.
    """
    wanted = CommentFilter(
        tuple(sites),
        first,
        last,
        tuple(service_points),
        tuple(ratings),
        tuple(reasons),
        include_implausible,
    )
    checked(wanted)  # the filter's own refusals come before the paging's, as they always did
    check_paging(limit, offset)
    found = find_comments(conn, wanted, limit + offset + 1)  # one more: another page follows
    page = found.comments[offset : offset + limit]
    return {
        "comments": [
            {
                "service_point": c.service_point,
                "rating": c.rating,
                "reason": c.reason,
                "comment": c.comment,
                "language": c.language,
                "time_implausible": c.time_implausible,
                "occurred_at": str(c.at),
                "site": c.site,
            }
            for c in page
        ],
        "limit": limit,
        "offset": offset,
        "more": len(found.comments) > offset + limit,
        "include_implausible": include_implausible,
        "left_out": {"time_implausible": found.left_out},
    }

"""`/comments`: the visitors' comments (redacted on the kiosk), newest first, for admins and
managers (a manager only their own sites), filtered in a GET form so a link can be shared, and
downloadable as CSV or XLSX (every match up to central.comments.DOWNLOAD_CAP, not only the page
shown). The router parses the query, checks access and names things; central.comments lists."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from central.api.deps import Db
from central.comments import (
    DOWNLOAD_CAP,
    RATINGS,
    Comment,
    CommentFilter,
    count_comments,
    find_comments,
)
from central.downloads import Table
from central.language_names import language_name
from central.limits import MAX_OFFSET, LimitError
from central.names import display_name, site_name
from central.report_queries import ReportError
from central.site_store import NotFoundError, list_sites
from central.sites import SiteDefinition
from central.web.pages import page
from central.web.session import PageError, require_role
from central.web.templating import HELSINKI, NOTHING, gettext_for, language_of
from central.web_sessions import WebSession

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
DEFAULT_DAYS = 30  # the last 30 local days, today included
Reader = Annotated[WebSession, Depends(require_role("admin", "manager"))]


@dataclass(frozen=True)
class Namer:
    """Names of sites, service points and reasons in one language, from the sites' definitions:
    a retired one is marked so, an id no definition has is shown as the id itself."""

    definitions: dict[str, SiteDefinition]
    language: str
    gettext: Any

    def site(self, site: str) -> str:
        definition = self.definitions.get(site)
        return site_name(definition, self.language) if definition else site

    def _marked(self, name: str, state: str) -> str:
        return self.gettext("%(name)s (retired)") % {"name": name} if state == "retired" else name

    def service_point(self, site: str, point: str | None) -> str | None:
        """The point's name (None for feedback given without one)."""
        if point is None:
            return None
        definition = self.definitions.get(site)
        if definition is None:
            return point
        for state, points in (
            ("active", definition.service_points),
            ("retired", definition.retired.service_points),
        ):
            for found in points:
                if found.id == point:
                    return self._marked(display_name(found.name, self.language, point), state)
        return point

    def reason(self, site: str, reason: str | None) -> str | None:
        """The reason's name (None for a rating without one)."""
        if reason is None:
            return None
        definition = self.definitions.get(site)
        found = definition.reason(reason) if definition else None
        if found is None:
            return reason
        return self._marked(display_name(found[0].name, self.language, reason), found[1])

    def options(self, kind: str) -> list[tuple[str, str]]:
        """(id, name) of every service point or reason of the sites, offered ones first."""
        seen: dict[str, str] = {}
        for state in ("active", "retired"):
            for definition in self.definitions.values():
                if kind == "service_point":
                    active, retired = definition.service_points, definition.retired.service_points
                else:
                    active, retired = definition.feedback.reasons, definition.retired.reasons
                for part in active if state == "active" else retired:
                    if part.id not in seen:
                        name = display_name(part.name, self.language, part.id)
                        seen[part.id] = self._marked(name, state)
        return sorted(seen.items(), key=lambda item: item[1].casefold())


def rating_words(gettext: Any) -> dict[int, str]:
    return {
        1: gettext("Very unhappy"),
        2: gettext("Unhappy"),
        3: gettext("Happy"),
        4: gettext("Very happy"),
    }


def _day(value: str | None, default: date, name: str, gettext: Any) -> date:
    if not value or not value.strip():
        return default
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise PageError(
            400,
            gettext("%(name)s is not a date: give one like 2026-11-30.") % {"name": name},
        ) from None


def _number(value: str, name: str, gettext: Any) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise PageError(
            400, gettext("%(name)s is not a number: give one like 2.") % {"name": name}
        ) from None


@dataclass(frozen=True)
class Asked:
    """What the query string asks for, read as a person may type it (case and blanks forgiven)."""

    wanted: CommentFilter
    page: int
    sites_given: bool


def _asked(request: Request, default_sites: list[str], gettext: Any) -> Asked:
    query = request.query_params

    def values(name: str) -> list[str]:
        return [v.strip().lower() for v in query.getlist(name) if v.strip()]

    sites = values("site")
    today = datetime.now(HELSINKI).date()
    last = _day(query.get("to"), today, gettext("To"), gettext)
    month_before = last - timedelta(days=DEFAULT_DAYS - 1)
    first = _day(query.get("from"), month_before, gettext("From"), gettext)
    ratings = [_number(v, gettext("Rating"), gettext) for v in values("rating")]
    number = _number(query.get("page") or "1", gettext("Page"), gettext)
    include = (query.get("include_implausible") or "").strip().lower() in ("1", "on", "true")
    wanted = CommentFilter(
        tuple(sites or default_sites),
        first,
        last,
        tuple(values("service_point")),
        tuple(ratings),
        tuple(values("reason")),
        include,
    )
    return Asked(wanted, max(number, 1), bool(sites))


def _query_with(request: Request, **changes: str) -> str:
    """This page's query string with some parameters replaced (paging keeps the filters)."""
    kept = [
        (k, v)
        for k, v in request.query_params.multi_items()
        if k not in changes and k not in ("download", "table")
    ]
    return "?" + urlencode([*kept, *changes.items()])


def _local_time(moment: datetime) -> str:
    return moment.astimezone(HELSINKI).strftime("%Y-%m-%d %H:%M:%S")


def _download(comments: list[Comment], namer: Namer, words: dict[int, str], gettext: Any) -> Table:
    return Table(
        gettext("Comments"),
        [
            gettext("Time (Finnish time)"),
            gettext("Site"),
            gettext("Service point"),
            gettext("Rating (1-4)"),
            gettext("Rating in words"),
            gettext("Reason"),
            gettext("Language"),
            gettext("Comment"),  # the long text last
        ],
        [
            [
                _local_time(c.at),
                namer.site(c.site),
                namer.service_point(c.site, c.service_point),
                c.rating,
                words.get(c.rating) if c.rating else None,
                namer.reason(c.site, c.reason),
                language_name(c.language, namer.language),
                c.comment,
            ]
            for c in comments
        ],
    )


@router.get("/comments")
def comments_page(request: Request, session: Reader, db: Db) -> Response:
    """The comments of the chosen sites and days, a page of 50 at a time, or their download."""
    _ = gettext_for(request)
    caller = session.person.caller
    every_site = list_sites(db)
    mine = [s.id for s in every_site if caller.may_read_site(s.id)]
    asked = _asked(request, mine, _)
    refused = [s for s in asked.wanted.sites if not caller.may_read_site(s)]
    if refused:
        raise PageError(403, _("Your account may not read the comments of this site."))
    if not asked.wanted.sites:
        raise PageError(403, _("Your account has no sites to read the comments of."))
    offset = (asked.page - 1) * PAGE_SIZE
    downloading = request.query_params.get("download") is not None
    try:
        if offset > MAX_OFFSET and not downloading:
            raise LimitError(
                _("That page is too deep: narrow the period (From, To) to find older comments.")
            )
        total = count_comments(db, asked.wanted)
        found = find_comments(
            db, asked.wanted, DOWNLOAD_CAP + 1 if downloading else offset + PAGE_SIZE
        )
    except (ReportError, LimitError) as err:
        raise PageError(400, str(err)) from None
    except NotFoundError:
        raise PageError(404, _("There is no such site. Choose one from the list.")) from None
    language = language_of(request)
    namer = Namer(
        {s.id: s.definition for s in every_site if s.id in mine} | found.definitions,
        language,
        _,
    )
    words = rating_words(_)
    shown = found.comments[offset : offset + PAGE_SIZE]
    table = _download(found.comments[:DOWNLOAD_CAP] if downloading else [], namer, words, _)
    chosen = set(asked.wanted.sites)
    one_site = sorted(chosen) if len(chosen) == 1 else []  # the file is named after it
    of_chosen = Namer({k: v for k, v in namer.definitions.items() if k in chosen}, language, _)
    return page(
        request,
        "comments.html",
        tables={"comments": table},
        name_parts=(*one_site, asked.wanted.first, asked.wanted.last),
        nav="comments",
        rows=[
            {
                "at": c.at,
                "site": namer.site(c.site),
                "service_point": namer.service_point(c.site, c.service_point),
                "rating": c.rating,
                "rating_words": words.get(c.rating or 0, NOTHING),
                "reason": namer.reason(c.site, c.reason),
                "language": language_name(c.language, language),
                "comment": c.comment,
                "time_implausible": c.time_implausible,
            }
            for c in shown
        ],
        wanted=asked.wanted,
        site_options=[(site, namer.site(site), site in chosen) for site in mine],
        several_sites=len(mine) > 1,
        point_options=of_chosen.options("service_point"),
        reason_options=of_chosen.options("reason"),
        ratings=[(r, words[r]) for r in RATINGS],
        total=total,
        first_shown=offset + 1,
        last_shown=offset + len(shown),
        previous_url=_query_with(request, page=str(asked.page - 1)) if asked.page > 1 else None,
        next_url=_query_with(request, page=str(asked.page + 1))
        if total > offset + PAGE_SIZE
        else None,
        capped=total > DOWNLOAD_CAP,
        cap=DOWNLOAD_CAP,
        left_out=found.left_out,
    )

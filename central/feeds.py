"""The rows of the data feed (central.odata) and of `hymy-central export`: daily and monthly
rollups per site and service point, comments, sites, service points and reasons, each a dict
keyed by the entity set's property names (central.odata.model).

Small numbers: a rollup row's figures go through central.fairness.guard with the site's
minimum, here, before any filter or sort sees them; the feed and the export can only ever hand
out what guard shows. Check-ins and the count of ratings flagged as misuse are counts of
events, not of anybody's opinion, and are shown as they are (as the console shows check-ins).

Comments: the redacted text of feedback events and of the national set's comment responses,
without misuse, without deleted comments (retention or a data-subject request leave `comment`
NULL) and without those whose kiosk time is implausible (their day is not known), as the
console's comments listing leaves them out.

Answers: the national set's answers in the national structure, one row each (answer_rows):
never a comment's text, which is in Comments alone, where it is redacted and deletable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, and_, or_, select

from central.fairness import guard
from central.flags import TIME_IMPLAUSIBLE
from central.limits import EARLIEST_DAY, LATEST_DAY
from central.names import display_name
from central.report_math import NO_POINT, POINTS, utc_bounds
from central.site_store import NotFoundError, list_sites
from central.sites import SiteDefinition
from central.tables import daily_rollups, events
from hymy_domain.national import COMMENT_SCALE

LANGUAGES = ("fi", "sv", "en")


@dataclass(frozen=True)
class Period:
    """The local days first..last of the sites (None: open at that end)."""

    first: date | None = None
    last: date | None = None


def readable_sites(conn: Connection, scope: Iterable[str] | None) -> dict[str, Any]:
    """The site records (central.site_store.SiteRecord) by id that a caller may read: `scope`
    None for every site (an admin), else those ids. Unknown ids in a scope are left out."""
    records = {record.id: record for record in list_sites(conn)}
    if scope is None:
        return records
    wanted = set(scope)
    return {site: record for site, record in records.items() if site in wanted}


def check_sites_exist(conn: Connection, sites: Iterable[str]) -> None:
    """Raises NotFoundError naming every id that is not a site."""
    known = {record.id for record in list_sites(conn)}
    missing = [s for s in dict.fromkeys(sites) if s not in known]
    if missing:
        raise NotFoundError(
            f"No site {', '.join(repr(s) for s in missing)}; `hymy-central site list` shows "
            "the ids."
        )


def _names(names: dict[str, str] | None, fallback: str) -> dict[str, str | None]:
    names = names or {}
    return {
        "name_fi": display_name(names, "fi", fallback),
        "name_sv": names.get("sv") or None,
        "name_en": names.get("en") or None,
    }


def site_rows(records: dict[str, Any]) -> list[dict[str, Any]]:
    """Sites: id, names, time zone, minimum, retired."""
    return [
        {
            "id": site,
            **_names(record.definition.site.name, site),
            "timezone": record.definition.site.timezone,
            "min_answers": record.definition.reports.min_answers,
            "retired": record.retired_at is not None,
        }
        for site, record in records.items()
    ]


def service_point_rows(definitions: dict[str, SiteDefinition]) -> list[dict[str, Any]]:
    """Service points of the sites, active and retired."""
    rows = []
    for site, definition in definitions.items():
        for state, points in (
            ("active", definition.service_points),
            ("retired", definition.retired.service_points),
        ):
            rows += [
                {
                    "site_id": site,
                    "id": p.id,
                    **_names(p.name, p.id),
                    "prefix": p.prefix,
                    "state": state,
                }
                for p in points
            ]
    return rows


def reason_rows(definitions: dict[str, SiteDefinition]) -> list[dict[str, Any]]:
    """Follow-up reasons of the sites, active and retired."""
    rows = []
    for site, definition in definitions.items():
        for state, reasons in (
            ("active", definition.feedback.reasons),
            ("retired", definition.retired.reasons),
        ):
            rows += [
                {
                    "site_id": site,
                    "id": r.id,
                    **_names(r.name, r.id),
                    "ratings": ",".join(str(n) for n in sorted(r.ratings)),
                    "state": state,
                }
                for r in reasons
            ]
    return rows


def _guarded(counts: dict[str, int], minimum: int) -> dict[str, Any]:
    ratings = {r: counts[f"r{r}"] for r in (1, 2, 3, 4)}
    n = sum(ratings.values())
    score = None if n == 0 else sum(POINTS[r] * c for r, c in ratings.items()) / n
    share = None if n == 0 else (ratings[3] + ratings[4]) / n
    shown = guard(
        n,
        minimum,
        {
            **{f"rating_{r}": c for r, c in ratings.items()},
            "score": None if score is None else round(score, 1),
            "positive_share": None if share is None else round(share, 3),
        },
    )
    return {
        "answers": shown["n"],
        "hidden": shown["hidden"],
        "fewer_than": shown["fewer_than"],
        "min_answers": shown["min_answers"],
        **{f"rating_{r}": shown[f"rating_{r}"] for r in (1, 2, 3, 4)},
        "score": shown["score"],
        "positive_share": shown["positive_share"],
        "misuse": sum(counts[f"m{r}"] for r in (1, 2, 3, 4)),
        "checkins": counts["checkins"],
    }


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


COUNTED = ("r1", "r2", "r3", "r4", "m1", "m2", "m3", "m4", "checkins")


def rollup_rows(
    conn: Connection,
    definitions: dict[str, SiteDefinition],
    period: Period = Period(),
    *,
    by: str = "day",
) -> list[dict[str, Any]]:
    """Rollups of the sites per service point and local day (`by="day"`, key `day`) or month
    (`by="month"`, key `month`: its first day), every figure guarded with the site's minimum.

    A month at either end of the period counts only the period's days of it. Only cells with
    something counted are rows (an empty day has none).
    """
    if by not in ("day", "month"):
        raise ValueError(f"by={by!r}: day or month")
    if not definitions:
        return []
    query = select(
        daily_rollups.c.site_id,
        daily_rollups.c.service_point,
        daily_rollups.c.day,
        *(daily_rollups.c[c] for c in COUNTED),
    ).where(daily_rollups.c.site_id.in_(list(definitions)))
    if period.first is not None:
        query = query.where(daily_rollups.c.day >= period.first)
    if period.last is not None:
        query = query.where(daily_rollups.c.day <= period.last)
    cells: dict[tuple[str, str, date], dict[str, int]] = {}
    for row in conn.execute(query):
        when = row.day if by == "day" else _month_start(row.day)
        key = (row.site_id, row.service_point or NO_POINT, when)
        cell = cells.setdefault(key, dict.fromkeys(COUNTED, 0))
        for column in COUNTED:
            cell[column] += getattr(row, column)
    return [
        {
            "site_id": site,
            "service_point": point,
            by: when,
            **_guarded(counts, definitions[site].reports.min_answers),
        }
        for (site, point, when), counts in cells.items()
    ]


def monthly_period(period: Period) -> Period:
    """The days whose months a filter on `month` between period.first and period.last can
    match: from the first day of first's month to the last day of last's."""
    return Period(
        _month_start(period.first) if period.first else None,
        _month_end(period.last) if period.last else None,
    )


def _event_rows(
    conn: Connection,
    definitions: dict[str, SiteDefinition],
    period: Period,
    columns: list[Any],
    condition: Any,
    shape: Callable[[Any, str, date], dict[str, Any]],
) -> list[dict[str, Any]]:
    """Events of the sites' local days in the period that meet `condition` (misuse and
    time-implausible ones left out), each shaped by `shape(row, site, local day)`."""
    rows: list[dict[str, Any]] = []
    for site, definition in definitions.items():
        zone = ZoneInfo(definition.site.timezone)
        start, end = utc_bounds(period.first or EARLIEST_DAY, period.last or LATEST_DAY, zone)
        query = select(events.c.corrected_at, *columns).where(
            events.c.site_id == site,
            condition,
            events.c.misuse.is_(False),
            or_(events.c.flag.is_(None), events.c.flag != TIME_IMPLAUSIBLE),
            events.c.corrected_at >= start,
            events.c.corrected_at < end,
        )
        for row in conn.execute(query):
            at = row.corrected_at
            if at.tzinfo is None:  # SQLite gives UTC back without its zone
                at = at.replace(tzinfo=ZoneInfo("UTC"))
            rows.append(shape(row, site, at.astimezone(zone).date()))
    return rows


def comment_rows(
    conn: Connection,
    definitions: dict[str, SiteDefinition],
    period: Period = Period(),
) -> list[dict[str, Any]]:
    """The comments of the sites' local days in the period (see the module docstring), those of
    the national set's comment question too (without a rating)."""
    columns = [events.c.id, events.c.service_point, events.c.rating, events.c.reason,
               events.c.language, events.c.comment]  # fmt: skip

    def shape(row: Any, site: str, day: date) -> dict[str, Any]:
        return {"id": row.id, "site_id": site, "service_point": row.service_point, "day": day,
                "rating": row.rating, "reason": row.reason, "language": row.language,
                "text": row.comment}  # fmt: skip

    return _event_rows(conn, definitions, period, columns, events.c.comment.is_not(None), shape)


def answer_rows(
    conn: Connection,
    definitions: dict[str, SiteDefinition],
    period: Period = Period(),
) -> list[dict[str, Any]]:
    """The national question set's answers, one row each, in the national structure: the unit
    (site) and service (point), the local day, the set, its version, the question, its scale
    and the value (None: "I cannot say"). No comment texts, no times of day, nobody's data."""
    columns = [events.c.id, events.c.service_point, events.c.question_set, events.c.set_version,
               events.c.question, events.c.scale, events.c.answer, events.c.language,
               events.c.visit]  # fmt: skip

    def shape(row: Any, site: str, day: date) -> dict[str, Any]:
        return {"id": row.id, "site_id": site, "service_point": row.service_point, "day": day,
                "question_set": row.question_set, "set_version": row.set_version,
                "question": row.question, "scale": row.scale, "value": row.answer,
                "language": row.language, "visit": row.visit}  # fmt: skip

    condition = and_(events.c.type == "response", events.c.scale != COMMENT_SCALE)
    return _event_rows(conn, definitions, period, columns, condition, shape)


def entity_rows(
    conn: Connection,
    entity_set: str,
    records: dict[str, Any],
    period: Period = Period(),
) -> list[dict[str, Any]]:
    """The rows of one of the feed's entity sets (central.odata.model.ENTITY_SETS) for the
    sites of `records` (readable_sites); `period` bounds the sets that have days (a superset
    of what the caller's filter can match: the filter is applied afterwards).

    Raises KeyError for a set the feed does not have.
    """
    definitions = {site: record.definition for site, record in records.items()}
    if entity_set == "DailyRollups":
        return rollup_rows(conn, definitions, period, by="day")
    if entity_set == "MonthlyRollups":
        return rollup_rows(conn, definitions, monthly_period(period), by="month")
    if entity_set == "Comments":
        return comment_rows(conn, definitions, period)
    if entity_set == "Answers":
        return answer_rows(conn, definitions, period)
    if entity_set == "Sites":
        return site_rows(records)
    if entity_set == "ServicePoints":
        return service_point_rows(definitions)
    if entity_set == "Reasons":
        return reason_rows(definitions)
    raise KeyError(entity_set)

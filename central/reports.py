"""Reports for managers: feedback and check-ins per site, service point and time, from the rollups
(never a scan of raw events), as JSON-ready dicts or CSV. The comments listing is
central.comments."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import UTC, date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, func, literal, select

from central.flags import REASON_NOT_FOR_RATING, TIME_IMPLAUSIBLE
from central.language_names import language_name
from central.report_math import (
    BUCKETS,
    NO_POINT,
    combined_state,
    kept_apart_row,
    label_words,
    summarize,
    utc_bounds,
)
from central.report_queries import ReportError, checked_request, site_definitions
from central.rollups import COUNTS
from central.sites import SiteDefinition
from central.tables import (
    daily_language_rollups,
    daily_reason_rollups,
    daily_rollups,
    events,
    rollups,
)
from hymy_domain.facts import RATING_NAMES

KINDS = ("feedback", "checkins")
TOP_REASONS = 10


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
    include_implausible: bool = False,
) -> dict[str, Any]:
    """A feedback or check-in report over the local days first..last of the sites.

    Events kept apart because their time is implausible are left out and counted in
    `left_out.time_implausible`; with include_implausible they are counted, placed at the time
    they reached the central. Service point buckets and top reasons carry their `state` in the
    sites' definitions: active, retired or unknown.

    Raises ReportError for an unknown bucket or kind, a reversed period, or a site in a time
    zone the rollups cannot serve; central.limits.LimitError for a request beyond the limits
    (period, sites, ids); central.site_store.NotFoundError for an unknown site.
    """
    if kind not in KINDS:
        raise ReportError(f"A report is one of {', '.join(KINDS)}, not {kind!r}.")
    if by not in BUCKETS:
        raise ReportError(f"Bucket by one of {', '.join(BUCKETS)}, not {by!r}.")
    sites = checked_request(sites, first, last, by, service_point)
    definitions = site_definitions(conn, sites)
    tz_of = {site: ZoneInfo(d.site.timezone) for site, d in definitions.items()}
    rows = list(_rows(conn, by, tz_of, first, last, service_point))
    wanted = (sites, first, last, service_point, include_misuse)
    reason_counts = (
        _daily_counts(conn, daily_reason_rollups.c.reason, *wanted)
        if kind == "feedback"
        else Counter()
    )
    language_counts = (
        _daily_counts(conn, daily_language_rollups.c.language, *wanted)
        if kind == "feedback"
        else Counter()
    )
    kept_apart = [
        event
        for event in _time_implausible(conn, kind, tz_of, first, last, service_point)
        if include_misuse or not event["misuse"]
    ]
    if include_implausible:
        rows += [kept_apart_row(event, tz_of[event["site_id"]]) for event in kept_apart]
        reason_counts.update(event["reason"] for event in kept_apart if event["reason"])
        language_counts.update(event["language"] or "" for event in kept_apart)
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
        "include_implausible": include_implausible,
        "left_out": {"time_implausible": 0 if include_implausible else len(kept_apart)},
    }
    if service_point is not None:
        answer["service_point_state"] = _point_state(definitions, service_point)
    if by == "service-point":
        for bucket in answer["buckets"]:
            point = bucket["bucket"]
            bucket["state"] = None if point == NO_POINT else _point_state(definitions, point)
    if kind == "feedback":
        answer["include_misuse"] = include_misuse
        top = sorted(reason_counts.items(), key=lambda item: (-item[1], item[0]))[:TOP_REASONS]
        off_rating = _not_for_rating(conn, tz_of, first, last, service_point, include_misuse)
        answer["top_reasons"] = [
            {
                "reason": r,
                "count": n,
                "state": _reason_state(definitions, r),
                "not_offered_for_rating": off_rating[r],
            }
            for r, n in top
        ]
        # The visitors' languages on the kiosks ("fi", "uk", "fi-x-easy"), most answers first.
        answer["languages"] = [
            {"language": language, "count": n}
            for language, n in sorted(language_counts.items(), key=lambda i: (-i[1], i[0]))
            if n
        ]
    return answer


def _not_for_rating(
    conn: Connection,
    tz_of: dict[str, ZoneInfo],
    first: date,
    last: date,
    service_point: str | None,
    include_misuse: bool,
) -> Counter:
    """Per reason, how many of its answers in the period came with a rating the site does not
    offer it for (flagged at ingest; few, found by the index events_by_flag)."""
    bounds = {site: utc_bounds(first, last, tz) for site, tz in tz_of.items()}
    where = [  # one query for all the sites
        events.c.flag == REASON_NOT_FOR_RATING,
        events.c.site_id.in_(list(tz_of)),
        # No time condition in SQL (each site's local days are checked below): with one,
        # SQLite's planner walks the sites' time index through every event of the period
        # (0.9 s a site at 10 million events) instead of taking the few flagged ones by flag.
    ]
    if service_point:
        where.append(events.c.service_point == service_point)
    if not include_misuse:
        where.append(events.c.misuse.is_not(True))
    counts: Counter = Counter()
    query = select(events.c.site_id, events.c.reason, events.c.corrected_at).where(*where)
    for site, reason, at in conn.execute(query):
        start, end = bounds[site]
        if start <= (at if at.tzinfo else at.replace(tzinfo=UTC)) < end:
            counts[reason] += 1
    return counts


def _point_state(definitions: dict[str, SiteDefinition], point: str) -> str:
    return combined_state(d.service_point_state(point) for d in definitions.values())


def _reason_state(definitions: dict[str, SiteDefinition], reason: str) -> str:
    found = (d.reason(reason) for d in definitions.values())
    return combined_state(f[1] if f else None for f in found)


def _daily_counts(
    conn: Connection,
    column: Any,
    sites: list[str],
    first: date,
    last: date,
    service_point: str | None,
    include_misuse: bool,
) -> Counter:
    """Answers per reason or per language (`column` of its daily rollup) in the local days."""
    table = column.table
    where = [table.c.site_id.in_(sites), table.c.day >= first, table.c.day <= last]
    if service_point:
        where.append(table.c.service_point == service_point)
    if not include_misuse:
        where.append(table.c.misuse.is_(False))
    query = select(column, func.sum(table.c.count)).where(*where).group_by(column)
    return Counter({value: int(count) for value, count in conn.execute(query)})


def _time_implausible(
    conn: Connection,
    kind: str,
    tz_of: dict[str, ZoneInfo],
    first: date,
    last: date,
    service_point: str | None,
) -> list[dict[str, Any]]:
    """The events of the sites kept out of the rollups because their time is implausible that
    reached the central within the sites' local days first..last (read from the events: there
    are few, and the index events_by_flag finds them)."""
    bounds = {site: utc_bounds(first, last, tz) for site, tz in tz_of.items()}
    where = [
        events.c.flag == TIME_IMPLAUSIBLE,
        events.c.site_id.in_(list(tz_of)),
        events.c.type == ("feedback" if kind == "feedback" else "checkin"),
        events.c.received_at >= min(start for start, _ in bounds.values()),
        events.c.received_at < max(end for _, end in bounds.values()),
    ]
    if service_point:
        where.append(events.c.service_point == service_point)
    query = select(
        events.c.site_id,
        events.c.type,
        events.c.service_point,
        events.c.rating,
        events.c.reason,
        events.c.misuse,
        events.c.language,
        events.c.received_at,
    ).where(*where)
    kept = []
    for row in conn.execute(query).mappings():
        start, end = bounds[row["site_id"]]
        received = row["received_at"]
        received = received if received.tzinfo else received.replace(tzinfo=UTC)
        if start <= received < end:
            kept.append(dict(row))
    return kept


FEEDBACK_COLUMNS = [
    "n",
    *RATING_NAMES.values(),
    "score",
    "positive_share",
]


def _cells(answer: dict[str, Any], *, for_people: bool) -> list[list[str]]:
    """The header, the buckets and the total as rows of text. A service point's state is a
    column of its own for programs, and words after its id for people."""
    states = answer["by"] == "service-point"
    columns = ["checkins"] if answer["report"] == "checkins" else FEEDBACK_COLUMNS
    cells = [["bucket", *(["state"] if states and not for_people else []), *columns]]
    for r in [*answer["buckets"], answer["total"]]:
        state = r.get("state")
        if answer["report"] == "checkins":
            values = [r["checkins"]]
        else:
            d = r["distribution"]
            values = [r["n"], d["1"], d["2"], d["3"], d["4"], r["score"], r["positive_share"]]
        texts = ["" if v is None else str(v) for v in values]
        if not states:
            cells.append([r["bucket"], *texts])
        elif for_people:
            cells.append([label_words(r["bucket"], state), *texts])
        else:
            cells.append([r["bucket"], state or "", *texts])
    return cells


def to_csv(answer: dict[str, Any]) -> str:
    """The buckets and the total as CSV (one row each; by service point with a state column)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(_cells(answer, for_people=False))
    return out.getvalue()


def to_table(answer: dict[str, Any]) -> str:
    """The report as an aligned text table for a terminal, with the top reasons and what was
    left out under it."""
    lines = _cells(answer, for_people=True)
    widths = [max(len(row[i]) for row in lines) for i in range(len(lines[0]))]
    table = [
        "  ".join(
            c.rjust(w) if i else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in lines
    ]
    if answer.get("top_reasons"):
        table.append(
            "top reasons: "
            + ", ".join(
                f"{label_words(r['reason'], r['state'])} {r['count']}"
                + (
                    f" ({r['not_offered_for_rating']} with a rating it is not offered for)"
                    if r.get("not_offered_for_rating")
                    else ""
                )
                for r in answer["top_reasons"]
            )
        )
    if answer.get("languages"):
        table.append(
            "languages: "
            + ", ".join(
                f"{language_name(r['language'], 'en') or 'unknown'} {r['count']}"
                for r in answer["languages"]
            )
        )
    left_out = answer["left_out"]["time_implausible"]
    if left_out:
        table.append(
            f"left out: {left_out} event{'s' if left_out != 1 else ''} whose kiosk time was "
            "implausible (received in this period); --include-implausible counts them"
        )
    return "\n".join(table)

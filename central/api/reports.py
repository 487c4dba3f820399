"""GET /api/v1/reports/feedback, /checkins, /national and /comments: managers read their own
sites only."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse, Response

from central.access import Caller
from central.api.deps import CurrentCaller, Db
from central.api.problems import ProblemError, problem_responses
from central.comments import MAX_FILTER_VALUES, RATINGS, list_comments
from central.limits import (
    EARLIEST_DAY,
    LATEST_DAY,
    MAX_DAYS,
    MAX_DAYS_BY_HOUR,
    MAX_LIMIT,
    MAX_OFFSET,
    MAX_SITES,
    LimitError,
    check_sites,
)
from central.report_queries import ReportError
from central.reports import report, to_csv
from central.site_store import NotFoundError, load_site

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])


# What a report route answers besides 200 (a key reads only the sites it was given).
REFUSALS = problem_responses(
    401,
    422,
    503,
    described={
        403: "The key's role reads no reports, or it may not read one of the sites.",
        404: "A site named is not known to the central (an admin key; other keys get 403).",
    },
)
REPORT_RESPONSES = {
    200: {
        "description": "The report: JSON, or CSV with format=csv",
        "content": {"application/json": {}, "text/csv": {"schema": {"type": "string"}}},
    },
    **REFUSALS,
}


def require_reader(caller: Caller, sites: list[str]) -> None:
    """Raises ProblemError 403 unless the key reads reports of every one of the sites."""
    if not caller.reads_reports:
        raise ProblemError(403, f"A key of role {caller.role!r} reads no reports or comments.")
    refused = [s for s in sites if not caller.may_read_site(s)]
    if refused:
        raise ProblemError(403, f"This key may not read site(s) {', '.join(refused)}.")


def _report(
    kind: str,
    db: Db,
    caller: Caller,
    site: list[str],
    first: date,
    last: date,
    by: str,
    include_misuse: bool,
    service_point: str | None,
    include_implausible: bool,
    fmt: str,
) -> Any:
    require_reader(caller, site)
    try:
        answer = report(
            db, kind, site, first, last, by, include_misuse, service_point, include_implausible
        )
    except (ReportError, LimitError) as err:
        raise ProblemError(422, str(err)) from None
    except NotFoundError as err:
        raise ProblemError(404, str(err)) from None
    if fmt == "csv":
        return PlainTextResponse(to_csv(answer), media_type="text/csv")
    return answer


Sites = Annotated[
    list[str],
    Query(
        min_length=1,
        max_length=MAX_SITES,
        description=f"Site id; repeat for several (at most {MAX_SITES}).",
    ),
]
PERIOD = (
    f"Days from {EARLIEST_DAY} to {LATEST_DAY}; a period of at most {MAX_DAYS_BY_HOUR} days by "
    f"hour, {MAX_DAYS} otherwise."
)
From = Annotated[
    date, Query(alias="from", description=f"First local day, e.g. 2026-11-01. {PERIOD}")
]
To = Annotated[date, Query(alias="to", description="Last local day (inclusive).")]
By = Annotated[Literal["hour", "day", "week", "month", "service-point"], Query()]
Format = Annotated[Literal["json", "csv"], Query(alias="format")]
ServicePoint = Annotated[
    str | None, Query(max_length=64, description="Only this service point (its id).")
]
IncludeImplausible = Annotated[
    bool,
    Query(
        description="Count events whose kiosk time was implausible (left out and counted in "
        "left_out otherwise), at the time they reached the central."
    ),
]


@router.get("/feedback", responses=REPORT_RESPONSES)
def feedback_report(
    db: Db,
    caller: CurrentCaller,
    site: Sites,
    first: From,
    last: To,
    by: By = "day",
    include_misuse: bool = False,
    service_point: ServicePoint = None,
    include_implausible: IncludeImplausible = False,
    fmt: Format = "json",
) -> Any:
    """Feedback per bucket: n, the 1-4 distribution, the satisfaction score, the positive share."""
    return _report(
        "feedback",
        db,
        caller,
        site,
        first,
        last,
        by,
        include_misuse,
        service_point,
        include_implausible,
        fmt,
    )


@router.get("/checkins", responses=REPORT_RESPONSES)
def checkins_report(
    db: Db,
    caller: CurrentCaller,
    site: Sites,
    first: From,
    last: To,
    by: By = "day",
    service_point: ServicePoint = None,
    include_implausible: IncludeImplausible = False,
    fmt: Format = "json",
) -> Any:
    """Check-ins per bucket."""
    return _report(
        "checkins",
        db,
        caller,
        site,
        first,
        last,
        by,
        False,
        service_point,
        include_implausible,
        fmt,
    )


@router.get("/national", responses=REFUSALS)
def national(
    db: Db,
    caller: CurrentCaller,
    site: Sites,
    first: From,
    last: To,
    include_misuse: bool = False,
    service_point: ServicePoint = None,
) -> dict[str, Any]:
    """The national question set per site and question: the recommendation's NPS (promoters
    9-10 minus detractors 0-6, in %) and each statement's agreement, each with its own n;
    figures of fewer answers than the site's minimum withheld. Never mixed with the smileys'
    score (GET /feedback)."""
    from central.national_report import national_report

    require_reader(caller, site)
    try:
        return national_report(
            db, site, first, last, service_point=service_point, include_misuse=include_misuse
        )
    except (ReportError, LimitError) as err:
        raise ProblemError(422, str(err)) from None
    except NotFoundError as err:
        raise ProblemError(404, str(err)) from None


@router.get("/comments", responses=REFUSALS)
def comments(
    db: Db,
    caller: CurrentCaller,
    site: Sites,
    first: From,
    last: To,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    offset: Annotated[
        int, Query(ge=0, le=MAX_OFFSET, description="Deeper pages: narrow the period instead.")
    ] = 0,
    include_implausible: IncludeImplausible = False,
    service_point: Annotated[
        list[str] | None,
        Query(max_length=MAX_FILTER_VALUES, description="Only these service points (repeat)."),
    ] = None,
    rating: Annotated[
        list[int] | None,
        Query(max_length=len(RATINGS), description="Only these ratings, 1-4 (repeat)."),
    ] = None,
    reason: Annotated[
        list[str] | None,
        Query(max_length=MAX_FILTER_VALUES, description="Only these reasons (repeat)."),
    ] = None,
) -> dict[str, Any]:
    """Comments (redacted on the kiosk), newest first, a page at a time."""
    require_reader(caller, site)
    try:
        return list_comments(
            db,
            site,
            first,
            last,
            limit=limit,
            offset=offset,
            include_implausible=include_implausible,
            service_points=service_point or (),
            ratings=rating or (),
            reasons=reason or (),
        )
    except (ReportError, LimitError) as err:
        raise ProblemError(422, str(err)) from None
    except NotFoundError as err:
        raise ProblemError(404, str(err)) from None


PDF_RESPONSES = {
    200: {
        "description": "The site report as a PDF (one site, or a summary and each site)",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    },
    **REFUSALS,
}


@router.get("/pdf", responses=PDF_RESPONSES, response_class=Response)
def pdf_report(
    db: Db,
    caller: CurrentCaller,
    site: Sites,
    first: From,
    last: To,
    by: Annotated[Literal["day", "week", "month"], Query()] = "day",
    language: Annotated[
        Literal["fi", "sv", "en"], Query(description="The report's language.")
    ] = "fi",
) -> Response:
    """The console's site report as a PDF, with its charts and tables; small figures hidden."""
    from central.report_pdf import CONTENT_TYPE, ReportPdfError, render_report

    require_reader(caller, site)
    try:
        check_sites(site)
        definitions = [load_site(db, s) for s in site]
        pdf = render_report(db, definitions, first, last, language=language, by=by)
    except (ReportError, LimitError, ReportPdfError) as err:
        raise ProblemError(422, str(err)) from None
    except NotFoundError as err:
        raise ProblemError(404, str(err)) from None
    return Response(
        pdf.data,
        media_type=CONTENT_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="{pdf.filename}"',
            "Cache-Control": "no-store",
        },
    )

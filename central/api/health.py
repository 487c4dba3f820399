"""/healthz (liveness: the process answers) and /readyz (readiness: its database answers)."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool

from central.api.problems import ProblemError, problem_responses

router = APIRouter(tags=["health"])
log = logging.getLogger(__name__)
READY_RETRY_AFTER_S = 5
READY_503 = "The database does not answer: retry after Retry-After"


@router.head("/healthz", operation_id="healthz_head", summary="Healthz (HEAD)")
@router.get("/healthz", operation_id="healthz")
def healthz() -> dict[str, str]:
    """The central's process is up and answering. It never touches the database: a database
    outage is /readyz's, so a supervisor does not restart a healthy process for it."""
    return {"status": "ok"}


def _database_answers(request: Request) -> None:
    with request.app.state.engine.connect() as conn:
        conn.execute(text("SELECT 1"))


@router.head(
    "/readyz",
    operation_id="readyz_head",
    summary="Readyz (HEAD)",
    responses=problem_responses(503, described={503: READY_503}),
)
@router.get(
    "/readyz", operation_id="readyz", responses=problem_responses(503, described={503: READY_503})
)
async def readyz(request: Request) -> dict[str, str]:
    """The central can serve: its database answers. 503 (problem+json, Retry-After) when not:
    a load balancer sends the requests to another server meanwhile."""
    try:
        await run_in_threadpool(_database_answers, request)
    except Exception as err:
        log.warning("not ready: the database does not answer: %s", err)
        raise ProblemError(
            503,
            "The central's database does not answer; this server takes no requests until it "
            "does. Check the database (see docs/operations.md, When it breaks).",
            {"Retry-After": str(READY_RETRY_AFTER_S)},
        ) from None
    return {"status": "ready"}

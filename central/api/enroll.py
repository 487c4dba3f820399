"""POST /api/v1/enroll: a one-time code for a device id, its token and its config."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from central.api.problems import ProblemError, problem_responses
from central.enrollment import (
    EnrollmentError,
    NoFreeSlotError,
    TooManyFailuresError,
    enroll_limited,
)
from central.limits import FailureLimit
from central.logs import audit, client_address
from sync.protocol import EnrollAnswer

router = APIRouter(prefix="/api/v1", tags=["enrolment"])


def _refused(client: str, kiosk_id: str, reason: str, site: str | None) -> None:
    """The audit line of a failed enrolment (never the code)."""
    audit(
        "enrol_refused",
        f"enrolment refused: {reason}",
        level=logging.WARNING,
        reason=reason,
        site=site,
        kiosk=kiosk_id[:64],
        client=client,
    )


class EnrollRequest(BaseModel):
    code: str = Field(min_length=4, max_length=64, examples=["K7QD-92XM-HB4T"])
    kiosk_id: str = Field(min_length=1, max_length=64, examples=["kaleva-aula-2"])


@router.post(
    "/enroll",
    response_model=EnrollAnswer,
    responses=problem_responses(
        413,
        422,
        503,
        described={
            400: "Unknown, used or expired code, or a bad kiosk id (or a body that is not "
            "JSON text)",
            409: "Every ticket-number block of the site is held by a live kiosk",
            429: "Too many failed enrolments: retry after Retry-After seconds",
        },
    ),
)
async def enroll_device(body: EnrollRequest, request: Request) -> EnrollAnswer:
    """Trade a one-time enrolment code for a device id, a token and the kiosk's config."""
    settings = request.app.state.settings
    window = settings.enroll_failure_window
    client = client_address(request)
    try:
        enrolled = await run_in_threadpool(
            enroll_limited,
            request.app.state.engine,
            body.code,
            body.kiosk_id,
            address=client,
            per_address=FailureLimit(settings.enroll_failures_per_address, window),
            per_site=FailureLimit(settings.enroll_failures_per_site, window),
        )
    except TooManyFailuresError as err:
        failed = err.failure
        _refused(client, body.kiosk_id, "too-many-failures", failed.site_id if failed else None)
        raise ProblemError(429, str(err), {"Retry-After": str(err.retry_after)}) from None
    except NoFreeSlotError as err:
        _refused(client, body.kiosk_id, "no-free-number-block", None)
        raise ProblemError(409, str(err)) from None
    except EnrollmentError as err:
        _refused(client, body.kiosk_id, err.reason, err.site_id)
        raise ProblemError(400, str(err)) from None
    audit(
        "enrolled",
        f"kiosk {body.kiosk_id} of {enrolled.site} enrolled",
        site=enrolled.site,
        kiosk=body.kiosk_id,
        device_id=enrolled.device_id,
        client=client,
    )
    return enrolled.answer()

"""POST /api/v1/enroll: a one-time code for a device id, its token and its config."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from central.api.problems import ProblemError
from central.db import writing
from central.enrollment import EnrollmentError, enroll
from central.sites import SiteError

router = APIRouter(prefix="/api/v1", tags=["enrolment"])


class EnrollRequest(BaseModel):
    code: str = Field(min_length=4, max_length=64, examples=["K7QD-92XM-HB4T"])
    kiosk_id: str = Field(min_length=1, max_length=64, examples=["kaleva-aula-2"])


class EnrollResponse(BaseModel):
    device_id: str
    token: str
    site: str
    config: dict[str, Any]


@router.post("/enroll", response_model=EnrollResponse)
def enroll_device(body: EnrollRequest, request: Request) -> EnrollResponse:
    """Trade a one-time enrolment code for a device id, a token and the kiosk's config."""
    try:
        # Read the code, then claim it: on SQLite the transaction takes the write lock first.
        with writing(request.app.state.engine) as conn, conn.begin():
            enrolled = enroll(conn, body.code, body.kiosk_id)
    except (EnrollmentError, SiteError) as err:
        raise ProblemError(400, str(err)) from None
    return EnrollResponse(
        device_id=enrolled.device_id,
        token=enrolled.token,
        site=enrolled.site,
        config=enrolled.config,
    )

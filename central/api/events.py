"""POST /api/v1/events: a kiosk's gzip batch, stored exactly once in effect."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from pydantic import BaseModel

from central.api.deps import CurrentDevice, Db
from central.api.problems import ProblemError
from central.enrollment import load_site
from central.ingest import ingest
from sync.protocol import MAX_BODY_BYTES, ProtocolError, decode_batch

router = APIRouter(prefix="/api/v1", tags=["events"])


class Rejected(BaseModel):
    id: str
    error: str


class BatchResult(BaseModel):
    accepted: int
    duplicates: int
    conflicts: list[str]
    rejected: list[Rejected]


@router.post(
    "/events",
    response_model=BatchResult,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/gzip": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def post_events(request: Request, device: CurrentDevice, db: Db) -> BatchResult:
    """Store a batch of events (gzip JSON, wire format v1); each event succeeds or fails alone."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise ProblemError(
            413, f"A batch body may be at most {MAX_BODY_BYTES} bytes; send fewer events per batch."
        )
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise ProblemError(
                413,
                f"A batch body may be at most {MAX_BODY_BYTES} bytes; send fewer events per batch.",
            )
    try:
        envelope, raw_events = decode_batch(body)
    except ProtocolError as err:
        raise ProblemError(422, str(err)) from None
    settings = request.app.state.settings
    result = ingest(
        db,
        device,
        load_site(db, device.site_id),
        envelope,
        raw_events,
        received_at=datetime.now(UTC),
        tolerance=settings.clock_tolerance,
    )
    return BatchResult.model_validate(result.as_json())

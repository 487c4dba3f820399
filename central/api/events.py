"""POST /api/v1/events: a kiosk's gzip batch, stored exactly once in effect."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool

from central import alerts, metrics
from central.api.admission import BusyError, IngestGate
from central.api.deps import DeviceCredentials, authenticated_device, bearer_token
from central.api.problems import ProblemError, problem_responses
from central.db import in_write_transaction
from central.ingest import IngestResult, check_events, ingest
from central.logs import client_address
from central.site_store import load_site
from sync.protocol import (
    MAX_BODY_BYTES,
    BatchEnvelope,
    IngestAnswer,
    ProtocolError,
    decode_batch,
)

router = APIRouter(prefix="/api/v1", tags=["events"])
TOO_LARGE = f"A batch body may be at most {MAX_BODY_BYTES} bytes; send fewer events per batch."


def _store(
    request: Request, token: str, envelope: BatchEnvelope, raw: list
) -> tuple[IngestResult, str]:
    """The batch stored, and its site (for the alerts)."""
    settings = request.app.state.settings
    client = client_address(request)
    received_at = datetime.now(UTC)
    checked = check_events(raw)  # no database needed: done before the write lock is taken

    def work(conn: Connection) -> tuple[IngestResult, str]:
        # The token check and the whole batch in one transaction, on one worker thread: a batch
        # costs one hop off the event loop, which is most of the fixed cost of a request.
        device = authenticated_device(conn, token, client=client)
        return ingest(
            conn,
            device,
            load_site(conn, device.site_id),
            envelope,
            checked,
            received_at=received_at,
            tolerance=settings.clock_tolerance,
        ), device.site_id

    # A deadlock or serialization failure is run again here, never answered 500.
    return in_write_transaction(request.app.state.engine, work)


@router.post(
    "/events",
    response_model=IngestAnswer,
    responses=problem_responses(
        401,
        503,
        described={
            413: f"The body is over {MAX_BODY_BYTES} bytes: send fewer events per batch.",
            422: "The body is not a gzip batch of wire format v1 (not gzip, not JSON, inflates "
            "too large, too many events, or a malformed envelope).",
            429: "Busy: nothing was stored; send the batch again after Retry-After seconds.",
        },
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/gzip": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def post_events(request: Request, credentials: DeviceCredentials) -> IngestAnswer:
    """Store a batch of events (gzip JSON, wire format v1); each event succeeds or fails alone."""
    with metrics.batch_outcome() as outcome:
        return await _post_events(request, credentials, outcome)


async def _post_events(
    request: Request, credentials: DeviceCredentials, outcome: metrics.BatchOutcome
) -> IngestAnswer:
    token = bearer_token(credentials)
    body = await request.body()  # at most MAX_BODY_BYTES: central.api.body_limit
    try:
        envelope, raw_events = decode_batch(body)
    except ProtocolError as err:
        raise ProblemError(422, str(err)) from None
    gate: IngestGate = request.app.state.ingest_gate
    waited = time.perf_counter()
    try:
        async with gate.turn():
            started = time.perf_counter()
            outcome.waited(started - waited)
            result, site_id = await run_in_threadpool(_store, request, token, envelope, raw_events)
            outcome.stored(result, time.perf_counter() - started)
        alerts.note_arrival(request.app, site_id, alerts.AFTER_BATCH)  # soon, off this request
    except BusyError as busy:  # the agent keeps the batch and backs off instead of piling up
        outcome.waited(time.perf_counter() - waited)
        raise ProblemError(
            429,
            "The central is taking batches from many kiosks at once; send this batch again "
            f"after {busy.retry_after_s} s (nothing of it was stored).",
            {"Retry-After": str(busy.retry_after_s)},
        ) from None
    return IngestAnswer.model_validate(result.as_json())  # the answer the agent parses

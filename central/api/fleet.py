"""The fleet: POST /api/v1/heartbeat from kiosks and GET /api/v1/devices for IT staff (each
kiosk's config, GET /api/v1/config, is central.api.config)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy import Connection

from central import alerts
from central.api.deps import (
    CurrentCaller,
    Db,
    DeviceCredentials,
    authenticated_device,
    bearer_token,
    run_write,
)
from central.api.problems import ProblemError, problem_responses
from central.fleet import fleet, record_heartbeat, visible_sites
from sync.protocol import Heartbeat

router = APIRouter(prefix="/api/v1", tags=["fleet"])


@router.post(
    "/heartbeat",
    status_code=204,
    responses=problem_responses(
        400, 401, 413, 503, described={422: "The heartbeat is malformed; `detail` says where."}
    ),
)
async def heartbeat(beat: Heartbeat, request: Request, credentials: DeviceCredentials) -> Response:
    """A kiosk's health: version, backlog, last upload, free disk, printer, clock."""
    token = bearer_token(credentials)

    def record(conn: Connection) -> str:
        device = authenticated_device(conn, token)
        record_heartbeat(conn, device.id, beat, datetime.now(UTC))
        return device.site_id

    site_id = await run_write(request, record)  # committed before the 204 goes out
    alerts.note_arrival(request.app, site_id, alerts.AFTER_HEARTBEAT)  # soon, not here
    return Response(status_code=204)


@router.get(
    "/devices",
    responses=problem_responses(
        401, 503, described={403: "A manager's key: the fleet view is for IT staff and admins."}
    ),
)
def list_devices(caller: CurrentCaller, db: Db) -> list[dict[str, Any]]:
    """Every kiosk the key may see: last seen, a status in words, whether all events arrived."""
    if caller.role == "manager":
        raise ProblemError(403, "The fleet view is for IT staff and admins.")
    scope = visible_sites(caller.role, caller.sites)
    return [
        {
            "device_id": d.device_id,
            "site": d.site,
            "kiosk_id": d.kiosk_id,
            "last_seen": d.last_seen.isoformat() if d.last_seen else None,
            "status": d.status,
            "revoked": d.revoked,
            "heartbeat": d.heartbeat,
            "completeness": d.completeness.words() if d.completeness else None,
            "events": d.completeness.as_json() if d.completeness else None,
        }
        for d in fleet(db, scope)
    ]

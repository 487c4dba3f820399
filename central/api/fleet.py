"""The fleet: POST /api/v1/heartbeat from kiosks, GET /api/v1/devices for IT staff, and
GET /api/v1/config, each kiosk's config with an ETag."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy import Connection

from central.api.deps import (
    CurrentCaller,
    CurrentDevice,
    Db,
    DeviceCredentials,
    authenticated_device,
    bearer_token,
    run_write,
)
from central.api.problems import ProblemError, problem_responses
from central.enrollment import load_site
from central.fleet import fleet, record_heartbeat, visible_sites
from central.sites import SiteError, kiosk_config
from central.tables import devices
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

    def record(conn: Connection) -> None:
        device = authenticated_device(conn, token)
        record_heartbeat(conn, device.id, beat, datetime.now(UTC))

    await run_write(request, record)  # committed before the 204 goes out
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


ETAG_HEADER = {"ETag": {"description": "The config's version.", "schema": {"type": "string"}}}


@router.get(
    "/config",
    responses={
        200: {
            "description": "The kiosk's config",
            "headers": ETAG_HEADER,
            "content": {"application/json": {"schema": {"type": "object"}}},
        },
        304: {"description": "Not modified: the ETag sent is the config's", "headers": ETAG_HEADER},
        **problem_responses(
            401,
            503,
            described={
                409: "The site's ticket-number blocks were made smaller than this kiosk's slot: "
                "enrol the kiosk again."
            },
        ),
    },
    # Read from the request rather than as a parameter: a header string cannot be invalid,
    # so the route has no 422 to document.
    openapi_extra={
        "parameters": [
            {
                "name": "If-None-Match",
                "in": "header",
                "required": False,
                "description": "The ETag of the config the kiosk has.",
                "schema": {"type": "string"},
            }
        ]
    },
)
def get_config(device: CurrentDevice, db: Db, request: Request) -> Response:
    """The kiosk's config; send the ETag back in If-None-Match to get 304 when unchanged."""
    if_none_match = request.headers.get("if-none-match")
    slot = db.execute(devices.select().where(devices.c.id == device.id)).one().range_slot
    try:
        config = kiosk_config(load_site(db, device.site_id), kiosk_id=device.kiosk_id, slot=slot)
    except SiteError as err:  # the site's blocks were made smaller than this kiosk's slot
        raise ProblemError(409, str(err)) from None
    body = json.dumps(config, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    etag = f'"{hashlib.sha256(body.encode()).hexdigest()[:32]}"'
    if if_none_match and etag in [t.strip() for t in if_none_match.split(",")]:
        return Response(status_code=304, headers={"ETag": etag})
    return Response(body, media_type="application/json", headers={"ETag": etag})

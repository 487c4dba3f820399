"""GET /api/v1/config: each kiosk's config (central.sites.kiosk_config, shaped as
sync.protocol.KioskConfigAnswer), with an ETag so that an unchanged config costs the kiosk a 304."""

from __future__ import annotations

import hashlib
import json

from fastapi import APIRouter, Request, Response

from central.api.deps import CurrentDevice, Db
from central.api.problems import ProblemError, problem_responses
from central.site_store import load_site
from central.sites import SiteError, kiosk_config
from central.tables import devices
from sync.protocol import KioskConfigAnswer

router = APIRouter(prefix="/api/v1", tags=["fleet"])

ETAG_HEADER = {"ETag": {"description": "The config's version.", "schema": {"type": "string"}}}


@router.get(
    "/config",
    response_model=KioskConfigAnswer,
    responses={
        200: {"description": "The kiosk's config", "headers": ETAG_HEADER},
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

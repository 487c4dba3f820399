"""GET /metrics: Prometheus' text format (see central.metrics), to the addresses allowed by
HYMY_CENTRAL_METRICS_ALLOW_IPS (default this machine only: 127.0.0.1 and ::1)."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from central import metrics
from central.api.problems import ProblemError, problem_responses
from central.logs import client_address

router = APIRouter(tags=["monitoring"])


@lru_cache(maxsize=8)
def _networks(allowed: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] | None:
    """The networks of a comma-separated list; None for "*" (anyone)."""
    parts = [p.strip() for p in allowed.split(",") if p.strip()]
    if "*" in parts:
        return None
    return tuple(ipaddress.ip_network(p, strict=False) for p in parts)


def allowed(address: str, allow: str) -> bool:
    """Whether `address` is in the list `allow` (addresses, networks, or "*")."""
    networks = _networks(allow)
    if networks is None:
        return True
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


@router.get(
    "/metrics",
    response_class=Response,
    responses={
        200: {"content": {metrics.CONTENT_TYPE: {}}, "description": "Prometheus text format"},
        **problem_responses(403, described={403: "Not an address allowed to read the metrics"}),
    },
)
async def get_metrics(request: Request) -> Response:
    """Counters of every worker of this server, and the database's figures (see
    central.metrics)."""
    address = client_address(request)
    if not allowed(address, request.app.state.settings.metrics_allow_ips):
        raise ProblemError(
            403,
            f"{address} may not read the metrics: add it to HYMY_CENTRAL_METRICS_ALLOW_IPS "
            "(see docs/operations.md, Monitoring).",
        )
    body = await run_in_threadpool(metrics.exposition, request.app.state.engine)
    return Response(body, media_type=metrics.CONTENT_TYPE)

"""Property-based calls generated from /openapi.json (schemathesis): no answer is ever a 5xx,
with real credentials so the handlers behind authentication are reached too."""

from __future__ import annotations

import gzip
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from central.access import create_api_key
from central.app import create_app
from central.settings import Settings
from tests.central.conftest import add_site, make_code

CREDENTIALS: dict[str, str] = {}


@schemathesis.serializer("application/gzip")
def _gzip(_ctx: object, value: object) -> bytes:
    """Generated bodies for the batch endpoint: gzip of whatever was generated (bytes or JSON)."""
    raw = value if isinstance(value, bytes) else json.dumps(value, default=str).encode()
    return gzip.compress(raw)


# The schema is read at import (it needs no database); the fixture below starts the same app's
# lifespan (its database) and adds a site, a kiosk and an admin key before any call is made.
APP = create_app(Settings(data_dir=Path(tempfile.mkdtemp(prefix="hymy-schemathesis-"))))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def running_app() -> Iterator[None]:
    with TestClient(APP) as client:
        add_site(client)
        enrolled = client.post(
            "/api/v1/enroll", json={"code": make_code(client), "kiosk_id": "aula-1"}
        ).json()
        with APP.state.engine.begin() as conn:
            CREDENTIALS["admin"] = create_api_key(conn, "admin", [])[0]
        CREDENTIALS["device"] = enrolled["token"]
        yield


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)
def test_no_request_makes_the_central_fail(case: schemathesis.Case) -> None:
    person = case.path.startswith(("/api/v1/reports", "/api/v1/devices"))
    token = CREDENTIALS["admin" if person else "device"]
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    assert response.status_code < 500, f"{case.method} {case.path}: {response.text[:500]}"

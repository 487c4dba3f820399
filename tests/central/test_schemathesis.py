"""Property-based calls generated from /openapi.json (schemathesis), on SQLite and PostgreSQL:
no answer is ever a 5xx, and every refusal is a problem document that says what to fix.

Calls carry real credentials and, as often as not, the ids of real sites and service points, so
the handlers behind authentication and the site lookup are reached (with random site ids every
report stopped at 404, which is how far dates and deep pages went unnoticed). Inputs that break
the schema are generated too (negative mode), and strings may hold NUL characters, which
PostgreSQL refuses outright.
"""

from __future__ import annotations

import gzip
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from central.access import create_api_key
from central.app import create_app
from central.settings import Settings
from tests.central.conftest import EXAMPLE_SITE, add_site, make_code

OTHER_SITE = EXAMPLE_SITE.read_text(encoding="utf-8").replace('id = "kaleva"', 'id = "hervanta"')
SITES = ["kaleva", "hervanta"]
SERVICE_POINTS = ["laboratorio", "neuvola", "ei-ole"]


@schemathesis.serializer("application/gzip")
def _gzip(_ctx: object, value: object) -> bytes:
    """Generated bodies for the batch endpoint: gzip of whatever was generated (bytes or JSON)."""
    raw = value if isinstance(value, bytes) else json.dumps(value, default=str).encode()
    return gzip.compress(raw)


# The schema needs no database: it is read from an app that is never started.
schema = schemathesis.openapi.from_asgi(
    "/openapi.json", create_app(Settings(data_dir=Path(tempfile.mkdtemp(prefix="hymy-st-"))))
)
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])


# The calendar's edges are where a date stops fitting into a UTC instant.
DAYS = st.sampled_from(["0001-01-01", "9999-12-31"]) | st.dates().map(lambda day: day.isoformat())
COUNTS = st.integers(min_value=-(2**70), max_value=2**70) | st.sampled_from(
    [0, 1, 500, 501, 10_000, 10_001, 2**31, 2**63]
)


@schema.hook
def flatmap_query(_context: Any, query: dict[str, Any] | None) -> st.SearchStrategy:
    """Half the time the query names real sites, with days anywhere in the calendar and paging
    of any size (the schema cannot say which days or how deep a page the database takes)."""
    if not isinstance(query, dict) or "site" not in query:
        return st.just(query)
    real = st.fixed_dictionaries(
        {"site": st.lists(st.sampled_from(SITES), min_size=1, max_size=3)},
        optional={
            "from": DAYS,
            "to": DAYS,
            "by": st.sampled_from(["hour", "day", "week", "month", "service-point"]),
            "service_point": st.sampled_from([*SERVICE_POINTS, "\x00"]) | st.text(max_size=70),
            "limit": COUNTS,
            "offset": COUNTS,
        },
    )
    return st.one_of(st.just(query), real.map(lambda known: {**query, **known}))


class Central:
    """A started app with two sites, an enrolled kiosk and an admin key."""

    def __init__(self, db_url: str, data_dir: Path) -> None:
        self.app: FastAPI = create_app(Settings(data_dir=data_dir, db_url=db_url))
        self.client = TestClient(self.app)
        self.client.__enter__()
        add_site(self.client)
        add_site(self.client, OTHER_SITE)
        enrolled = self.client.post(
            "/api/v1/enroll", json={"code": make_code(self.client), "kiosk_id": "aula-1"}
        ).json()
        self.device = enrolled["token"]
        with self.app.state.engine.begin() as conn:
            self.admin = create_api_key(conn, "admin", [])[0]

    def close(self) -> None:
        self.client.__exit__(None, None, None)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def central(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[Central]:
    data_dir = tmp_path_factory.mktemp("central")
    if request.param == "sqlite":
        url = f"sqlite:///{data_dir / 'central.sqlite'}"
    else:
        url = request.getfixturevalue("postgres").create_database()
    running = Central(url, data_dir)
    yield running
    running.close()


@schema.parametrize()
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[
        HealthCheck.filter_too_much,
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
    ],
)
def test_no_request_makes_the_central_fail(case: schemathesis.Case, central: Central) -> None:
    person = case.path.startswith(("/api/v1/reports", "/api/v1/devices"))
    token = central.admin if person else central.device
    response = case.call(app=central.app, headers={"Authorization": f"Bearer {token}"})
    where = f"{case.method} {case.path} {case.query}: {response.text[:500]}"
    assert response.status_code < 500, where
    if response.status_code >= 400:
        assert response.headers["content-type"] == ["application/problem+json"], where
        assert response.json()["detail"], where

"""Property-based calls generated from /openapi.json (schemathesis), on SQLite and PostgreSQL:
no answer is ever a 5xx, and every answer is one the document promises (its status, content
type, schema and headers), each refusal a problem document that says what to fix.

Every generated case is sent twice: with a valid credential of the kind the route takes (a
device token, or the API key of an admin, an IT person or a manager, in turn) and
without any, so the handlers behind authentication are reached as well as the refusals in front
of them. As often as not the query names real sites and service points (with random site ids
every report stopped at 404, which is how far dates and deep pages went unnoticed). Inputs that
break the schema are generated too (negative mode), and strings may hold NUL characters, which
PostgreSQL refuses outright. Half the batches and heartbeats are near-valid ones (duplicate and
conflicting event ids, edge times and counts), so the ingest and the fleet's store are reached.

The cases are seeded (derandomize): CI runs the same ones each time, about a thousand per
database (schemathesis' explicit and coverage cases: edge values, missing parts, wrong methods;
then 25 generated per operation), in about a minute. The larger run, of 10,000 and more
against a real `hymy-central serve`, is bench/bench_schemathesis.py, which uses the hooks and
checks of this module.
"""

from __future__ import annotations

import copy
import gzip
import itertools
import json
import tempfile
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from requests.structures import CaseInsensitiveDict
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import positive_data_acceptance

from central.access import create_api_key
from central.app import create_app
from central.db import write_transaction
from central.settings import Settings
from tests.support.central import add_site, make_code
from tests.support.paths import EXAMPLE_SITE
from tests.support.postgres import PostgresCluster, postgres_bin

OTHER_SITE = EXAMPLE_SITE.read_text(encoding="utf-8").replace('id = "kaleva"', 'id = "hervanta"')
SITES = ["kaleva", "hervanta"]
SERVICE_POINTS = ["laboratorio", "neuvola", "ei-ole"]
KEY_ROLES = ["admin", "it", "manager"]
_turns = itertools.count()  # the key of each call in turn: the same order for the same seed
# Every check schemathesis has for a single call, but one: positive_data_acceptance wants a 2xx
# for every request the schema allows, while an enrolment code, a site or a period the schema
# cannot know are refused (400, 404, 422) as documented, and so are what JSON Schema cannot say
# (a wire time within 1970..2200, an integer written without a decimal point).
EXCLUDED_CHECKS = [positive_data_acceptance]


@schemathesis.serializer("application/gzip")
def _gzip(_ctx: object, value: object) -> bytes:
    """Generated bodies for the batch endpoint: gzip of whatever was generated (bytes or JSON)."""
    raw = value if isinstance(value, bytes) else json.dumps(value, default=str).encode()
    return gzip.compress(raw)


# The calendar's edges are where a date stops fitting into a UTC instant.
DAYS = st.sampled_from(["0001-01-01", "9999-12-31"]) | st.dates().map(lambda day: day.isoformat())
COUNTS = st.integers(min_value=-(2**70), max_value=2**70) | st.sampled_from(
    [0, 1, 500, 501, 10_000, 10_001, 2**31, 2**63]
)
# Periods a report can be read for (most random days are refused before any query runs).
PERIODS = st.tuples(
    st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31)),
    st.integers(min_value=0, max_value=800),
).map(
    lambda start: {"from": start[0].isoformat(), "to": (start[0] + timedelta(start[1])).isoformat()}
)

# Batches: envelopes and events close enough to the wire format to reach the ingest (duplicate
# and conflicting ids from a small pool, times near now and far off, edge values of each field).
IDS = st.sampled_from([str(uuid.UUID(int=n)) for n in range(1, 6)]) | st.uuids().map(str)
TIMES = st.one_of(
    st.integers(min_value=-3 * 86400, max_value=3 * 86400).map(
        lambda s: (datetime.now(UTC) + timedelta(seconds=s)).isoformat()
    ),
    st.datetimes(timezones=st.just(UTC)).map(datetime.isoformat),
    st.sampled_from(["2026-13-01T00:00:00+00:00", "now", "", "2026-11-01T12:00:00"]),
)
SMALL_INTS = st.integers(min_value=-1, max_value=5) | st.integers(
    min_value=-(2**70), max_value=2**70
)
TEXT = st.none() | st.text(max_size=40) | st.sampled_from(["\x00", "p. 040 1234567", "a" * 2001])
EVENT = st.fixed_dictionaries(
    {
        "id": IDS,
        "type": st.sampled_from(["feedback", "checkin", "other"]),
        "occurred_at": TIMES,
        "boot_id": st.sampled_from(["boot-1", "boot-2", "", "b o o t"]),
        "monotonic_ms": st.integers(min_value=-1, max_value=2**63),
    },
    optional={
        "language": st.sampled_from(["fi", "sv", "en", "se", "sr-Latn", "xx-yy-zz", ""]),
        "service_point": st.none() | st.sampled_from([*SERVICE_POINTS, "laakarin-vastaanotto"]),
        "rating": SMALL_INTS | st.booleans(),
        "reason": st.none() | st.sampled_from(["waiting-time", "friendly-staff", "ei-ole"]),
        "comment": TEXT,
        "misuse": st.booleans() | st.none(),
        "ticket": st.sampled_from(["L023", "N1000", "l1", ""]) | st.text(max_size=20),
        "method": st.sampled_from(["touch", "barcode", "voice"]),
        "printed": st.booleans() | st.integers(0, 1),
        "outbox_id": st.none() | st.sampled_from([str(uuid.UUID(int=n)) for n in range(7, 9)]),
        "seq": st.none() | st.integers(min_value=-1, max_value=2**63),
    },
)
BATCH = st.fixed_dictionaries(
    {
        "batch_id": st.uuids().map(str),
        "sent_at": TIMES,
        "boot_id": st.sampled_from(["boot-1", "boot-2"]),
        "monotonic_ms": st.integers(min_value=0, max_value=10**9),
        "events": st.lists(EVENT | st.just({}) | st.integers(), max_size=8),
    },
    optional={"version": st.sampled_from([1, 2, True])},
)

NEAR_NOW = st.integers(min_value=-30 * 86400, max_value=86400).map(
    lambda s: (datetime.now(UTC) + timedelta(seconds=s)).isoformat()
)
KIOSK_COUNTS = st.integers(min_value=0, max_value=2**63 - 1)  # the schema's own cases go beyond
# Heartbeats most of whose fields a kiosk could send (the schema alone rarely makes one the
# central takes: its times must lie in 1970..2200), with edge values here and there.
HEARTBEAT = st.fixed_dictionaries(
    {
        "version": st.sampled_from(["0.1.0", "", "x" * 40]),
        "backlog": KIOSK_COUNTS,
        "free_disk_bytes": KIOSK_COUNTS,
        "device_clock": NEAR_NOW | NEAR_NOW | TIMES,
    },
    optional={
        "oldest_pending": st.none() | NEAR_NOW,
        "last_upload": st.none() | NEAR_NOW,
        "quarantined": KIOSK_COUNTS,
        "printer": st.sampled_from(["none", "ok", "paper_near_end", "paper_out", "offline"]),
        "storage": st.sampled_from(["ok", "read_only", "full", "error"]),
        "outbox": st.none()
        | st.fixed_dictionaries(
            {
                "id": st.sampled_from([str(uuid.UUID(int=n)) for n in range(7, 9)]),
                "first_seq": st.integers(min_value=0, max_value=2**40),
                "last_seq": st.integers(min_value=0, max_value=2**40),
            }
        ),
        "refused": st.none()
        | st.fixed_dictionaries(
            {
                "status": st.sampled_from([400, 413, 422, 599]),
                "error": st.text(max_size=60),
                "at": NEAR_NOW,
                "events": KIOSK_COUNTS,
            }
        ),
    },
)


def real_queries(query: dict[str, Any]) -> st.SearchStrategy:
    """The query naming real sites (or an unknown one), with periods the limits take or days
    anywhere in the calendar, and paging of any size (the schema cannot say which days or how
    deep a page the database takes)."""
    real = st.fixed_dictionaries(
        {"site": st.lists(st.sampled_from([*SITES, "ei-ole-asema"]), min_size=1, max_size=3)},
        optional={
            "by": st.sampled_from(["hour", "day", "week", "month", "service-point"]),
            "service_point": st.sampled_from([*SERVICE_POINTS, "\x00"]) | st.text(max_size=70),
            "limit": COUNTS,
            "offset": COUNTS,
            "format": st.sampled_from(["json", "csv"]),
        },
    )
    dated = st.one_of(PERIODS, st.fixed_dictionaries({}, optional={"from": DAYS, "to": DAYS}))
    return st.tuples(real, dated).map(lambda known: {**query, **known[0], **known[1]})


def flatmap_body(context: Any, body: Any) -> st.SearchStrategy:
    """Half the batches are near-valid wire format v1 (JSON, gzipped by the serializer above)
    instead of random bytes, which never pass the envelope."""
    if context.operation is None or context.operation.path != "/api/v1/events":
        return st.just(body)
    return st.one_of(st.just(body), BATCH)


def flatmap_case(_context: Any, case: schemathesis.Case) -> st.SearchStrategy:
    """Half the report queries name real sites, and half the heartbeats are near-valid ones,
    but only where the case is positive there: a query or body that schemathesis made invalid
    on purpose (negative mode) stays invalid, or it would be judged a bad request let through.
    Set on the case, so that schemathesis judges what is sent."""

    def negative_at(location: ParameterLocation) -> bool:
        return case.meta is not None and case.meta.is_negative_at(location)

    def with_query(query: dict[str, Any]) -> schemathesis.Case:
        case.query = query
        return case

    def with_body(body: dict[str, Any]) -> schemathesis.Case:
        case.body = body
        return case

    if (
        isinstance(case.query, dict)
        and "site" in case.query
        and not negative_at(ParameterLocation.QUERY)
    ):
        return st.one_of(st.just(case), real_queries(case.query).map(with_query))
    if case.path == "/api/v1/heartbeat" and not negative_at(ParameterLocation.BODY):
        return st.one_of(st.just(case), HEARTBEAT.map(with_body))
    return st.just(case)


def prepare(schema: Any) -> Any:
    """`schema` with this module's hooks and both generation modes (for the bench too)."""
    schema.hook(flatmap_body)
    schema.hook(flatmap_case)
    schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
    return schema


def credential_kind(case: schemathesis.Case) -> str | None:
    """'DeviceToken', 'ApiKey' or None: the bearer scheme the case's operation declares."""
    for requirement in case.operation.definition.raw.get("security", []):
        for name in requirement:
            return name
    return None


def authorization(case: schemathesis.Case, device: str, keys: dict[str, str]) -> dict[str, str]:
    """The valid Authorization header for the case: the device's token, or the key of each
    role in turn."""
    kind = credential_kind(case)
    if kind is None:
        return {}
    if kind == "DeviceToken":
        return {"Authorization": f"Bearer {device}"}
    role = KEY_ROLES[next(_turns) % len(KEY_ROLES)]
    return {"Authorization": f"Bearer {keys[role]}"}


def without_credentials(case: schemathesis.Case) -> schemathesis.Case:
    """A copy of the case with no Authorization header at all (schemathesis may have generated
    one). A copy: the case itself is sent again for the other database."""
    headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
    return schemathesis.Case(
        case.operation,
        case.method,
        case.path,
        path_parameters=copy.deepcopy(case.path_parameters),
        headers=CaseInsensitiveDict(headers),
        cookies=copy.deepcopy(case.cookies),
        query=copy.deepcopy(case.query),
        body=copy.deepcopy(case.body),
        media_type=case.media_type,
        multipart_content_types=case.multipart_content_types,
        meta=copy.deepcopy(case.meta),
    )


def check_twice(
    case: schemathesis.Case,
    call: Callable[[schemathesis.Case, dict[str, str]], Any],
    device: str,
    keys: dict[str, str],
) -> list[str]:
    """Send the case with valid credentials, then without; what failed (checks, and refusals
    that are not problem documents with a detail), empty when both answers are as documented."""
    failures = []
    for sent, headers in (
        (case, authorization(case, device, keys)),
        (without_credentials(case), {}),
    ):
        try:
            response = call(sent, headers)
        except FailureGroup as group:
            failures.append(f"{case.method} {case.path}: {group}")
            continue
        where = f"{case.method} {case.path} {case.query}: {response.status_code}"
        if response.status_code >= 400 and case.method != "HEAD":  # HEAD: headers only
            try:
                detail = response.json().get("detail")
            except ValueError:
                detail = None
            if not detail:
                failures.append(f"{where}: a refusal without a detail: {response.text[:300]}")
        if credential_kind(case) and not headers and response.status_code < 400:
            failures.append(f"{where}: answered without credentials")
    return failures


class Central:
    """A started app with two sites, an enrolled kiosk and a key of each role."""

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
        with write_transaction(self.app.state.engine) as conn:
            self.keys = {
                "admin": create_api_key(conn, "admin", [])[0],
                "it": create_api_key(conn, "it", ["kaleva"])[0],
                "manager": create_api_key(conn, "manager", SITES)[0],
            }

    def close(self) -> None:
        self.client.__exit__(None, None, None)


# The schema needs no database: it is read from an app that is never started.
schema = prepare(
    schemathesis.openapi.from_asgi(
        "/openapi.json",
        create_app(Settings(data_dir=Path(tempfile.mkdtemp(prefix="hymy-st-")))),
    )
)


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
    max_examples=25,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[
        HealthCheck.filter_too_much,
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
    ],
)
def test_every_answer_is_documented_and_none_is_a_server_error(
    case: schemathesis.Case, central: Central
) -> None:
    def call(case: schemathesis.Case, headers: dict[str, str]) -> Any:
        return case.call_and_validate(
            app=central.app, headers=headers, excluded_checks=EXCLUDED_CHECKS
        )

    failures = check_twice(case, call, central.device, central.keys)
    assert not failures, "\n\n".join(failures)


def test_the_checks_catch_an_answer_the_document_does_not_name(tmp_path: Path) -> None:
    """The test above can fail: with 401 taken out of the document, the same call is caught."""
    app = create_app(Settings(data_dir=tmp_path))
    del app.openapi()["paths"]["/api/v1/devices"]["get"]["responses"]["401"]
    loaded = schemathesis.openapi.from_asgi("/openapi.json", app)
    case = loaded["/api/v1/devices"]["GET"].Case()
    unknown = {role: "not-a-key" for role in KEY_ROLES}

    def call(case: schemathesis.Case, headers: dict[str, str]) -> Any:
        return case.call_and_validate(app=app, headers=headers, excluded_checks=EXCLUDED_CHECKS)

    with TestClient(app):
        failures = check_twice(case, call, "not-a-token", unknown)
    assert len(failures) == 2, failures  # with the (unknown) key and without
    assert all("401" in failure and "Undocumented" in failure for failure in failures), failures


def test_while_postgresql_is_down_every_answer_is_as_documented(tmp_path: Path) -> None:
    """The 503 with Retry-After each route documents is the one it sends (status, problem
    document, header): PostgreSQL stopped under a running central, cases of every operation."""
    bin_dir = postgres_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed here (CI installs and runs it)")
    cluster = PostgresCluster(bin_dir)
    cluster.start()
    try:
        running = Central(cluster.create_database(), tmp_path)
        # schemathesis starts the app's lifespan (once) at its first call: while the database
        # is still up, as it was when the central started.
        assert schema["/healthz"]["GET"].Case().call(app=running.app).status_code == 200
        cluster.stop_server()
        answered: dict[str, set[int]] = {}

        def call(case: schemathesis.Case, headers: dict[str, str]) -> Any:
            response = case.call_and_validate(
                app=running.app,
                headers=headers,
                # A 503 is the answer here; that it is no 500 is asserted below.
                excluded_checks=[*EXCLUDED_CHECKS, not_a_server_error],
            )
            answered.setdefault(f"{case.method} {case.path}", set()).add(response.status_code)
            return response

        failures: list[str] = []
        for result in schema.get_all_operations():

            @given(case=result.ok().as_strategy(generation_mode=GenerationMode.POSITIVE))
            @settings(
                max_examples=10,
                derandomize=True,
                database=None,
                deadline=None,
                phases=[Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def one(case: schemathesis.Case) -> None:
                failures.extend(check_twice(case, call, running.device, running.keys))

            one()
        running.close()
    finally:
        cluster.stop()
    assert not failures, "\n\n".join(failures)
    assert not [op for op, statuses in answered.items() if 500 in statuses], answered
    unavailable = sorted(op for op, statuses in answered.items() if 503 in statuses)
    assert len(unavailable) >= 7, answered  # all but a few whose inputs were all refused first

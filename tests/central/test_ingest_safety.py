"""Class 1: no single event can fail its batch. The database's safety net (central.event_store)
with rows no wire event could make, and a fuzz of the whole ingest over the wire format's valid
space, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from central import event_store
from central.db import write_transaction
from central.flags import TIME_IMPLAUSIBLE
from central.tables import events
from sync.protocol import LANGUAGES, MAX_MONOTONIC_MS, MAX_SEQ, encode_batch
from tests.support.central import rollup_total

HELSINKI = {"kaleva": ZoneInfo("Europe/Helsinki")}


def row(enrolment: dict, **values) -> dict:
    """An events row as ingest builds it, with whatever values the test wants."""
    now = datetime.now(UTC)
    key = str(uuid.uuid4())
    return {
        "id": key,
        "site_id": "kaleva",
        "device_id": enrolment["device_id"],
        "type": "feedback",
        "occurred_at": now,
        "corrected_at": now,
        "clock_suspect": False,
        "service_point": None,
        "rating": 3,
        "reason": None,
        "misuse": False,
        "comment": None,
        "content": f'{{"id":"{key}"}}',
        "received_at": now,
        "batch_id": str(uuid.uuid4()),
        "outbox_id": None,
        "seq": None,
        "language": "fi",
        "flag": None,
        **values,
    }


def stored_ids(client) -> set[str]:
    with client.app.state.engine.connect() as conn:
        return set(conn.execute(select(events.c.id)).scalars())


def test_the_rows_a_database_refuses_are_found_and_the_rest_stored(client, enrolment, db_url):
    good = [row(enrolment, rating=r) for r in (1, 2, 3, 4)]
    bad = [
        row(enrolment, comment="puolikas \ud83d"),  # no UTF-8 for it: refused by either driver
        row(enrolment, corrected_at=datetime(9999, 12, 31, 23, 0, tzinfo=UTC)),  # no local day
    ]
    if db_url.startswith("postgresql"):
        bad += [
            row(enrolment, comment="nul\x00"),
            row(enrolment, outbox_id=str(uuid.uuid4()), seq=2**31),  # int4
            row(enrolment, language="x" * 17),  # varchar(16)
        ]
    else:
        bad.append(row(enrolment, outbox_id=str(uuid.uuid4()), seq=2**63))  # SQLite's integer
    rows = [good[0], bad[0], *good[1:3], *bad[1:], good[3]]
    with write_transaction(client.app.state.engine) as conn:
        result = event_store.store(conn, rows, HELSINKI)
    assert sorted(r["id"] for r in result.fresh) == sorted(r["id"] for r in good)
    assert set(result.refused) == {r["id"] for r in bad}
    assert all(reason.startswith("the database refused") for reason in result.refused.values())
    assert stored_ids(client) == {r["id"] for r in good}
    assert rollup_total(client) == len(good)


def test_a_failure_of_the_database_itself_is_raised_and_stores_nothing(client, enrolment):
    rows = [row(enrolment), row(enrolment, device_id="no-such-device"), row(enrolment)]
    with pytest.raises(IntegrityError), write_transaction(client.app.state.engine) as conn:
        event_store.store(conn, rows, HELSINKI)
    assert stored_ids(client) == set()


# The wire format's valid space (types, ranges, patterns) and a little beyond its edges.
EDGE_TIMES = [
    "1970-01-01T00:00:00+00:00",
    "1970-01-01T00:00:00-23:59",
    "1970-01-01T23:59:00+23:59",
    "2199-12-31T23:59:59.999999+00:00",
    "2199-12-31T00:00:00-23:59",
    "2199-12-31T23:59:59+14:00",
    "2023-12-31T23:59:59+00:00",
    "2024-01-01T00:00:00+00:00",
]
offsets = st.integers(-(24 * 60 - 1), 24 * 60 - 1).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
times = st.one_of(
    st.sampled_from(EDGE_TIMES),
    st.datetimes(datetime(1970, 1, 2), datetime(2199, 12, 30), timezones=offsets).map(
        datetime.isoformat
    ),
    st.integers(-3600, 3600).map(lambda s: (datetime.now(UTC) + timedelta(seconds=s)).isoformat()),
)
ids = st.from_regex(r"[a-z0-9]{1,20}(-[a-z0-9]{1,10}){0,3}", fullmatch=True)
monotonic = st.one_of(st.integers(0, MAX_MONOTONIC_MS), st.sampled_from([0, MAX_MONOTONIC_MS]))
languages = st.tuples(
    st.sampled_from(sorted(LANGUAGES)),
    st.sampled_from(["", "-Latn", "-Cyrl"]),
    st.sampled_from(["", "-FI", "-SE", "-419"]),
).map("".join)
texts = st.text(st.characters(exclude_categories=()), max_size=2000)  # surrogates too
outbox = st.one_of(
    st.just({}),
    st.fixed_dictionaries(
        {
            "outbox_id": st.uuids().map(str),
            "seq": st.one_of(st.integers(1, MAX_SEQ), st.sampled_from([1, MAX_SEQ])),
        }
    ),
)
common = {
    "id": st.uuids().map(str),
    "occurred_at": times,
    "boot_id": st.sampled_from(["boot-1", "old"]),
    "monotonic_ms": monotonic,
    "language": languages,
}
feedbacks = st.fixed_dictionaries(
    {
        **common,
        "type": st.just("feedback"),
        "service_point": st.none() | st.sampled_from(["laboratorio", "neuvola"]) | ids,
        "rating": st.integers(1, 4),
        "reason": st.none() | st.sampled_from(["waiting-time", "friendly-staff"]) | ids,
        "comment": st.none() | texts,
        "misuse": st.booleans(),
    }
)
checkins = st.fixed_dictionaries(
    {
        **common,
        "type": st.just("checkin"),
        "service_point": st.sampled_from(["laboratorio", "neuvola"]) | ids,
        "ticket": st.from_regex(r"[A-Z][0-9]{3,15}", fullmatch=True),
        "method": st.sampled_from(["touch", "barcode"]),
        "printed": st.booleans(),
    }
)
wire_events = st.tuples(feedbacks | checkins, outbox).map(lambda pair: {**pair[0], **pair[1]})


def _counts(client) -> tuple[int, int]:
    with client.app.state.engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(events)).scalar_one()
        counted = conn.execute(
            select(func.count())
            .select_from(events)
            .where(events.c.flag.is_(None) | (events.c.flag != TIME_IMPLAUSIBLE))
        ).scalar_one()
    return total, counted


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(wire_events, min_size=1, max_size=30),
    times,
    monotonic,
    st.booleans(),
)
def test_any_batch_of_the_wire_formats_space_is_answered_200_and_adds_up(
    client, enrolment, items, sent_at, batch_monotonic, resend
):
    items = items + items[:3] if resend else items
    body = encode_batch(
        items,
        batch_id=str(uuid.uuid4()),
        sent_at=datetime.fromisoformat(sent_at),
        boot_id="boot-1",
        monotonic_ms=batch_monotonic,
    )
    before, _ = _counts(client)
    answer = client.post(
        "/api/v1/events",
        content=body,
        headers={
            "Authorization": f"Bearer {enrolment['token']}",
            "Content-Type": "application/gzip",
        },
    )
    assert answer.status_code == 200, answer.text
    result = answer.json()
    parts = result["accepted"] + result["duplicates"]
    assert parts + len(result["conflicts"]) + len(result["rejected"]) == len(items)
    event(f"rejected share {round(len(result['rejected']) / len(items), 1)}")
    total, counted = _counts(client)
    assert total - before == result["accepted"]
    assert rollup_total(client) == counted  # every stored event but the implausible ones

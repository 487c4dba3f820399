"""The wire format v1 (sync/protocol.py), shared by the agent and the central."""

from __future__ import annotations

import gzip
import json
import uuid
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync.protocol import (
    MAX_EVENTS,
    ProtocolError,
    canonical,
    decode_batch,
    encode_batch,
    parse_event,
)
from tests.central.conftest import feedback


def checkin(**extra) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "type": "checkin",
        "occurred_at": "2026-11-23T08:15:00+02:00",
        "boot_id": "b",
        "monotonic_ms": 1,
        "language": "sv",
        "service_point": "laboratorio",
        "ticket": "L023",
        "method": "touch",
        "printed": True,
        **extra,
    }


@given(st.lists(st.sampled_from([1, 2, 3, 4]), max_size=50))
def test_a_batch_round_trips(ratings):
    items = [feedback(r) for r in ratings] + [checkin()]
    body = encode_batch(
        items, batch_id=str(uuid.uuid4()), sent_at=datetime.now(UTC), boot_id="b", monotonic_ms=5
    )
    envelope, raw = decode_batch(body)
    assert raw == items and envelope.monotonic_ms == 5
    assert [parse_event(e).type for e in raw][-1] == "checkin"


@pytest.mark.parametrize(
    ("event", "says"),
    [
        (feedback(0), "greater than or equal to 1"),
        (feedback(4, occurred_at="2026-11-23T08:00:00"), "timezone"),
        (feedback(4, extra_field=1), "extra_field"),
        (checkin(ticket="23"), "ticket"),
        (checkin(method="qr"), "method"),
        ({**feedback(), "type": "visit"}, "type"),
        ({**feedback(), "id": "not-a-uuid"}, "id"),
    ],
)
def test_bad_events_say_why(event, says):
    with pytest.raises(ProtocolError, match=says):
        parse_event(event)


def test_canonical_form_is_independent_of_key_order_and_offset_spelling():
    event = checkin()
    shuffled = dict(reversed(list(event.items())))
    assert canonical(parse_event(event)) == canonical(parse_event(shuffled))


def test_bodies_that_are_not_batches():
    with pytest.raises(ProtocolError, match="gzip"):
        decode_batch(b"{}")
    with pytest.raises(ProtocolError, match="JSON"):
        decode_batch(gzip.compress(b"not json"))
    with pytest.raises(ProtocolError, match="inflates"):
        decode_batch(gzip.compress(b" " * (20 * 1024 * 1024)))  # a gzip bomb
    with pytest.raises(ProtocolError, match="at most"):
        encode_batch(
            [{}] * (MAX_EVENTS + 1),
            batch_id="x",
            sent_at=datetime.now(UTC),
            boot_id="b",
            monotonic_ms=1,
        )
    with pytest.raises(ProtocolError, match="events"):
        decode_batch(gzip.compress(json.dumps({"batch_id": "x"}).encode()))

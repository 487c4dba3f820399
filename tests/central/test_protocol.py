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
    MAX_MONOTONIC_MS,
    MAX_SEQ,
    ProtocolError,
    canonical,
    decode_batch,
    encode_batch,
    parse_event,
)
from tests.support.events import feedback


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


# Strict JSON types (contract 1): each of these is a per-event rejection that names the field.
@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"rating": True}, "rating: Input should be a valid integer, not true or false"),
        ({"rating": "3"}, "rating: Input should be a valid integer, not a string"),
        ({"rating": 3.0}, "rating: Input should be a valid integer, not a decimal number"),
        ({"misuse": "yes"}, "misuse: Input should be a valid boolean, not a string"),
        ({"misuse": 1}, "misuse: Input should be a valid boolean, not a number"),
        ({"occurred_at": 1764000000}, "occurred_at: Input should be an ISO 8601 text"),
        ({"occurred_at": "1764000000"}, "occurred_at: Input should be an ISO 8601 text"),
        ({"monotonic_ms": "1000"}, "monotonic_ms: Input should be a valid integer"),
        ({"id": 12345}, "id: Input should be a UUID text"),
        ({"id": uuid.uuid4().hex}, "id: Input should be a UUID text"),
        ({"comment": 5}, "comment: Input should be a valid string, not a number"),
        ({"reason": ["waiting-time"]}, "reason: Input should be a valid string, not a list"),
        ({"boot_id": None}, "boot_id: Input should be a valid string, not null"),
    ],
)
def test_json_types_are_strict(change, says):
    with pytest.raises(ProtocolError) as caught:
        parse_event({**feedback(3), **change})
    assert str(caught.value).startswith(says)


def test_strict_checkins_and_texts_that_must_still_parse():
    with pytest.raises(ProtocolError, match="printed: Input should be a valid boolean"):
        parse_event(checkin(printed=1))
    with pytest.raises(ProtocolError, match="ticket"):
        parse_event(checkin(ticket="L٠٢٣"))  # Arabic-Indic digits are digits to a regex
    # ISO texts for times and UUID texts for ids are what the wire carries: they parse.
    event = parse_event(
        feedback(
            2,
            id="3F2504E0-4F89-41D3-9A0C-0305E82C3301",
            occurred_at="2026-11-23T08:15:00.123Z",
        )
    )
    assert str(event.id) == "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
    assert event.occurred_at == datetime(2026, 11, 23, 8, 15, 0, 123000, tzinfo=UTC)


@pytest.mark.parametrize(
    ("change", "ok"),
    [
        ({"occurred_at": "9999-12-31T23:59:59+00:00"}, False),  # its local day overflows
        ({"occurred_at": "0001-01-01T00:00:00+00:00"}, False),
        ({"occurred_at": "1969-12-31T23:59:59+00:00"}, False),
        ({"occurred_at": "1970-01-01T01:59:59+02:00"}, False),  # 1969 in UTC
        ({"occurred_at": "2199-12-31T23:00:00-02:00"}, False),  # 2200 in UTC
        ({"occurred_at": "1970-01-01T00:00:00+00:00"}, True),  # a Pi without a real-time clock
        ({"occurred_at": "2100-06-01T12:00:00+00:00"}, True),  # kept apart at the central
        ({"monotonic_ms": -1}, False),
        ({"monotonic_ms": MAX_MONOTONIC_MS}, True),
        ({"monotonic_ms": MAX_MONOTONIC_MS + 1}, False),
        ({"outbox_id": str(uuid.uuid4()), "seq": 0}, False),
        ({"outbox_id": str(uuid.uuid4()), "seq": MAX_SEQ}, True),
        ({"outbox_id": str(uuid.uuid4()), "seq": MAX_SEQ + 1}, False),  # over the database's int
    ],
)
def test_time_and_number_ranges(change, ok):
    if ok:
        parse_event(feedback(1, **change))
    else:
        with pytest.raises(ProtocolError, match=list(change)[-1]):
            parse_event(feedback(1, **change))


@pytest.mark.parametrize(
    ("comment", "stored"),
    [
        ("Hyvä palvelu\nKiitos\tpaljon", "Hyvä palvelu\nKiitos\tpaljon"),
        ("rivi\r\ntoinen\rkolmas", "rivi\ntoinen\nkolmas"),  # CR LF and CR become newlines
        ("a\x00b", None),  # PostgreSQL text cannot hold NUL
        ("väri\x1b[31m", None),
        ("del\x7f", None),
        ("c1\x85", None),
        ("puolikas \ud83d", None),  # a lone surrogate: no UTF-8 for it
    ],
)
def test_comment_text_rules(comment, stored):
    if stored is None:
        with pytest.raises(ProtocolError, match="comment"):
            parse_event(feedback(2, comment=comment))
    else:
        assert parse_event(feedback(2, comment=comment)).comment == stored


@pytest.mark.parametrize(
    ("language", "ok"),
    [
        ("fi", True),
        ("sv-FI", True),
        ("se", True),  # Northern Sámi
        ("smn", True),  # Inari Sámi
        ("sms", True),  # Skolt Sámi
        ("sr-Latn", True),
        ("zh-Hant-TW", True),
        ("es-419", True),
        ("xx", False),
        ("fin", False),  # ISO 639-2: the wire has the two-letter code
        ("klingon", False),
        ("FI", False),  # canonical case only
        ("sv-fi", False),
        ("fi-x-easy", True),  # the kiosk's easy-read Finnish: BCP 47 private use
        ("sv-x-easy", True),
        ("fi-FI-x-selko", True),
        ("fi-x-EASY", False),  # canonical case: private-use subtags in lowercase
        ("fi-x-", False),
        ("fi-x-toolongsub", False),  # a subtag has at most 8 characters
        ("x-easy", False),  # private use only, without a language
        ("fi-x-easy-", False),
    ],
)
def test_languages_from_the_known_list(language, ok):
    if ok:
        assert parse_event(feedback(3, language=language)).language == language
    else:
        with pytest.raises(ProtocolError, match="language: Input should be a known language"):
            parse_event(feedback(3, language=language))


def test_outbox_id_and_seq_come_together_and_are_not_content():
    outbox = str(uuid.uuid4())
    plain = feedback(4, comment="Kiitos")
    with pytest.raises(ProtocolError, match="both or neither"):
        parse_event({**plain, "outbox_id": outbox})
    with pytest.raises(ProtocolError, match="both or neither"):
        parse_event({**plain, "seq": 7})
    numbered = parse_event({**plain, "outbox_id": outbox, "seq": 7})
    assert (str(numbered.outbox_id), numbered.seq) == (outbox, 7)
    assert canonical(numbered) == canonical(parse_event(plain))
    assert parse_event({**plain, "outbox_id": None, "seq": None}).seq is None


def test_the_canonical_text_is_what_earlier_centrals_stored():
    # Events stored before this version must stay duplicates when they are sent again.
    event = {
        **feedback(3, occurred_at="2026-11-23T08:15:00.123+02:00", comment="Hyvä"),
        "id": "3f2504e0-4f89-41d3-9a0c-0305e82c3301",
        "reason": "waiting-time",
        "outbox_id": "0b5e0a55-8d8b-4b7e-9c55-0d3c0e5e8f11",
        "seq": 12,
    }
    assert canonical(parse_event(event)) == (
        '{"id":"3f2504e0-4f89-41d3-9a0c-0305e82c3301","occurred_at":"2026-11-23T08:15:00.123000'
        '+02:00","boot_id":"boot-1","monotonic_ms":1000,"language":"fi","service_point":null,'
        '"type":"feedback","rating":3,"reason":"waiting-time","comment":"Hyvä","misuse":false}'
    )


def _body(text: str | bytes) -> bytes:
    return gzip.compress(text.encode() if isinstance(text, str) else text)


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"events": [], "monotonic_ms": ' + "9" * 5000 + "}", "thousands|digits"),
        ('{"events": [], "monotonic_ms": NaN}', "NaN"),
        ('{"events": [], "monotonic_ms": Infinity}', "Infinity"),
        ('{"events": [{"rating": -Infinity}]}', "Infinity"),
        ('{"events": []}'.encode("utf-16"), "UTF-8"),
        (b'{"events": [], "x": "\xff"}', "UTF-8"),
    ],
)
def test_bodies_python_could_not_read_are_protocol_errors(body, says):
    with pytest.raises(ProtocolError, match=says):
        decode_batch(_body(body))


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"version": True}, "version"),
        ({"sent_at": 1764000000}, "sent_at"),
        ({"sent_at": "9999-12-31T23:59:59+00:00"}, "sent_at"),
        ({"monotonic_ms": "5"}, "monotonic_ms"),
        ({"batch_id": 7}, "batch_id"),
        ({"boot_id": "a\x00b"}, "boot_id"),
    ],
)
def test_the_envelope_is_strict_too(change, says):
    envelope = {
        "batch_id": str(uuid.uuid4()),
        "sent_at": "1970-01-01T00:00:05+00:00",  # a kiosk clock that wrong still sends
        "boot_id": "b",
        "monotonic_ms": 5,
        "events": [],
    }
    decode_batch(_body(json.dumps(envelope)))
    with pytest.raises(ProtocolError, match=f"envelope is malformed: {says}"):
        decode_batch(_body(json.dumps({**envelope, **change})))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)
FIELDS = [
    "id", "type", "occurred_at", "boot_id", "monotonic_ms", "language", "service_point",
    "outbox_id", "seq", "rating", "reason", "comment", "misuse", "ticket", "method", "printed",
]  # fmt: skip


@given(st.sampled_from(FIELDS), JSON, st.booleans())
def test_any_json_in_any_field_is_an_event_or_a_protocol_error(name, value, as_checkin):
    raw = {**(checkin() if as_checkin else feedback(2)), name: value}
    try:
        event = parse_event(raw)
    except ProtocolError as err:
        assert str(err)
        return
    assert canonical(event)  # what passes can be put in canonical form


@pytest.mark.parametrize(
    "event",
    [
        {**feedback(), "type": "x" * 100_000},  # pydantic quotes a union's tag in full
        {**feedback(), "rating": "9" * 4000},
        {**feedback(), "language": "x" * 100_000},
    ],
)
def test_a_rejection_never_quotes_a_huge_input_in_full(event):
    # On main a 100,000-character type came back whole in the batch's answer.
    with pytest.raises(ProtocolError) as refused:
        parse_event(event)
    assert len(str(refused.value)) < 500


# --- the contracts beside the events: heartbeat, kiosk config, enrolment answer ------------


def _beat(**overrides):
    from kiosk.outbox import OutboxStats
    from sync.heartbeat import build_heartbeat
    from sync.status import OutboxRange, Refusal, SyncState

    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    refusal = Refusal(403, "no", now)
    arguments = {
        "version": "1.0",
        "stats": OutboxStats(3, 2, 10, 1, now, now),
        "state": SyncState(now, None, None, None, refusal),
        "free_disk_bytes": 10**9,
        "printer": "paper_out",
        "now": now,
        "outbox": OutboxRange(str(uuid.uuid4()), 1, 16),
        "storage": "full",
    }
    return build_heartbeat(**{**arguments, **overrides})


def test_the_agents_heartbeat_is_the_centrals_heartbeat() -> None:
    """sync.heartbeat builds what central validates, with the one model, through JSON."""
    from sync.protocol import Heartbeat

    body = _beat()
    beat = Heartbeat.model_validate(json.loads(json.dumps(body)))
    assert beat.backlog == 5  # pending + held: OutboxStats.backlog
    assert beat.refused is not None and beat.refused.events == 3  # the pending ones wait
    assert (beat.printer, beat.storage) == ("paper_out", "full")
    assert json.loads(beat.model_dump_json())["printer"] == "paper_out"
    for printer in ("none", "ok", "paper_near_end", "paper_out", "offline"):
        assert Heartbeat.model_validate({**body, "printer": printer}).printer == printer
    with pytest.raises(ValueError):
        Heartbeat.model_validate({**body, "printer": "on fire"})
    assert _beat(printer="on fire")["printer"] == "none"  # never sent: the agent says none


def test_the_centrals_config_for_a_kiosk_is_what_the_kiosk_lays_over_its_own(tmp_path) -> None:
    """central.sites builds a KioskConfigAnswer; as the agent writes it, the kiosk takes it."""
    from central.sites import kiosk_config, parse_site
    from hymy_domain.facts import CENTRAL_CONFIG_FILE, CENTRAL_KIOSK_KEYS
    from kiosk.central_config import ConfigSource
    from sync.credentials import check_kiosk_config, save_central_config
    from sync.protocol import ConfigKiosk, KioskConfigAnswer
    from tests.support.paths import EXAMPLE_CONFIG, EXAMPLE_SITE

    assert set(ConfigKiosk.model_fields) == set(CENTRAL_KIOSK_KEYS)
    site = parse_site(EXAMPLE_SITE.read_text(encoding="utf-8"))
    config = kiosk_config(site, kiosk_id="aula-2", slot=1)
    assert KioskConfigAnswer.model_validate(json.loads(json.dumps(config))).to_json() == config
    assert all("guidance" not in p or p["guidance"] for p in config["service_points"])
    path = save_central_config(tmp_path, check_kiosk_config(config, site.site.id))
    assert path.name == CENTRAL_CONFIG_FILE
    kiosk = ConfigSource(EXAMPLE_CONFIG, path).load()
    assert (kiosk.kiosk.site, kiosk.kiosk.kiosk_id) == (site.site.id, "aula-2")
    block = site.site.numbers_per_kiosk
    assert [p.range for p in kiosk.service_points] == [
        (block + 1, 2 * block) for _ in site.service_points
    ]


def test_the_enrolment_answer_is_read_with_the_centrals_rules() -> None:
    from sync.protocol import EnrollAnswer, enroll_answer_problems

    config = {"kiosk": {"site": "s", "kiosk_id": "k", "station_name": {"fi": "S"}}}
    config = {**config, "service_points": []}
    config["kiosk"]["timezone"] = "Europe/Helsinki"
    good = {"device_id": "3c1f-aa", "token": "t" * 32, "site": "kaleva", "config": config}
    assert enroll_answer_problems(good) == []
    answer = EnrollAnswer.model_validate(good)
    assert json.loads(answer.model_dump_json())["config"] == {**config, "feedback": {"reasons": []}}
    assert enroll_answer_problems({**good, "token": "short"}) == ["token"]
    assert enroll_answer_problems({**good, "site": "a\nb", "device_id": 7}) == ["device_id", "site"]
    assert enroll_answer_problems([]) == ["device_id", "token", "site"]

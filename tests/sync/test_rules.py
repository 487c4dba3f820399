"""The agent's pure rules: backoff with full jitter, Retry-After, settling an answer, the
heartbeat's fields, and the status in words. No network, no disk."""

from __future__ import annotations

import random
import unicodedata
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.outbox import OutboxStats, QuarantineGroup
from sync.backoff import Backoff, parse_retry_after
from sync.client import AnswerError, CentralError, check_central_url, printable
from sync.credentials import check_kiosk_config
from sync.heartbeat import MIN_FREE_BYTES, base_heartbeat, build_heartbeat, storage_word
from sync.protocol import HEARTBEAT_BASE_FIELDS, canonical, parse_event
from sync.status import OutboxRange, Refusal, SyncState, describe
from sync.uploader import CONFLICT, settle
from tests.support.events import feedback

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@given(
    attempts=st.integers(0, 40),
    retry_after=st.none() | st.floats(0, 1000),
    seed=st.integers(0, 2**32),
)
def test_backoff_stays_within_full_jitter_and_the_cap_and_spreads_retry_after(
    attempts, retry_after, seed
) -> None:
    backoff = Backoff(1.0, 300.0, random.Random(seed))
    for _ in range(attempts):
        backoff.next_delay()
    ceiling = min(300.0, 2.0**attempts)
    delay = backoff.next_delay(retry_after)
    assert 0 <= delay <= 300.0
    if retry_after is None:
        assert delay <= ceiling
    else:
        assert min(retry_after, 300.0) <= delay <= min(2 * retry_after, 300.0)


def test_backoff_grows_and_resets() -> None:
    backoff = Backoff(1.0, 300.0, random.Random(1))
    ceilings = []
    for _ in range(12):
        ceilings.append(min(300.0, 2.0**backoff.attempt))
        backoff.next_delay()
    assert ceilings[:4] == [1, 2, 4, 8] and ceilings[-1] == 300.0
    backoff.reset()
    assert backoff.next_delay() <= 1.0


def test_retry_after_in_seconds_or_as_a_date() -> None:
    assert parse_retry_after("5") == 5.0
    assert parse_retry_after("Mon, 23 Nov 2026 12:00:30 GMT", now=NOW) == 30.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def test_settle_sorts_every_event() -> None:
    answer = {
        "accepted": 2,
        "duplicates": 1,
        "conflicts": ["c"],
        "rejected": [{"id": "r", "error": "rating: must be 1 to 4"}],
    }
    result = settle(["a", "b", "c", "d", "r"], answer)
    assert result.sent == ["a", "b", "d"]
    assert result.quarantine == {
        "c": CONFLICT,
        "r": "rejected by the central: rating: must be 1 to 4",
    }


GOOD = {"accepted": 1, "duplicates": 0, "conflicts": [], "rejected": []}


@pytest.mark.parametrize(
    "answer",
    [
        {},
        [],
        [GOOD],
        "ok",
        None,
        17,
        "<html>proxy error</html>",
        {"accepted": 1, "duplicates": 0, "conflicts": "x", "rejected": []},
        {"accepted": "1", "duplicates": "0", "conflicts": [], "rejected": []},  # as strings
        {"accepted": 1.0, "duplicates": 0, "conflicts": [], "rejected": []},
        {"accepted": True, "duplicates": 0, "conflicts": [], "rejected": []},
        {"accepted": 1, "duplicates": 0, "conflicts": []},  # a key missing
        {"accepted": -1, "duplicates": 2, "conflicts": [], "rejected": []},
        {"accepted": 0, "duplicates": 0, "conflicts": ["zz"], "rejected": []},  # not in the batch
        {"accepted": 0, "duplicates": 0, "conflicts": [], "rejected": [{"id": "a"}]},
        {"accepted": 0, "duplicates": 0, "conflicts": [], "rejected": ["a"]},
        {"accepted": 0, "duplicates": 0, "conflicts": [], "rejected": []},  # accounts for none
        {"accepted": 5, "duplicates": 0, "conflicts": [], "rejected": []},  # for more
        {"accepted": 0, "duplicates": 0, "conflicts": ["a", "a"], "rejected": []},
        {
            "accepted": 0,
            "duplicates": 0,
            "conflicts": ["a"],
            "rejected": [{"id": "a", "error": "x"}],
        },
    ],
)
def test_an_answer_that_is_not_an_ingest_answer_marks_nothing_sent(answer) -> None:
    with pytest.raises(AnswerError, match="nothing was marked sent"):
        settle(["a"], answer)


@pytest.mark.parametrize(
    ("conflicts", "rejected"),
    [
        (["a", "a"], []),
        ([], [{"id": "a", "error": "x"}, {"id": "a", "error": "y"}]),
        (["a"], [{"id": "a", "error": "x"}]),
    ],
)
def test_an_answer_naming_an_event_twice_marks_nothing_sent(conflicts, rejected) -> None:
    """Counted right for the batch, but one event listed twice: the answer leaves another event
    unaccounted for, which must not be taken as stored."""
    answer = {"accepted": 3 - len(conflicts) - len(rejected), "duplicates": 0}
    with pytest.raises(AnswerError, match="nothing was marked sent"):
        settle(["a", "b", "c"], {**answer, "conflicts": conflicts, "rejected": rejected})


def test_a_newer_central_may_say_more() -> None:
    assert settle(["a"], {**GOOD, "flagged": ["a"]}).sent == ["a"]


def test_outbox_id_and_seq_are_transport_not_content() -> None:
    event = feedback(3)
    moved = {**event, "outbox_id": "6f1c8a52-1c7e-4cf4-9d0c-2b0a1f6b8e11", "seq": 12}
    assert canonical(parse_event(event)) == canonical(parse_event(moved))
    for half in ({"seq": 12}, {"outbox_id": moved["outbox_id"]}):
        with pytest.raises(ValueError, match="both or neither"):
            parse_event({**event, **half})


def test_only_https_leaves_this_machine() -> None:
    assert check_central_url("https://hymy.example.fi/") == "https://hymy.example.fi"
    assert check_central_url("http://127.0.0.1:8080") == "http://127.0.0.1:8080"
    assert check_central_url("http://hymy.lan", insecure=True) == "http://hymy.lan"
    for bad in ("http://hymy.lan", "ftp://hymy.example.fi", "hymy.example.fi"):
        with pytest.raises(CentralError):
            check_central_url(bad)


POINT = {"id": "laboratorio", "prefix": "L", "range": [1, 100]}
CONFIG = {
    "kiosk": {"site": "kaleva", "kiosk_id": "aula-1"},
    "service_points": [POINT],
    "feedback": {"reasons": [{"id": "waiting-time"}]},
}


@pytest.mark.parametrize(
    "config",
    [
        None,
        [],
        "<html></html>",
        {"kiosk": {"site": "other"}, "service_points": []},
        {"kiosk": {"site": "kaleva"}},
        {"kiosk": {"site": "kaleva"}, "service_points": [{"name": "x"}]},
        {"kiosk": "kaleva", "service_points": []},
        {**CONFIG, "service_points": [{**POINT, "range": ["1", "100"]}]},
        {**CONFIG, "service_points": [{**POINT, "range": [1]}]},
        {**CONFIG, "service_points": [{**POINT, "prefix": 7}]},
        {**CONFIG, "feedback": {"reasons": "none"}},
        {**CONFIG, "feedback": {"reasons": [{"name": "x"}]}},
        {**CONFIG, "kiosk": {"site": "kaleva"}},
        {**CONFIG, "feedback": None},  # the kiosk could not lay null over its own section
        {**CONFIG, "feedback": "reasons"},
    ],
)
def test_a_config_that_is_not_this_kiosks_is_refused(config) -> None:
    with pytest.raises(AnswerError, match="not a kiosk config of site kaleva"):
        check_kiosk_config(config, "kaleva")


def test_a_config_of_this_site_passes() -> None:
    assert check_kiosk_config(CONFIG, "kaleva") is CONFIG
    without_feedback = {k: v for k, v in CONFIG.items() if k != "feedback"}
    assert check_kiosk_config(without_feedback, "kaleva") is without_feedback


def stats(pending: int = 0, quarantined: int = 0) -> OutboxStats:
    oldest = NOW - timedelta(hours=3) if pending else None
    return OutboxStats(pending, 0, 10, quarantined, oldest, NOW - timedelta(minutes=2))


def test_status_says_all_is_well_in_plain_words() -> None:
    state = SyncState(NOW - timedelta(minutes=2), None, None, None)
    lines = describe(stats(), state, NOW)
    assert lines[0] == "All events are uploaded."
    assert "Backlog: 0 events waiting to upload." in lines
    assert any(line.startswith("Last upload: ") and "2 min ago" in line for line in lines)
    assert "Last error: none" in lines and "Quarantined: 0 events." in lines


def test_status_names_the_backlog_the_error_and_the_quarantine() -> None:
    state = SyncState(
        NOW - timedelta(hours=5), "https://c not reachable", NOW - timedelta(seconds=20), None
    )
    groups = [QuarantineGroup(CONFLICT, 1, ("e1",)), QuarantineGroup("rating: x", 7, ("e2",))]
    lines = describe(stats(pending=1, quarantined=8), state, NOW, groups)
    assert lines[0] == "Uploading: 1 event waiting."
    assert any(line.startswith("Oldest pending: ") and "3.0 h ago" in line for line in lines)
    assert any("Last error: " in line and "not reachable" in line for line in lines)
    at = lines.index(
        "Quarantined: 8 events the central refused; kept in the outbox and not sent until requeued."
    )
    assert lines[at + 1 :] == [
        f"  1 event: {CONFLICT}",
        "    e1",
        "  7 events: rating: x",
        "    e2 and 6 more",
        "Once the cause is fixed, send them again: `hymy-sync requeue --all` (or "
        "`hymy-sync requeue EVENT_ID ...`).",
    ]


def test_status_says_when_uploads_stopped() -> None:
    state = SyncState(None, "401", NOW, "the device was revoked or the token is wrong")
    lines = describe(stats(pending=4), state, NOW)
    assert lines[0].startswith("Uploads STOPPED: the device was revoked")
    assert "Last upload: never" in lines


def test_status_says_when_and_why_the_central_refuses_and_what_to_do() -> None:
    refusal = Refusal(403, "https://c answered 403: not allowed here", NOW - timedelta(hours=2))
    state = SyncState(NOW - timedelta(hours=3), refusal.error, NOW, None, refusal)
    lines = describe(stats(pending=4), state, NOW)
    assert lines[0].startswith("Uploads REFUSED since ")
    assert "(2.0 h ago): https://c answered 403: not allowed here. 4 events kept" in lines[0]
    assert "at least every 2 min" in lines[0] and "hymy-central devices" in lines[0]
    assert (
        "check `central` in device.json"
        in describe(stats(), SyncState(None, None, None, None, Refusal(404, "x", NOW)), NOW)[0]
    )


@pytest.mark.parametrize("text", [None, "", "{", "[]", '{"status": 403}', '{"since": "x"}'])
def test_an_unreadable_refusal_is_none(text) -> None:
    assert Refusal.from_json(text) is None


def test_a_refusal_survives_its_round_trip() -> None:
    refusal = Refusal(404, "not found", NOW)
    assert Refusal.from_json(refusal.to_json()) == refusal


def test_storage_in_one_word() -> None:
    ok = {"read_only": False, "free_bytes": MIN_FREE_BYTES, "write_failed": False}
    assert storage_word(**ok) == "ok"
    assert storage_word(**{**ok, "write_failed": True}) == "error"
    assert storage_word(**{**ok, "free_bytes": MIN_FREE_BYTES - 1, "write_failed": True}) == "full"
    assert storage_word(**{**ok, "read_only": True, "free_bytes": 0}) == "read_only"


def test_the_heartbeat_carries_outbox_refusal_and_storage() -> None:
    refusal = Refusal(403, "x" * 900, NOW - timedelta(minutes=5))
    beat = build_heartbeat(
        version="1.0",
        stats=stats(pending=4),
        state=SyncState(None, None, None, None, refusal),
        free_disk_bytes=10,
        printer="ok",
        now=NOW,
        outbox=OutboxRange("6f1c8a52-1c7e-4cf4-9d0c-2b0a1f6b8e11", 3, 40),
        storage="full",
    )
    assert beat["outbox"] == {
        "id": "6f1c8a52-1c7e-4cf4-9d0c-2b0a1f6b8e11",
        "first_seq": 3,
        "last_seq": 40,
    }
    assert beat["refused"] == {
        "status": 403,
        "error": "x" * 500,
        "at": (NOW - timedelta(minutes=5)).isoformat(),
        "events": 4,
    }
    assert beat["storage"] == "full"
    assert set(base_heartbeat(beat)) == set(HEARTBEAT_BASE_FIELDS)
    calm = build_heartbeat(
        version="1.0",
        stats=stats(),
        state=SyncState(None, None, None, None),
        free_disk_bytes=10,
        printer=None,
        now=NOW,
    )
    assert (calm["outbox"], calm["refused"], calm["storage"]) == (None, None, "ok")


def test_status_names_the_outbox_and_its_range() -> None:
    state = SyncState(None, None, None, None)
    lines = describe(stats(), state, NOW, outbox=OutboxRange("6f1c", 3, 40))
    assert lines[2] == "Outbox 6f1c: seq 3 to 40, each to reach the central."
    lines = describe(stats(), state, NOW, outbox=OutboxRange("6f1c", 6, 5))
    assert "Outbox 6f1c: no events yet from seq 6 on." in lines


def test_the_centrals_words_never_reach_a_terminal_with_control_characters() -> None:
    escape = "\x1b[2J\x1b]0;owned\x07 rating:\tbad\r\nvalue\x00"
    settled = settle(
        ["a"],
        {
            "accepted": 0,
            "duplicates": 0,
            "conflicts": [],
            "rejected": [{"id": "a", "error": escape}],
        },
    )
    reason = settled.quarantine["a"]
    assert not any(unicodedata.category(c).startswith("C") for c in reason)
    assert reason.endswith("rating: bad value")
    assert printable("x" * 900) == "x" * 500

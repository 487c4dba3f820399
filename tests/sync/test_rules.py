"""The agent's pure rules: backoff with full jitter, Retry-After, settling an answer, and the
status in words. No network, no disk."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.outbox import OutboxStats
from sync.backoff import Backoff, parse_retry_after
from sync.client import CentralError, check_central_url
from sync.status import SyncState, describe
from sync.uploader import CONFLICT, AnswerError, settle

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@given(
    attempts=st.integers(0, 40),
    retry_after=st.none() | st.floats(0, 1000),
    seed=st.integers(0, 2**32),
)
def test_backoff_stays_within_full_jitter_and_the_cap(attempts, retry_after, seed) -> None:
    backoff = Backoff(1.0, 300.0, random.Random(seed))
    for _ in range(attempts):
        backoff.next_delay()
    ceiling = min(300.0, 2.0**attempts)
    delay = backoff.next_delay(retry_after)
    assert 0 <= delay <= 300.0
    if retry_after is None:
        assert delay <= ceiling
    else:
        assert delay >= min(retry_after, 300.0)


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


@pytest.mark.parametrize(
    "answer",
    [
        {},
        {"accepted": 1, "duplicates": 0, "conflicts": "x", "rejected": []},
        {"accepted": 1, "duplicates": 0, "conflicts": ["zz"], "rejected": []},
        "<html>proxy error</html>",
    ],
)
def test_a_malformed_answer_marks_nothing_sent(answer) -> None:
    with pytest.raises(AnswerError):
        settle(["a"], answer)


def test_only_https_leaves_this_machine() -> None:
    assert check_central_url("https://hymy.example.fi/") == "https://hymy.example.fi"
    assert check_central_url("http://127.0.0.1:8080") == "http://127.0.0.1:8080"
    assert check_central_url("http://hymy.lan", insecure=True) == "http://hymy.lan"
    for bad in ("http://hymy.lan", "ftp://hymy.example.fi", "hymy.example.fi"):
        with pytest.raises(CentralError):
            check_central_url(bad)


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
    lines = describe(stats(pending=1, quarantined=2), state, NOW, [("e1", CONFLICT)])
    assert lines[0] == "Uploading: 1 event waiting."
    assert any(line.startswith("Oldest pending: ") and "3.0 h ago" in line for line in lines)
    assert any("Last error: " in line and "not reachable" in line for line in lines)
    assert "Quarantined: 2 events the central refused; kept in the outbox, never sent again." in (
        lines
    )
    assert f"  e1: {CONFLICT}" in lines


def test_status_says_when_uploads_stopped() -> None:
    state = SyncState(None, "401", NOW, "the device was revoked or the token is wrong")
    lines = describe(stats(pending=4), state, NOW)
    assert lines[0].startswith("Uploads STOPPED: the device was revoked")
    assert "Last upload: never" in lines

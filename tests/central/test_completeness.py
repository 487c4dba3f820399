"""Completeness in words (central.completeness), pure: seq ranges, the cheap no-gap check, the
heartbeat's first_seq, several outboxes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from central.completeness import (
    Completeness,
    OutboxTally,
    describe_ranges,
    missing_words,
    seq_ranges,
)

SEEN = datetime(2026, 11, 23, 7, 41, tzinfo=UTC)


@pytest.mark.parametrize(
    ("numbers", "ranges", "words"),
    [
        ([], [], ""),
        ([1300], [(1300, 1300)], "1300"),
        ([1206, *range(1200, 1206), 1300], [(1200, 1206), (1300, 1300)], "1200-1206, 1300"),
        ([5, 5, 6, 9], [(5, 6), (9, 9)], "5-6, 9"),
        (range(1, 40, 2), [(n, n) for n in range(1, 40, 2)], "1, 3, 5, 7, 9, 11, 13, 15, ..."),
    ],
)  # fmt: skip
def test_seq_numbers_compress_to_ranges(numbers, ranges, words):
    assert seq_ranges(numbers) == ranges
    assert describe_ranges(ranges) == words


def tally(outbox: str = "0b5e0a55-aaaa", received: int = 1210, lo: int = 1, hi: int = 1210, **kw):
    return OutboxTally(outbox, received, lo, hi, SEEN, **kw)


def test_all_received_is_seen_from_the_counts_alone():
    assert Completeness((tally(),), {}).words() == "all 1210 events received"
    assert Completeness((tally(received=1, hi=1),), {}).words() == "1 event received, none missing"
    assert Completeness((), {}).words() == "no numbered events received yet"
    assert tally().missing == 0


def test_missing_events_are_named_by_their_seq_ranges():
    gap = tally(received=1202)  # 1200-1206 and 1300 never came
    words = Completeness((gap,), {gap.outbox_id: [(1200, 1206), (1300, 1300)]}).words()
    assert words == "8 events missing (seq 1200-1206, 1300), last seen 2026-11-23 07:41 UTC"
    assert missing_words(1) == "1 event missing" and missing_words(8) == "8 events missing"


def test_the_heartbeats_first_seq_shows_a_gap_at_the_start():
    late_start = tally(received=6, lo=5, hi=10, first_seq=1)
    assert late_start.lowest == 1 and late_start.missing == 4
    migrated = tally(received=6, lo=5, hi=10, first_seq=5)  # an outbox numbered from 5 on
    assert migrated.missing == 0


def test_a_replaced_outbox_is_counted_apart_and_is_no_false_alarm():
    old = tally("11111111-old", received=800, lo=1, hi=800)
    new = tally("22222222-new", received=12, lo=1, hi=12)  # seq starts at 1 again
    assert Completeness((old, new), {}).words() == "all 812 events received"
    holes = tally("22222222-new", received=10, lo=1, hi=12)
    broken_old = tally("11111111-old", received=799, lo=1, hi=800)
    words = Completeness(
        (broken_old, holes), {broken_old.outbox_id: [(7, 7)], holes.outbox_id: [(3, 4)]}
    ).words()
    assert words == (
        "3 events missing (outbox 11111111: seq 7; outbox 22222222: seq 3-4), "
        "last seen 2026-11-23 07:41 UTC"
    )


def test_a_cut_gap_list_says_so():
    gap = tally(received=1000, hi=2000)
    words = Completeness((gap,), {gap.outbox_id: [(2, 2)]}, frozenset({gap.outbox_id})).words()
    assert words.startswith("1000 events missing (seq 2, ...)")


def test_events_the_kiosk_sent_beyond_what_the_central_holds_are_missing():
    """A central restored from a backup holds seqs 1-800; the kiosk has marked 1-1000 sent and
    will never offer 801-1000 again: 200 missing, though no seq gap shows it."""
    restored = tally(received=800, hi=800, first_seq=1, kiosk_sent=1000)
    assert restored.gap_missing == 0 and restored.missing == 200
    assert Completeness((restored,), {}).words() == (
        "200 events missing (seq after 800, sent by the kiosk but not held here), "
        "last seen 2026-11-23 07:41 UTC"
    )
    # Events still on the kiosk (backlog, quarantine) are not sent: nothing is missing.
    assert tally(received=800, hi=800, first_seq=1, kiosk_sent=800).missing == 0
    # A heartbeat older than the latest uploads counts fewer sent than held: never negative.
    assert tally(received=1210, kiosk_sent=1100).missing == 0

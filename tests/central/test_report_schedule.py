"""When a scheduled report is due (central.report_schedule, pure): whole weeks and months of
local days, due on Monday or the 1st at 06:00 wall-clock in the site's zone whatever summer
time does, never twice, caught up after downtime."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from central.report_schedule import (
    CATCH_UP,
    SEND_AT,
    ScheduleError,
    due_periods,
    latest_due,
    local_instant,
    period_containing,
)

ZONES = [
    ZoneInfo(z)
    for z in ("Europe/Helsinki", "UTC", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata")
]
zones = st.sampled_from(ZONES)
frequencies = st.sampled_from(["weekly", "monthly"])
instants = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)


@given(frequencies, instants, zones)
def test_the_latest_due_period_is_whole_and_due_on_monday_or_the_first_at_six(frequency, now, zone):
    period = latest_due(frequency, now, zone)
    assert period.due_at <= now
    due_local = period.due_at.astimezone(zone)
    assert due_local.time() == SEND_AT  # 06:00 is never in a gap in these zones
    assert due_local.date() == period.last + timedelta(days=1)
    if frequency == "weekly":
        assert period.first.weekday() == 0 and period.last - period.first == timedelta(days=6)
    else:
        assert period.first.day == 1 and (period.last + timedelta(days=1)).day == 1
    # ... and it is the newest: the next one is not yet due.
    following = period_containing(frequency, period.last + timedelta(days=1), zone)
    assert following.due_at > now


@given(frequencies, instants, zones, st.lists(st.integers(0, 6 * 3600), max_size=40))
def test_a_scheduler_ticking_at_any_moments_sends_each_period_once(frequency, start, zone, gaps):
    """Ticks at most six hours apart from `start` for a while: every period due after the
    subscription is sent exactly once, none twice."""
    created = start
    sent: list = []
    now = start
    for gap in [*gaps, *([6 * 3600] * 200)]:
        now += timedelta(seconds=gap)
        for period in due_periods(
            frequency, zone, created_at=created, now=now, sent={p.first for p in sent}
        ):
            sent.append(period)
    firsts = [p.first for p in sent]
    assert len(firsts) == len(set(firsts))
    expected = []
    period = latest_due(frequency, now, zone)
    while period.due_at > created:
        expected.append(period.first)
        period = period_containing(frequency, period.first - timedelta(days=1), zone)
    assert sorted(firsts) == sorted(expected)
    assert all(created < p.due_at <= now for p in sent)


@given(frequencies, instants, zones, st.integers(1, 34 * 24))
def test_downtime_shorter_than_the_catch_up_loses_nothing(frequency, created, zone, hours_down):
    """Sent up to the last tick before the server went down; after `hours_down` hours the
    first tick sends every period that fell due meanwhile, oldest first."""
    before = created + timedelta(days=70)
    everything = timedelta(days=99)
    sent = {
        p.first
        for p in due_periods(frequency, zone, created_at=created, now=before, catch_up=everything)
    }
    after = before + timedelta(hours=hours_down)
    caught = due_periods(frequency, zone, created_at=created, now=after, sent=sent)
    assert caught == sorted(caught)
    missed = due_periods(frequency, zone, created_at=before, now=after, catch_up=CATCH_UP * 2)
    assert [p.first for p in caught] == [p.first for p in missed]


@given(frequencies, instants, zones)
def test_nothing_older_than_the_catch_up_is_sent(frequency, now, zone):
    created = now - timedelta(days=400)
    for period in due_periods(frequency, zone, created_at=created, now=now):
        assert now - CATCH_UP < period.due_at <= now


def test_summer_time_moves_nothing_in_helsinki():
    helsinki = ZoneInfo("Europe/Helsinki")
    # Clocks go forward on Sunday 29 March 2026 and back on Sunday 25 October 2026.
    spring = latest_due("weekly", datetime(2026, 3, 30, 4, 0, tzinfo=UTC), helsinki)
    assert (spring.first, spring.last) == (date(2026, 3, 23), date(2026, 3, 29))
    assert spring.due_at == datetime(2026, 3, 30, 3, 0, tzinfo=UTC)  # 06:00 EEST
    autumn = latest_due("weekly", datetime(2026, 10, 26, 4, 0, tzinfo=UTC), helsinki)
    assert autumn.due_at == datetime(2026, 10, 26, 4, 0, tzinfo=UTC)  # 06:00 EET
    # Not yet due at 05:59 local on the Monday: the week before that is the latest.
    early = latest_due("weekly", datetime(2026, 10, 26, 3, 59, tzinfo=UTC), helsinki)
    assert early.first == date(2026, 10, 12)
    month = latest_due("monthly", datetime(2026, 11, 1, 4, 0, tzinfo=UTC), helsinki)
    assert (month.first, month.last) == (date(2026, 10, 1), date(2026, 10, 31))


def test_a_skipped_or_repeated_wall_clock_time_is_placed_once():
    new_york = ZoneInfo("America/New_York")
    # 02:30 does not exist on 8 March 2026 there: after the gap, 03:30 EDT.
    skipped = local_instant(date(2026, 3, 8), new_york, time(2, 30))
    assert skipped.astimezone(new_york).time() == time(3, 30)
    repeated = local_instant(date(2026, 11, 1), new_york, time(1, 30))
    assert repeated == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # the first 01:30 (EDT)


def test_a_subscription_made_mid_week_gets_that_week_first():
    helsinki = ZoneInfo("Europe/Helsinki")
    wednesday = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
    assert due_periods("weekly", helsinki, created_at=wednesday, now=wednesday) == []
    monday = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)
    (period,) = due_periods("weekly", helsinki, created_at=wednesday, now=monday)
    assert (period.first, period.last) == (date(2026, 11, 16), date(2026, 11, 22))


def test_an_unknown_frequency_is_refused():
    with pytest.raises(ScheduleError, match="weekly or monthly"):
        due_periods("daily", ZoneInfo("UTC"), created_at=datetime.now(UTC), now=datetime.now(UTC))

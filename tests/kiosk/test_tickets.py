"""Queue-ticket numbering: local midnight in Helsinki (DST too), the kiosk's own range and its wrap,
and no reuse after a restart (through the real outbox)."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.outbox import Outbox
from kiosk.tickets import (
    HELSINKI,
    TicketCounter,
    TicketRange,
    format_ticket,
    next_number,
    service_day,
)

LAB = TicketRange("L", 1, 499)


def test_midnight_in_helsinki_in_winter_and_summer():
    # Winter: UTC+2, so local midnight is 22:00 UTC.
    assert service_day(datetime(2026, 1, 14, 21, 59, 59, tzinfo=UTC)) == date(2026, 1, 14)
    assert service_day(datetime(2026, 1, 14, 22, 0, tzinfo=UTC)) == date(2026, 1, 15)
    # Summer: UTC+3, so local midnight is 21:00 UTC.
    assert service_day(datetime(2026, 7, 14, 20, 59, 59, tzinfo=UTC)) == date(2026, 7, 14)
    assert service_day(datetime(2026, 7, 14, 21, 0, tzinfo=UTC)) == date(2026, 7, 15)


def test_dst_change_days_have_one_midnight_each():
    # 29 March 2026 has 23 hours, 25 October 2026 has 25: each is still one service day.
    for day in (date(2026, 3, 29), date(2026, 10, 25)):
        start = datetime(day.year, day.month, day.day, tzinfo=HELSINKI).astimezone(UTC)
        end = datetime.combine(day + timedelta(days=1), datetime.min.time(), HELSINKI)
        moments = [start + timedelta(minutes=m) for m in range(0, 26 * 60, 7)]
        inside = [m for m in moments if m < end.astimezone(UTC)]
        assert {service_day(m) for m in inside} == {day}
        assert service_day(end) == day + timedelta(days=1)


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="aware"):
        service_day(datetime(2026, 1, 1))


def test_numbering_in_a_day_and_a_new_day():
    today = date(2026, 11, 23)
    assert next_number(LAB, None, today) == 1
    assert next_number(LAB, TicketCounter(today, 22), today) == 23
    assert next_number(LAB, TicketCounter(today - timedelta(days=1), 22), today) == 1
    assert format_ticket("L", 23) == "L023"
    assert format_ticket("A", 7) == "A007"


@given(st.integers(1, 998), st.integers(0, 998))
def test_numbers_stay_in_the_range_and_wrap_to_its_first(first, span):
    last = min(999, first + span)
    rng, today = TicketRange("N", first, last), date(2026, 1, 1)
    number = next_number(rng, None, today)
    seen = [number]
    for _ in range(last - first + 1):
        number = next_number(rng, TicketCounter(today, number), today)
        seen.append(number)
    assert all(first <= n <= last for n in seen)
    assert seen[last - first + 1] == first  # after the last comes the first again
    assert len(set(seen[: last - first + 1])) == last - first + 1


def test_ranges_are_validated():
    with pytest.raises(ValueError):
        TicketRange("L", 10, 5)
    with pytest.raises(ValueError):
        TicketRange("lab", 1, 5)


def _check_in(outbox: Outbox, rng: TicketRange, today: date) -> str:
    event = outbox.check_in(
        ticket_range=rng,
        build_event=lambda ticket: {"id": str(uuid.uuid4()), "type": "checkin", "ticket": ticket},
        today=today,
    )
    return event["ticket"]


def test_a_restart_never_reuses_a_number_the_same_day(tmp_path):
    today = date(2026, 11, 23)
    with Outbox.open(tmp_path / "o.sqlite") as outbox:
        assert [_check_in(outbox, LAB, today) for _ in range(3)] == ["L001", "L002", "L003"]
    with Outbox.open(tmp_path / "o.sqlite") as outbox:
        assert _check_in(outbox, LAB, today) == "L004"
        assert _check_in(outbox, LAB, today + timedelta(days=1)) == "L001"


def test_two_kiosks_with_their_own_ranges_never_collide(tmp_path):
    today = date(2026, 11, 23)
    a, b = TicketRange("L", 1, 499), TicketRange("L", 500, 999)
    with Outbox.open(tmp_path / "a.sqlite") as one, Outbox.open(tmp_path / "b.sqlite") as two:
        tickets = [_check_in(one, a, today) for _ in range(50)]
        tickets += [_check_in(two, b, today) for _ in range(50)]
    assert len(set(tickets)) == 100


def test_concurrent_check_ins_get_distinct_numbers(tmp_path):
    today, got = date(2026, 11, 23), []
    outboxes = [Outbox.open(tmp_path / "o.sqlite") for _ in range(4)]

    def take(outbox: Outbox) -> None:
        for _ in range(25):
            got.append(_check_in(outbox, LAB, today))

    threads = [threading.Thread(target=take, args=(o,)) for o in outboxes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for o in outboxes:
        o.close()
    assert sorted(got) == [format_ticket("L", n) for n in range(1, 101)]

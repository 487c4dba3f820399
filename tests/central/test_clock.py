"""Clock correction (central.ingest.BatchClock), pure: the batch's time in transit, a kiosk
clock that is wrong, events of the same and of earlier boots."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from central.ingest import MAX_TRANSIT, BatchClock, corrected_time
from sync.protocol import BatchEnvelope, parse_event
from tests.support.events import feedback

ARRIVAL = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TOLERANCE = timedelta(minutes=5)


def envelope(sent_at: datetime, monotonic_ms: int = 100_000, boot_id: str = "boot-7"):
    return BatchEnvelope.model_validate(
        {
            "batch_id": str(uuid.uuid4()),
            "sent_at": sent_at.isoformat(),
            "boot_id": boot_id,
            "monotonic_ms": monotonic_ms,
        }
    )


def event(occurred_at: datetime, monotonic_ms: int = 40_000, boot_id: str = "boot-7"):
    return parse_event(
        feedback(3, boot_id=boot_id, monotonic_ms=monotonic_ms, occurred_at=occurred_at.isoformat())
    )


def place(item, batch, received_at=ARRIVAL):
    return corrected_time(item, batch, received_at, TOLERANCE)


def test_a_batch_held_400_s_on_its_way_moves_nothing_and_flags_nothing():
    built = ARRIVAL - timedelta(seconds=400)  # a proxy held it; the kiosk's clock is right
    happened = built - timedelta(seconds=60)
    placed = place(event(happened), envelope(built))
    assert (placed.at, placed.suspect, placed.implausible) == (happened, False, False)


@pytest.mark.parametrize(
    "kiosk_clock",
    [
        datetime(2001, 1, 1, tzinfo=UTC),  # booted without a real-time clock
        ARRIVAL - MAX_TRANSIT - timedelta(seconds=1),  # further behind than any transit
        ARRIVAL + TOLERANCE + timedelta(seconds=1),  # ahead of the central
    ],
)
def test_a_wrong_kiosk_clock_is_replaced_by_the_arrival(kiosk_clock):
    batch = envelope(kiosk_clock)
    item = event(kiosk_clock - timedelta(seconds=60))  # the same wrong clock at the touch
    placed = place(item, batch)
    assert placed.at == ARRIVAL - timedelta(seconds=60)  # transit unknown: taken as none
    assert placed.suspect is True and placed.implausible is False


def test_a_kiosk_clock_a_little_ahead_is_still_trusted():
    built = ARRIVAL + timedelta(minutes=2)
    placed = place(event(built - timedelta(seconds=60)), envelope(built))
    assert placed.at == built - timedelta(seconds=60) and placed.suspect is False


def test_the_wall_clock_set_after_the_event_flags_it_and_places_it_right():
    # Booted in 2001, NTP set the clock before the batch was built: the event's own time is
    # wrong, the batch's right.
    built = ARRIVAL - timedelta(seconds=3)
    placed = place(event(datetime(2001, 1, 1, tzinfo=UTC)), envelope(built))
    assert placed.at == built - timedelta(seconds=60)
    assert placed.suspect is True and placed.implausible is False


def test_a_same_boot_event_later_than_its_batch_is_flagged_not_silently_kept():
    batch = envelope(ARRIVAL, monotonic_ms=100_000)
    later = place(event(ARRIVAL - timedelta(minutes=1), monotonic_ms=100_001), batch)
    assert later.at == ARRIVAL - timedelta(minutes=1)
    assert later.suspect is True and later.implausible is False
    in_1970 = place(event(datetime(1970, 1, 1, tzinfo=UTC), monotonic_ms=200_000), batch)
    assert in_1970.suspect is True and in_1970.implausible is True


@pytest.mark.parametrize(
    ("occurred_at", "implausible"),
    [
        (datetime(1970, 1, 1, tzinfo=UTC), True),
        (datetime(2023, 12, 31, 23, 59, tzinfo=UTC), True),
        (datetime(2024, 1, 1, tzinfo=UTC), False),
        (ARRIVAL - timedelta(days=3), False),
        (ARRIVAL + TOLERANCE, False),
        (ARRIVAL + TOLERANCE + timedelta(seconds=1), True),
        (datetime(2100, 1, 1, tzinfo=UTC), True),
    ],
)
def test_an_earlier_boots_event_keeps_its_time_and_is_kept_apart_when_implausible(
    occurred_at, implausible
):
    placed = place(event(occurred_at, boot_id="boot-6"), envelope(ARRIVAL))
    assert placed.at == occurred_at
    assert placed.suspect is implausible and placed.implausible is implausible


def test_the_clock_of_a_batch_is_decided_once():
    clock = BatchClock.of(envelope(ARRIVAL - timedelta(seconds=400)), ARRIVAL, TOLERANCE)
    assert clock.built_at == ARRIVAL - timedelta(seconds=400)
    wrong = BatchClock.of(envelope(datetime(2001, 1, 1, tzinfo=UTC)), ARRIVAL, TOLERANCE)
    assert wrong.built_at == ARRIVAL


def test_a_same_boot_event_corrected_to_an_implausible_time_is_kept_apart():
    # The batch's monotonic clock says the kiosk booted ten years ago: correcting by it places
    # the event in 2016, which no Hymy kiosk saw; it must not count in 2016's reports.
    years = 10 * 366 * 24 * 3600 * 1000
    placed = place(event(ARRIVAL, monotonic_ms=0), envelope(ARRIVAL, monotonic_ms=years))
    assert placed.at < datetime(2024, 1, 1, tzinfo=UTC)
    assert placed.suspect and placed.implausible
    # A plausible correction (uptime of a year) is an ordinary corrected event.
    year = 366 * 24 * 3600 * 1000
    placed = place(event(ARRIVAL - timedelta(days=366), monotonic_ms=0), envelope(ARRIVAL, year))
    assert not placed.suspect and not placed.implausible

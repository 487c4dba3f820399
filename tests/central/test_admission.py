"""Admission of batches: a turn for each while slots are free, a wait for the rest, and a
Retry-After that grows with the queue (pure asyncio, no server)."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given
from hypothesis import strategies as st

from central.api.admission import (
    RETRY_AFTER_MAX_S,
    RETRY_AFTER_MIN_S,
    BusyError,
    IngestGate,
    retry_after_s,
)
from tests.support.aio import run_coroutine


@given(st.integers(0, 100_000), st.integers(0, 64))
def test_retry_after_grows_with_the_queue_within_bounds(waiting, slots):
    value = retry_after_s(waiting, slots)
    assert RETRY_AFTER_MIN_S <= value <= RETRY_AFTER_MAX_S
    assert retry_after_s(waiting + max(1, slots), slots) >= value


def test_batches_beyond_the_slots_wait_their_turn_then_the_rest_are_told_to_come_back():
    async def scenario() -> tuple[list[str], list[int]]:
        gate = IngestGate(slots=2, wait_s=0.3)
        release = asyncio.Event()
        done: list[str] = []
        refused: list[int] = []

        async def batch(name: str, hold: bool) -> None:
            try:
                async with gate.turn():
                    if hold:
                        await release.wait()
                    done.append(name)
            except BusyError as busy:
                refused.append(busy.retry_after_s)

        holders = [asyncio.create_task(batch(f"held-{n}", True)) for n in range(2)]
        await asyncio.sleep(0)
        waiter = asyncio.create_task(batch("waiter", False))
        late = [asyncio.create_task(batch(f"late-{n}", False)) for n in range(4)]
        await asyncio.sleep(0.05)
        release.set()  # the held batches finish well within the others' wait
        await asyncio.gather(*holders, waiter, *late)
        return done, refused

    done, refused = run_coroutine(scenario)
    assert sorted(done) == sorted(["held-0", "held-1", "waiter", *(f"late-{n}" for n in range(4))])
    assert refused == []


def test_no_turn_within_the_wait_is_busy_and_frees_nothing_it_did_not_take():
    async def scenario() -> int:
        gate = IngestGate(slots=1, wait_s=0.05)
        async with gate.turn():
            with pytest.raises(BusyError) as busy:
                async with gate.turn():
                    pass
        async with gate.turn():  # the slot is free again, and only one
            assert gate._free.locked()
        return busy.value.retry_after_s

    assert run_coroutine(scenario) == RETRY_AFTER_MIN_S

"""The agent against a real central through a fault-injecting proxy: whatever the network, the
central or the agent itself does, every event appended on the kiosk ends in the central exactly
once and nothing is left pending."""

from __future__ import annotations

import random
import signal
import threading
import time
from pathlib import Path

import pytest

from hymy_dev.local_central import LocalCentral
from kiosk.outbox import OUTBOX_FILE, Outbox
from tests.support.events import feedback
from tests.support.faultproxy import CHAOS, Fault, FaultProxy
from tests.support.sync import (
    append,
    assert_exactly_once,
    enroll,
    fast_agent,
    hymy_sync,
    start_agent,
)


def wait_until_drained(kiosk_dir: Path, timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    with Outbox.open(kiosk_dir / OUTBOX_FILE) as outbox:
        while outbox.stats().pending and time.monotonic() < deadline:
            time.sleep(0.2)


@pytest.mark.parametrize("fault", CHAOS)
def test_each_fault_of_the_network_costs_nothing(
    fault: Fault, central: LocalCentral, kiosk_dir: Path
) -> None:
    proxy = FaultProxy(central.port)
    enroll(kiosk_dir, proxy.url, central.enroll_code("kaleva"))
    proxy.script.extend([fault] * 3)
    append(kiosk_dir, 450)
    agent = fast_agent(kiosk_dir)
    try:
        assert agent.drain() == 0
    finally:
        agent.close()
        proxy.close()
    assert proxy.counts[fault] >= 3
    assert assert_exactly_once(kiosk_dir, central) == 450


def test_a_lost_answer_is_a_duplicate_not_a_double(central: LocalCentral, kiosk_dir: Path):
    proxy = FaultProxy(central.port)
    enroll(kiosk_dir, proxy.url, central.enroll_code("kaleva"))
    proxy.script.append(Fault.DROP_RESPONSE)
    append(kiosk_dir, 10)
    agent = fast_agent(kiosk_dir)
    try:
        agent.drain()
    finally:
        agent.close()
        proxy.close()
    assert assert_exactly_once(kiosk_dir, central) == 10


def test_chaos_restarts_and_kills_with_the_kiosk_appending_all_along(
    central: LocalCentral, kiosk_dir: Path
) -> None:
    proxy = FaultProxy(central.port, delay_s=0.3, seed=11)
    enroll(kiosk_dir, proxy.url, central.enroll_code("kaleva"))
    proxy.chaos = 0.3
    append(kiosk_dir, 3000)  # a backlog from a night offline
    appending = threading.Event()
    appending.set()

    def kiosk() -> None:  # a visitor every few milliseconds, in the kiosk's own connection
        with Outbox.open(kiosk_dir / OUTBOX_FILE) as outbox:
            while appending.is_set():
                outbox.append(feedback(random.randint(1, 4)))
                time.sleep(0.005)

    writer = threading.Thread(target=kiosk)
    writer.start()
    agent = start_agent(kiosk_dir, "--batch-size", "200")
    rng = random.Random(5)
    try:
        for round_ in range(4):
            time.sleep(rng.uniform(0.5, 1.5))
            agent.send_signal(signal.SIGKILL)  # mid-batch, as a power cut would
            agent.wait()
            if round_ == 1:
                central.stop(kill=True)  # the central crashes and comes back
                time.sleep(0.5)
                central.start()
            agent = start_agent(kiosk_dir, "--batch-size", "200")
        time.sleep(1.0)
    finally:
        appending.clear()
        writer.join()
    wait_until_drained(kiosk_dir)
    agent.terminate()
    agent.wait(timeout=20)
    proxy.close()
    assert sum(proxy.counts[f] for f in proxy.counts if f is not Fault.PASS) >= 3
    assert assert_exactly_once(kiosk_dir, central) >= 3000


def test_an_idle_agent_picks_up_new_events_without_a_restart(
    central: LocalCentral, kiosk_dir: Path
):
    """Caught up, the agent looks again at least once a second (its poll interval; how soon it
    really is: bench/bench_sync.py prints the pickup time), so an event appended while it idles
    is sent by the running agent."""
    enroll(kiosk_dir, central.url, central.enroll_code("kaleva"))
    agent = fast_agent(kiosk_dir)
    assert agent.settings.poll_s <= 1.0
    runner = threading.Thread(target=agent.run)
    runner.start()
    try:
        time.sleep(1.0)  # idle: caught up
        append(kiosk_dir, 1)
        wait_until_drained(kiosk_dir, timeout_s=10)
    finally:
        agent.stop()
        runner.join()
        agent.close()
    assert assert_exactly_once(kiosk_dir, central) == 1


def test_once_drains_and_says_so(central: LocalCentral, kiosk_dir: Path) -> None:
    enroll(kiosk_dir, central.url, central.enroll_code("kaleva"))
    append(kiosk_dir, 1200)
    done = hymy_sync(kiosk_dir, "once")
    assert done.returncode == 0, done.stderr
    assert "All 1200 events uploaded." in done.stdout
    assert "Uploading" in done.stderr  # the progress bar
    assert assert_exactly_once(kiosk_dir, central) == 1200


def test_once_exits_non_zero_when_the_central_stays_away(
    central: LocalCentral, kiosk_dir: Path
) -> None:
    enroll(kiosk_dir, central.url, central.enroll_code("kaleva"))
    append(kiosk_dir, 5)
    central.stop()
    done = hymy_sync(kiosk_dir, "once", "--give-up-after", "1")
    assert done.returncode == 1
    assert "5 events are still waiting" in done.stderr
    status = hymy_sync(kiosk_dir, "status").stdout
    assert "Backlog: 5 events waiting to upload." in status
    assert "not reachable" in status

"""The agent's own edges: an outbox that is missing or not an outbox is a sentence, never a
traceback; events that cannot be sent are set aside; and a round that fails (the outbox locked
by someone else, a config that cannot be written) is logged and tried again, never the end of
`hymy-sync run`."""

from __future__ import annotations

import json
import sqlite3
import time
from collections import Counter
from pathlib import Path

import pytest

from hymy_dev.local_central import LocalCentral
from kiosk.outbox import OUTBOX_FILE
from sync.agent import AgentSettings, SyncAgent
from sync.backoff import REFUSED_CAP_S
from sync.client import RefusedError, RetryLaterError
from sync.credentials import CENTRAL_CONFIG_FILE, Credentials, save_credentials
from tests.support.events import feedback
from tests.support.faultproxy import FaultProxy
from tests.support.sync import (
    append,
    assert_exactly_once,
    enroll,
    hymy_sync,
    sent_events,
    start_agent,
    states,
    wait_for,
)

LOCKED_S = 12.0  # the central's start and the agent's busy timeout of 5 s, with room


@pytest.mark.parametrize("command", [["status"], ["once"], ["run"], ["requeue", "--all"]])
def test_an_outbox_that_is_not_one_is_a_sentence(
    command: list[str], central: LocalCentral, kiosk_dir: Path
) -> None:
    enroll(kiosk_dir, central.url, central.enroll_code("kaleva"))
    for leftover in kiosk_dir.glob(f"{OUTBOX_FILE}*"):
        leftover.unlink()
    (kiosk_dir / OUTBOX_FILE).write_bytes(b"this is not a database\n" * 100)

    done = hymy_sync(kiosk_dir, *command)

    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"Error: The outbox {kiosk_dir / OUTBOX_FILE} cannot be used" in done.stderr
    assert (kiosk_dir / OUTBOX_FILE).read_bytes() == b"this is not a database\n" * 100


def test_status_without_an_outbox_says_so_and_makes_none(tmp_path: Path) -> None:
    done = hymy_sync(tmp_path, "status")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "This kiosk is not enrolled" in done.stdout
    assert f"No outbox at {tmp_path / OUTBOX_FILE}: the kiosk has not run" in done.stderr
    assert not (tmp_path / OUTBOX_FILE).exists()


def test_events_that_cannot_be_sent_are_set_aside_and_the_rest_flow_on(
    central: LocalCentral, kiosk_dir: Path
) -> None:
    enroll(kiosk_dir, central.url, central.enroll_code("kaleva"))
    append(kiosk_dir, 10)
    broken = {  # written by something else than the kiosk: not JSON, not Unicode, not an object
        "11111111-1111-4111-8111-111111111111": "{cut off",
        "22222222-2222-4222-8222-222222222222": json.dumps(
            {**feedback(2, comment="\\ud800"), "id": "22222222-2222-4222-8222-222222222222"}
        ).replace("\\\\ud800", "\\ud800"),
        "33333333-3333-4333-8333-333333333333": "[1, 2]",
    }
    with sqlite3.connect(kiosk_dir / OUTBOX_FILE) as db:
        for event_id, payload in broken.items():
            db.execute(
                "INSERT INTO events (id, type, state, payload, created_at) "
                "VALUES (?, 'feedback', 'pending', ?, 0)",
                (event_id, payload),
            )
    append(kiosk_dir, 10)

    done = hymy_sync(kiosk_dir, "once")

    assert done.returncode == 0, done.stderr
    assert states(kiosk_dir) == {"sent": 20, "quarantined": 3}
    status = hymy_sync(kiosk_dir, "status").stdout
    assert "2 events: the stored event's payload is not a JSON object" in status
    # Set aside on the kiosk, or (a protocol that sends it \u-escaped) rejected by the central.
    assert "1 event: the stored event's payload holds text that is not valid Unicode" in status or (
        "1 event: rejected by the central: comment" in status
    )
    assert assert_exactly_once(kiosk_dir, central) == 20


def test_a_locked_outbox_fails_a_round_and_the_agent_goes_on(
    central: LocalCentral, kiosk_dir: Path
) -> None:
    proxy = FaultProxy(central.port, only="/api/v1/events")
    enroll(kiosk_dir, proxy.url, central.enroll_code("kaleva"))
    (kiosk_dir / CENTRAL_CONFIG_FILE).unlink()
    (kiosk_dir / CENTRAL_CONFIG_FILE).mkdir()  # the config can never be written: every minute
    central.stop()
    agent = start_agent(kiosk_dir, heartbeat_s=0.1)
    try:
        append(kiosk_dir, 50)  # waiting: the central is away
        # Someone holds the outbox's write lock longer than the agent's busy timeout (5 s)
        # while the central comes back: it stores the batch, the agent cannot mark it sent.
        blocker = sqlite3.connect(kiosk_dir / OUTBOX_FILE, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        try:
            central.start()
            time.sleep(LOCKED_S)
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        wait_for(lambda: states(kiosk_dir) == {"sent": 50})
        assert agent.poll() is None, "the agent died"
    finally:
        agent.terminate()
        agent.wait(timeout=20)
        proxy.close()
    sent = Counter(event["id"] for event in sent_events(proxy))
    assert len(sent) == 50 and max(sent.values()) >= 2  # stored, not marked, sent again
    log = (kiosk_dir / "agent.log").read_text()
    assert "cannot be written: database is locked" in log, log[-3000:]
    assert "the heartbeat failed; trying again at the next one" in log
    assert "IsADirectoryError" in log and "Traceback" in log  # the unexpected, with its trace
    assert assert_exactly_once(kiosk_dir, central) == 50


def test_a_refusal_is_offered_again_at_least_every_two_minutes(kiosk_dir: Path) -> None:
    save_credentials(
        kiosk_dir,
        Credentials(
            central="http://127.0.0.1:9", device_id="d", token="t", site="kaleva", kiosk_id="k"
        ),
    )
    agent = SyncAgent(AgentSettings(data_dir=kiosk_dir))  # the service's waits: 1 s to 5 min
    try:
        refused = [agent.retry_delay(RefusedError("refused", 403)) for _ in range(40)]
        away = [agent.retry_delay(RetryLaterError("away")) for _ in range(40)]
    finally:
        agent.close()
    assert max(refused) <= REFUSED_CAP_S < agent.settings.backoff_cap_s
    assert max(away) <= agent.settings.backoff_cap_s

"""Class 4: the agent does not trust the central's answer. Against a real central through the
fault proxy, answers cut off, pages from a proxy, bodies of the wrong shape, huge bodies and
refusals end in a logged retry or a clear status: nothing is lost, nothing is marked sent that
the central did not store, and `hymy-sync run`, `once`, `status` and `enroll` never die with a
traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hymy_dev.local_central import LocalCentral
from kiosk.outbox import OUTBOX_FILE, Outbox, OutboxMeta
from sync.client import CentralError, RefusedError, RetryLaterError
from sync.credentials import CENTRAL_CONFIG_FILE, DEVICE_FILE, check_kiosk_config, load_credentials
from sync.status import read_state
from tests.support.faultproxy import REFUSALS, UNTRUSTED, Fault, FaultProxy
from tests.support.sync import (
    append,
    assert_exactly_once,
    enroll,
    fast_agent,
    heartbeat_at_central,
    hymy_sync,
    start_agent,
    states,
    wait_for,
)

# What the agent says for each answer it does not take (its last error, in status).
SAYS = {
    Fault.TRUNCATED_200: "not JSON",
    Fault.CUT_OFF_200: "cut off",
    Fault.STRINGS_200: "not an ingest answer",
    Fault.FOREIGN_IDS_200: "not in the batch",
    Fault.MISSING_KEYS_200: "not an ingest answer",
    Fault.HTML_200: "not JSON (text/html",
    Fault.LIST_200: "not an ingest answer",
    Fault.STRING_200: "not an ingest answer",
    Fault.EMPTY_200: "accounts for 0 events",
    Fault.HUGE_200: "larger than",
    Fault.REPEATED_IDS_200: "more than once",
    Fault.NO_CONTENT_204: "not JSON",
}


def test_every_untrusted_answer_is_named() -> None:
    assert set(SAYS) == set(UNTRUSTED)


def drain_through(proxy: FaultProxy, kiosk_dir: Path) -> int:
    agent = fast_agent(kiosk_dir)
    try:
        return agent.drain()
    finally:
        agent.close()


@pytest.mark.parametrize("fault", UNTRUSTED, ids=lambda f: f.value)
def test_an_answer_not_to_trust_marks_nothing_sent(
    fault: Fault, central: LocalCentral, kiosk_dir: Path
) -> None:
    proxy = FaultProxy(central.port, only="/api/v1/events")
    enroll(kiosk_dir, proxy.url, central.enroll_code("kaleva"))
    proxy.script.extend([fault] * 3)
    append(kiosk_dir, 450)
    try:
        assert drain_through(proxy, kiosk_dir) == 0
    finally:
        proxy.close()
    assert proxy.counts[fault] == 3
    # The proxy's own answers never reached the central: had the agent marked those events
    # sent, they would be missing there now.
    assert assert_exactly_once(kiosk_dir, central) == 450
    with Outbox.open(kiosk_dir / OUTBOX_FILE) as outbox:
        state = read_state(outbox)
    assert SAYS[fault] in state.last_error
    assert state.last_upload > state.last_error_at


def test_run_survives_untrusted_answers_to_heartbeats_configs_and_batches(
    central: LocalCentral, kiosk_dir: Path
) -> None:
    proxy = FaultProxy(central.port, chaos_faults=UNTRUSTED, seed=3)
    enroll(kiosk_dir, proxy.url, central.enroll_code("kaleva"))
    config_file = kiosk_dir / CENTRAL_CONFIG_FILE
    proxy.chaos = 0.6
    append(kiosk_dir, 1500)
    agent = start_agent(kiosk_dir, "--batch-size", "100", heartbeat_s=0.1)
    try:
        wait_for(
            lambda: (
                states(kiosk_dir).get("pending", 0) == 0
                and proxy.paths["/api/v1/heartbeat"] >= 15
                and proxy.paths["/api/v1/config"] >= 15
            ),
            timeout_s=120,
        )
        assert agent.poll() is None, "the agent died"
    finally:
        agent.terminate()
        agent.wait(timeout=20)
        proxy.close()
    log = (kiosk_dir / "agent.log").read_text()
    assert "Traceback" not in log, log[-3000:]
    assert proxy.paths["/api/v1/heartbeat"] >= 15 and proxy.paths["/api/v1/config"] >= 15
    assert sum(proxy.counts[f] for f in UNTRUSTED) >= 20
    assert assert_exactly_once(kiosk_dir, central) == 1500
    config = check_kiosk_config(json.loads(config_file.read_text()), "kaleva")
    assert config["kiosk"]["station_name"]["fi"] == "Kalevan terveysasema"


def test_a_refusal_shows_in_status_and_heartbeat_and_a_fixed_central_is_picked_up(
    central: LocalCentral, kiosk_dir: Path
) -> None:
    proxy = FaultProxy(central.port, only="/api/v1/events")
    enroll(kiosk_dir, proxy.url, central.enroll_code("kaleva"))
    device = load_credentials(kiosk_dir).device_id
    proxy.always = Fault.REFUSE_403
    append(kiosk_dir, 30)
    agent = start_agent(kiosk_dir, heartbeat_s=0.2)
    try:
        status = wait_for(
            lambda: "REFUSED" in (out := hymy_sync(kiosk_dir, "status").stdout) and out
        )
        assert "Uploads REFUSED since " in status
        assert "403: uploads from this device are not allowed here. 30 events kept" in status
        assert "hymy-central devices" in status
        beat = wait_for(lambda: (heartbeat_at_central(central, device) or {}).get("refused"))
        assert beat["status"] == 403 and beat["events"] == 30
        assert "uploads from this device are not allowed here" in beat["error"]
        assert states(kiosk_dir) == {"pending": 30}  # refused: nothing sent, nothing set aside

        proxy.always = None  # the central is fixed; the agent finds out by itself
        wait_for(lambda: states(kiosk_dir) == {"sent": 30})
        assert wait_for(
            lambda: (beat := heartbeat_at_central(central, device)) and beat["refused"] is None
        )
        assert agent.poll() is None
    finally:
        agent.terminate()
        agent.wait(timeout=20)
        proxy.close()
    assert proxy.counts[Fault.REFUSE_403] >= 2
    status = hymy_sync(kiosk_dir, "status").stdout
    assert status.splitlines()[1] == "All events are uploaded." and "REFUSED" not in status
    assert assert_exactly_once(kiosk_dir, central) == 30


def test_once_against_a_404_page_says_so_and_keeps_every_event(
    central: LocalCentral, kiosk_dir: Path
) -> None:
    proxy = FaultProxy(central.port, only="/api/v1/events")
    enroll(kiosk_dir, proxy.url, central.enroll_code("kaleva"))
    proxy.always = Fault.NOT_FOUND_404
    append(kiosk_dir, 5)
    try:
        done = hymy_sync(kiosk_dir, "once", "--give-up-after", "1")
    finally:
        proxy.close()
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "Uploads REFUSED since " in done.stderr
    assert "answered 404: an HTML page ('404 Not Found'), not the central's API" in done.stderr
    assert "check `central` in device.json" in done.stderr
    assert proxy.counts[Fault.NOT_FOUND_404] >= 2
    assert states(kiosk_dir) == {"pending": 5}
    status = hymy_sync(kiosk_dir, "status")
    assert status.returncode == 0 and "Uploads REFUSED since " in status.stdout


# Answers of any request that are not what it asked for: cut off, another shape, a page, nothing.
NOT_AN_ANSWER = (
    Fault.TRUNCATED_200,
    Fault.CUT_OFF_200,
    Fault.STRINGS_200,
    Fault.HTML_200,
    Fault.LIST_200,
    Fault.STRING_200,
    Fault.EMPTY_200,
    Fault.HUGE_200,
    Fault.NO_CONTENT_204,
)
CONFIG_FAULTS = (*NOT_AN_ANSWER, *REFUSALS)


def test_a_config_answer_that_is_not_a_config_is_never_written(
    central: LocalCentral, kiosk_dir: Path
) -> None:
    proxy = FaultProxy(central.port, only="/api/v1/config")
    enroll(kiosk_dir, proxy.url, central.enroll_code("kaleva"))
    config_file = kiosk_dir / CENTRAL_CONFIG_FILE
    before = config_file.read_bytes()
    agent = fast_agent(kiosk_dir)
    try:
        for fault in CONFIG_FAULTS:
            proxy.script.append(fault)
            with pytest.raises(CentralError):
                agent.pull_config()
            assert config_file.read_bytes() == before, fault
            assert agent.outbox.get_meta(OutboxMeta.CONFIG_ETAG) is None
            proxy.script.append(fault)
            agent.heartbeat_step()  # logged, never raised
        assert agent.pull_config() is True  # a good answer is taken as ever
        assert agent.outbox.get_meta(OutboxMeta.CONFIG_ETAG)
    finally:
        agent.close()
        proxy.close()
    check_kiosk_config(json.loads(config_file.read_text()), "kaleva")


def test_garbage_answers_to_heartbeats_are_shrugged_off(
    central: LocalCentral, kiosk_dir: Path
) -> None:
    proxy = FaultProxy(central.port, only="/api/v1/heartbeat")
    enroll(kiosk_dir, proxy.url, central.enroll_code("kaleva"))
    device = load_credentials(kiosk_dir).device_id
    agent = fast_agent(kiosk_dir)
    try:
        for fault in (Fault.HTML_200, Fault.LIST_200, Fault.HUGE_200, Fault.NOT_FOUND_404):
            proxy.script.append(fault)
            agent.heartbeat_step()
        assert heartbeat_at_central(central, device) is None  # none of those reached it
        agent.heartbeat_step()
    finally:
        agent.close()
        proxy.close()
    assert heartbeat_at_central(central, device)["storage"] == "ok"


ENROL_FAULTS = (*NOT_AN_ANSWER, Fault.ODD_TOKEN_200, *REFUSALS)


@pytest.mark.parametrize("fault", ENROL_FAULTS, ids=lambda f: f.value)
def test_enrol_with_an_untrusted_answer_fails_in_a_sentence(
    fault: Fault, central: LocalCentral, tmp_path: Path
) -> None:
    proxy = FaultProxy(central.port, only="/api/v1/enroll", script=[fault])
    kiosk_dir = tmp_path / "new-kiosk"
    try:
        done = hymy_sync(
            kiosk_dir, "enroll", "--central", proxy.url, "--code", central.enroll_code("kaleva")
        )
    finally:
        proxy.close()
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("Error: ") and (
        "Enrolment failed" in done.stderr or "malformed" in done.stderr
    )
    assert not (kiosk_dir / DEVICE_FILE).exists()
    assert not (kiosk_dir / CENTRAL_CONFIG_FILE).exists()


STATUS_OF = {
    Fault.BAD_REQUEST_400: 400,
    Fault.REFUSE_403: 403,
    Fault.NOT_FOUND_404: 404,
    Fault.NOT_ALLOWED_405: 405,
    Fault.GONE_410: 410,
    Fault.LEGAL_451: 451,
}


def test_every_refusal_has_its_status() -> None:
    assert set(STATUS_OF) == set(REFUSALS)


@pytest.mark.parametrize("fault", REFUSALS, ids=lambda f: f.value)
def test_each_refusal_of_the_uploads_shows_in_status_and_heartbeat(
    fault: Fault, central: LocalCentral, kiosk_dir: Path
) -> None:
    proxy = FaultProxy(central.port, only="/api/v1/events")
    enroll(kiosk_dir, proxy.url, central.enroll_code("kaleva"))
    device = load_credentials(kiosk_dir).device_id
    proxy.always = fault
    append(kiosk_dir, 7)
    agent = fast_agent(kiosk_dir)
    try:
        with pytest.raises(RefusedError):
            agent.upload_step()
        agent.heartbeat_step()
        status = hymy_sync(kiosk_dir, "status")
        beat = heartbeat_at_central(central, device)
        proxy.always = None
        assert agent.drain() == 0
    finally:
        agent.close()
        proxy.close()
    assert status.returncode == 0 and "Traceback" not in status.stderr
    assert "Uploads REFUSED since " in status.stdout
    assert f"answered {STATUS_OF[fault]}: " in status.stdout and "7 events kept" in status.stdout
    assert beat["refused"]["status"] == STATUS_OF[fault] and beat["refused"]["events"] == 7
    assert assert_exactly_once(kiosk_dir, central) == 7


@pytest.mark.parametrize("path", ["/api/v1/heartbeat", "/api/v1/config"])
@pytest.mark.parametrize("fault", REFUSALS, ids=lambda f: f.value)
def test_a_refused_heartbeat_or_config_request_shows_in_status(
    fault: Fault, path: str, central: LocalCentral, kiosk_dir: Path
) -> None:
    """Uploads may flow while the central refuses the heartbeat or the config request; that
    refusal is a status line of its own until both go through again."""
    proxy = FaultProxy(central.port, only=path)
    enroll(kiosk_dir, proxy.url, central.enroll_code("kaleva"))
    proxy.always = fault
    agent = fast_agent(kiosk_dir)
    try:
        agent.heartbeat_step()
        agent.heartbeat_step()  # still refused: the first "since" is kept
        refused = hymy_sync(kiosk_dir, "status")
        proxy.always = None
        agent.heartbeat_step()
        fixed = hymy_sync(kiosk_dir, "status")
    finally:
        agent.close()
        proxy.close()
    assert refused.returncode == 0 and "Traceback" not in refused.stderr
    what = "the heartbeat" if path.endswith("heartbeat") else "the config request"
    assert "Heartbeat or config REFUSED since " in refused.stdout
    assert f"{what}: " in refused.stdout and f"answered {STATUS_OF[fault]}: " in refused.stdout
    assert "REFUSED" not in fixed.stdout and fixed.stdout.splitlines()[1] == (
        "All events are uploaded."
    )


def test_an_answer_naming_an_event_twice_is_not_taken(
    central: LocalCentral, kiosk_dir: Path
) -> None:
    proxy = FaultProxy(central.port, only="/api/v1/events", script=[Fault.REPEATED_IDS_200])
    enroll(kiosk_dir, proxy.url, central.enroll_code("kaleva"))
    append(kiosk_dir, 5)
    agent = fast_agent(kiosk_dir)
    try:
        with pytest.raises(RetryLaterError):
            agent.upload_step()
        assert states(kiosk_dir) == {"pending": 5}
        assert agent.drain() == 0
    finally:
        agent.close()
        proxy.close()
    assert assert_exactly_once(kiosk_dir, central) == 5

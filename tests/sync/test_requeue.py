"""Class 2, the agent's side: quarantined events are sent again once their cause is fixed
(`hymy-sync requeue`), and `hymy-sync status` says how many there are, why, and how."""

from __future__ import annotations

from pathlib import Path

from hymy_dev.local_central import LocalCentral
from kiosk.outbox import OUTBOX_FILE
from tests.support.faultproxy import Fault, FaultProxy
from tests.support.paths import EXAMPLE_SITE
from tests.support.sync import (
    append,
    assert_exactly_once,
    enroll,
    hymy_sync,
    start_agent,
    states,
    wait_for,
)

RONTGEN = """
[[service_points]]
id = "rontgen"
name = { fi = "Röntgen", sv = "Röntgen", en = "X-ray" }
prefix = "R"
"""


def test_events_refused_for_a_service_point_are_sent_once_the_site_has_it(
    central: LocalCentral, kiosk_dir: Path, tmp_path: Path
) -> None:
    enroll(kiosk_dir, central.url, central.enroll_code("kaleva"))
    append(kiosk_dir, 5)
    append(kiosk_dir, 10, service_point="rontgen")  # the kiosk's config had it, the site not
    append(kiosk_dir, 5)

    assert hymy_sync(kiosk_dir, "once").returncode == 0

    # A central of before contract 5 rejects a service point it does not know; one after it
    # accepts the events, flagged. Either way all ten share one fate, and nothing is lost.
    quarantined = states(kiosk_dir).get("quarantined", 0)
    assert quarantined in (0, 10)
    if quarantined:
        status = hymy_sync(kiosk_dir, "status").stdout
        assert "Quarantined: 10 events the central refused" in status
        assert "  10 events: rejected by the central: service_point: 'rontgen'" in status
        assert " and 5 more\n" in status
        assert "send them again: `hymy-sync requeue --all`" in status
    site = tmp_path / "kaleva.toml"
    site.write_text(EXAMPLE_SITE.read_text(encoding="utf-8") + RONTGEN, encoding="utf-8")
    central.add_site(site)

    done = hymy_sync(kiosk_dir, "requeue", "--all")
    assert done.returncode == 0, done.stderr
    assert f"{quarantined} quarantined events moved back to pending" in done.stdout
    assert hymy_sync(kiosk_dir, "once").returncode == 0

    assert states(kiosk_dir) == {"sent": 20}
    assert assert_exactly_once(kiosk_dir, central) == 20
    assert "Quarantined: 0 events." in hymy_sync(kiosk_dir, "status").stdout


def test_requeue_some_or_all_while_the_agent_runs(central: LocalCentral, kiosk_dir: Path) -> None:
    proxy = FaultProxy(central.port, only="/api/v1/events", script=[Fault.REJECT_ALL])
    enroll(kiosk_dir, proxy.url, central.enroll_code("kaleva"))
    ids = append(kiosk_dir, 6)
    assert hymy_sync(kiosk_dir, "once").returncode == 0
    assert states(kiosk_dir) == {"quarantined": 6}
    assert "6 events: rejected by the central: rejected by the test proxy" in (
        hymy_sync(kiosk_dir, "status").stdout
    )

    done = hymy_sync(kiosk_dir, "requeue", ids[0], ids[1])
    assert done.returncode == 0 and "2 quarantined events moved back" in done.stdout
    done = hymy_sync(kiosk_dir, "requeue", ids[0], "not-an-event")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "0 quarantined events moved back" in done.stdout
    assert "2 of the given ids are not quarantined" in done.stderr
    for wrong in ((), ("--all", ids[2])):
        done = hymy_sync(kiosk_dir, "requeue", *wrong)
        assert done.returncode == 2 and "Give --all or the ids" in done.stderr
    assert states(kiosk_dir) == {"pending": 2, "quarantined": 4}

    agent = start_agent(kiosk_dir)
    try:
        wait_for(lambda: states(kiosk_dir) == {"sent": 2, "quarantined": 4})
        assert hymy_sync(kiosk_dir, "requeue", "--all").returncode == 0
        wait_for(lambda: states(kiosk_dir) == {"sent": 6})  # the running agent sends them
        assert agent.poll() is None
    finally:
        agent.terminate()
        agent.wait(timeout=20)
        proxy.close()
    assert assert_exactly_once(kiosk_dir, central) == 6


def test_requeue_without_an_outbox_says_so_and_makes_none(tmp_path: Path) -> None:
    done = hymy_sync(tmp_path, "requeue", "--all")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"No outbox at {tmp_path / OUTBOX_FILE}" in done.stderr
    assert not (tmp_path / OUTBOX_FILE).exists()

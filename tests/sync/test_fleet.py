"""Heartbeat and config pull against a real central: the fleet view shows what the kiosk
reported, and a changed site reaches the kiosk's config file (ETag: unchanged costs nothing)."""

from __future__ import annotations

import json
from pathlib import Path

from hymy_dev.local_central import LocalCentral
from kiosk.outbox import OUTBOX_FILE, Outbox, OutboxMeta
from sync.credentials import CENTRAL_CONFIG_FILE
from tests.support.paths import EXAMPLE_SITE
from tests.support.sync import append, enroll, fast_agent


def test_the_heartbeat_shows_in_the_fleet_view(central: LocalCentral, kiosk_dir: Path) -> None:
    enroll(kiosk_dir, central.url, central.enroll_code("kaleva"))
    append(kiosk_dir, 3)
    with Outbox.open(kiosk_dir / OUTBOX_FILE) as outbox:
        outbox.set_meta(OutboxMeta.PRINTER, "paper_out")  # as the kiosk writes it
    agent = fast_agent(kiosk_dir)
    try:
        agent.heartbeat_step()
    finally:
        agent.close()

    line = central.command("devices").strip()
    assert "aula-1" in line and "printer needs paper" in line


def test_a_changed_site_reaches_the_kiosk_and_an_unchanged_one_is_not_fetched_again(
    central: LocalCentral, kiosk_dir: Path, tmp_path: Path
) -> None:
    enroll(kiosk_dir, central.url, central.enroll_code("kaleva"))
    config_file = kiosk_dir / CENTRAL_CONFIG_FILE
    agent = fast_agent(kiosk_dir)
    try:
        assert agent.pull_config() is True  # the first pull learns the ETag
        assert agent.pull_config() is False  # 304: nothing written
        before = config_file.stat().st_mtime_ns
        renamed = tmp_path / "site.toml"
        renamed.write_text(
            EXAMPLE_SITE.read_text().replace("Kalevan terveysasema", "Kalevan hyvinvointiasema")
        )
        central.add_site(renamed)
        assert agent.pull_config() is True
    finally:
        agent.close()
    assert config_file.stat().st_mtime_ns != before
    config = json.loads(config_file.read_text())
    assert config["kiosk"]["station_name"]["fi"] == "Kalevan hyvinvointiasema"

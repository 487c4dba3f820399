"""`hymy-sync enroll` against a real central: the token kept 0600, the first config written,
and clear refusals that store nothing."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from hymy_dev.local_central import LocalCentral
from sync.credentials import CENTRAL_CONFIG_FILE, DEVICE_FILE, load_credentials
from tests.support.sync import enroll, hymy_sync


def test_enrol_stores_the_token_readable_by_its_owner_only(
    central: LocalCentral, kiosk_dir: Path
) -> None:
    enroll(kiosk_dir, central.url, central.enroll_code("kaleva"))

    device = kiosk_dir / DEVICE_FILE
    assert stat.S_IMODE(device.stat().st_mode) == 0o600
    credentials = load_credentials(kiosk_dir)
    assert credentials.site == "kaleva" and credentials.kiosk_id == "aula-1"
    assert len(credentials.token) >= 40
    config = json.loads((kiosk_dir / CENTRAL_CONFIG_FILE).read_text())
    assert config["kiosk"]["kiosk_id"] == "aula-1"
    assert {p["id"] for p in config["service_points"]} >= {"laboratorio"}


def test_a_used_code_is_refused_and_nothing_is_stored(
    central: LocalCentral, kiosk_dir: Path, tmp_path: Path
) -> None:
    code = central.enroll_code("kaleva")
    enroll(kiosk_dir, central.url, code)
    other = tmp_path / "other-kiosk"
    done = hymy_sync(other, "enroll", "--central", central.url, "--code", code)
    assert done.returncode == 1
    assert "Enrolment failed" in done.stderr and "code" in done.stderr.lower()
    assert not (other / DEVICE_FILE).exists()


def test_an_enrolled_kiosk_is_not_replaced_without_force(
    central: LocalCentral, kiosk_dir: Path
) -> None:
    enroll(kiosk_dir, central.url, central.enroll_code("kaleva"))
    first = load_credentials(kiosk_dir)
    code = central.enroll_code("kaleva")
    done = hymy_sync(kiosk_dir, "enroll", "--central", central.url, "--code", code)
    assert done.returncode == 1 and "--force" in done.stderr
    assert load_credentials(kiosk_dir) == first
    done = hymy_sync(kiosk_dir, "enroll", "--central", central.url, "--code", code, "--force")
    assert done.returncode == 0, done.stderr
    assert load_credentials(kiosk_dir).device_id != first.device_id


def test_plain_http_to_another_host_is_refused_unless_insecure(tmp_path: Path) -> None:
    done = hymy_sync(tmp_path, "enroll", "--central", "http://hymy.example.fi", "--code", "X")
    assert done.returncode == 1
    assert "plain http" in done.stderr and "--insecure" in done.stderr
    assert not (tmp_path / DEVICE_FILE).exists()
    # With --insecure it gets as far as the network (there is none for that name here).
    done = hymy_sync(
        tmp_path, "enroll", "--central", "http://hymy.invalid", "--code", "X", "--insecure"
    )
    assert done.returncode == 1 and "not reachable" in done.stderr


def test_a_tls_central_is_checked_against_the_given_ca(tmp_path: Path) -> None:
    # No central listens on this port: the point is that https with a --ca-file that does not
    # exist is refused by the command line before anything is sent.
    done = hymy_sync(
        tmp_path,
        "enroll",
        "--central",
        "https://127.0.0.1:9",
        "--code",
        "X",
        "--ca-file",
        str(tmp_path / "missing.pem"),
    )
    assert done.returncode == 2 and "missing.pem" in done.stderr

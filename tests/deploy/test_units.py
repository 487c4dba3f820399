"""The systemd units: `systemd-analyze verify` on each one as installed, and each service's
exposure by `systemd-analyze security --offline=true` (the figures are logged: pytest -rA)."""

from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.deploy import PI_DIR, StagedKiosk, check_exposure, require_tool

log = logging.getLogger(__name__)

# The issue's limits: the sync agent is network-facing, the kiosk needs the screen and devices.
EXPOSURE_LIMITS = {"hymy-sync.service": 2.0, "hymy-kiosk.service": 5.0, "hymy-screen.service": 5.0}
HOST_UNIT_DIRS = (Path("/usr/lib/systemd/system"), Path("/lib/systemd/system"))


def installed_units(root: Path) -> list[Path]:
    return sorted((root / "etc" / "systemd" / "system").glob("hymy-*"))


def test_every_unit_is_installed() -> None:
    shipped = {path.name for path in (PI_DIR / "systemd").iterdir()}
    assert shipped == {
        "hymy-kiosk.service",
        "hymy-sync.service",
        "hymy-screen.service",
        "hymy-screen-on.timer",
        "hymy-screen-off.timer",
    }


def test_systemd_analyze_verify(staged_kiosk: StagedKiosk, tmp_path: Path) -> None:
    """Each unit as install.sh left it, in a copy of the staging root with the host's own units
    (the targets they name) beside it, so ExecStart= paths are checked in the kiosk's tree."""
    analyze = require_tool("systemd-analyze", "systemd")
    host_units = next((d for d in HOST_UNIT_DIRS if (d / "multi-user.target").exists()), None)
    assert host_units is not None, "systemd's own units are missing: apt-get install systemd"
    root = tmp_path / "root"
    shutil.copytree(staged_kiosk.root, root, symlinks=True)
    shutil.copytree(host_units, root / "usr" / "lib" / "systemd" / "system", symlinks=True)
    units = installed_units(root)
    assert len(units) == 5
    for unit in units:
        result = subprocess.run(
            [analyze, "verify", f"--root={root}", f"/etc/systemd/system/{unit.name}"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        output = result.stdout + result.stderr
        log.info("systemd-analyze verify %s: exit %d %s", unit.name, result.returncode, output)
        assert result.returncode == 0, output
        assert "hymy" not in output, output


@pytest.mark.parametrize("unit", sorted(EXPOSURE_LIMITS))
def test_exposure(unit: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="tests.deploy.conftest")
    check_exposure(PI_DIR / "systemd" / unit, EXPOSURE_LIMITS[unit])


def test_units_say_what_the_issue_asks() -> None:
    kiosk = (PI_DIR / "systemd" / "hymy-kiosk.service").read_text()
    for line in ("Type=notify", "Restart=always", "WatchdogSec=30", "WantedBy=multi-user.target"):
        assert f"\n{line}\n" in kiosk, line
    sync = (PI_DIR / "systemd" / "hymy-sync.service").read_text()
    for line in (
        "After=network-online.target time-sync.target",
        "Wants=network-online.target",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "PrivateTmp=yes",
        "ProtectHome=yes",
        "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
        "StateDirectory=hymy",  # with ProtectSystem=strict: the only writable place
    ):
        assert f"\n{line}\n" in sync, line
    assert "ReadWritePaths" not in sync


def test_the_agents_see_the_kernels_boot_id() -> None:
    """ProcSubset=pid hides /proc/sys/kernel/random/boot_id: the agent would make up a boot id
    of its own, and the central could no longer correct a Pi's wrong clock."""
    for unit in ("hymy-kiosk.service", "hymy-sync.service"):
        assert "\nProcSubset=pid" not in (PI_DIR / "systemd" / unit).read_text(), unit

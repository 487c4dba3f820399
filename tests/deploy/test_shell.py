"""The shell scripts: shellcheck clean (sourced files too), strict mode, and the rollback when
a new version's kiosk does not come up (run against a fake systemctl)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml

from tests.support.deploy import INSTALL_SH, PI_DIR, make_fake_venv, require_tool
from tests.support.host import require_root

SCRIPTS = [INSTALL_SH, *sorted((PI_DIR / "bin").iterdir())]


def test_install_sh_sources_every_step() -> None:
    sourced = re.findall(r'^source "\$HERE/(lib/\S+\.sh)"$', INSTALL_SH.read_text(), re.M)
    assert sorted(sourced) == sorted(str(p.relative_to(PI_DIR)) for p in PI_DIR.glob("lib/*.sh"))


def test_scripts_run_in_strict_mode() -> None:
    for script in SCRIPTS:
        lines = script.read_text().splitlines()
        assert lines[0] == "#!/usr/bin/env bash", script
        assert "set -euo pipefail" in lines, script


def test_shellcheck() -> None:
    shellcheck = require_tool("shellcheck", "shellcheck")
    # -x -a: follow install.sh's `source` lines and check the sourced steps as well.
    result = subprocess.run(
        [shellcheck, "--external-sources", "--check-sourced", *map(str, SCRIPTS)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_shellcheck_cloud_init_script(tmp_path: Path) -> None:
    shellcheck = require_tool("shellcheck", "shellcheck")
    user_data = yaml.safe_load((PI_DIR / "cloud-init" / "user-data").read_text())
    scripts = [cmd[2] for cmd in user_data["runcmd"] if cmd[:2] == ["bash", "-c"]]
    assert len(scripts) == 1
    script = tmp_path / "runcmd.sh"
    script.write_text(scripts[0])
    result = subprocess.run(
        [shellcheck, "--shell=bash", str(script)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout


FAKE_SYSTEMCTL = """#!/usr/bin/env bash
# Records each call; the kiosk of version 0.2.0 never comes up.
echo "$*" >>"$STAGE/systemctl.log"
case "$*" in
    "restart hymy-kiosk.service")
        [[ $(readlink "$STAGE/opt/hymy/current") != versions/0.2.0 ]] ;;
    "show --property=NRestarts --value hymy-kiosk.service") echo 0 ;;
esac
"""

# Runs install.sh's steps as on a live kiosk (systemctl restarts and checks), inside a
# staging directory: is_live is forced true while every path keeps the $R prefix.
HARNESS = """
set -euo pipefail
HERE={pi_dir}
source "$HERE/lib/common.sh"
source "$HERE/lib/versions.sh"
source "$HERE/lib/units.sh"
source "$HERE/lib/upgrade.sh"
R=$STAGE
is_live() {{ return 0; }}
VENV_FROM={venv} PIP_SPEC=unused
for version in 0.1.0 0.2.0 0.3.0; do build_version "$version"; done
link_version current 0.1.0
change_version "$1" && echo "switched" || echo "rolled back"
"""


def run_harness(stage: Path, version: str) -> str:
    script = HARNESS.format(pi_dir=PI_DIR, venv=make_fake_venv(stage / f"venv-{version}"))
    result = subprocess.run(
        ["bash", "-c", script, "harness", version],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            "PATH": f"{stage / 'bin'}:/usr/sbin:/usr/bin:/sbin:/bin",
            "STAGE": str(stage / "root"),
            "HYMY_SETTLE_SECONDS": "0",
        },
        check=True,
    )
    return result.stdout.strip()


def make_stage(path: Path) -> Path:
    (path / "bin").mkdir(parents=True)
    (path / "root").mkdir()
    systemctl = path / "bin" / "systemctl"
    systemctl.write_text(FAKE_SYSTEMCTL)
    systemctl.chmod(0o755)
    return path


def test_an_upgrade_whose_kiosk_does_not_come_up_is_rolled_back(workdir: Path) -> None:
    require_root()
    stage = make_stage(workdir)
    assert run_harness(stage, "0.2.0") == "rolled back"
    opt = stage / "root" / "opt" / "hymy"
    assert opt.joinpath("current").readlink() == Path("versions/0.1.0")
    assert not opt.joinpath("previous").exists()  # as it was before the attempt
    calls = (stage / "root" / "systemctl.log").read_text().splitlines()
    assert calls == [
        "restart hymy-sync.service",
        "restart hymy-kiosk.service",  # 0.2.0: fails, so back to 0.1.0 and restart that
        "restart hymy-kiosk.service hymy-sync.service",
    ]


def test_an_upgrade_whose_kiosk_comes_up_stays(workdir: Path) -> None:
    require_root()
    stage = make_stage(workdir)
    assert run_harness(stage, "0.3.0") == "switched"
    opt = stage / "root" / "opt" / "hymy"
    assert opt.joinpath("current").readlink() == Path("versions/0.3.0")
    assert opt.joinpath("previous").readlink() == Path("versions/0.1.0")
    calls = (stage / "root" / "systemctl.log").read_text().splitlines()
    assert calls == [
        "restart hymy-sync.service",
        "restart hymy-kiosk.service",
        "show --property=NRestarts --value hymy-kiosk.service",
        "is-active --quiet hymy-kiosk.service",
        "show --property=NRestarts --value hymy-kiosk.service",
    ]

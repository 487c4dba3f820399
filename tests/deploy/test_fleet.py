"""The fleet tools: the Ansible playbook (syntax, ansible-lint, and its install and status actions
run on this machine against a stand-in install.sh) and the cloud-init user-data example."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import yaml

from tests.support.deploy import INSTALL_SH, PI_DIR, require_tool
from tests.support.paths import ROOT

ANSIBLE_DIR = PI_DIR / "ansible"
PLAYBOOK = ANSIBLE_DIR / "fleet.yml"
FAKE_INSTALL_SH = """#!/bin/sh
# Stands in for install.sh on a kiosk: records its arguments, answers --status.
printf '%s\\n' "$@" >"{record}"
echo "hymy-install: wrote /etc/hymy/install.conf" >&2
printf 'version=0.2.0\\nprevious=0.1.0\\nkiosk=active\\nkiosk_restarts=0\\nsync=active\\n'
printf 'enrolled=yes\\ndevice_id=4f0c2a9e-fake\\nscreen_on=\\nscreen_off=\\nrotation=0\\n'
printf '\\nAll events are uploaded.\\n'
"""


def ansible_env() -> dict[str, str]:
    return {**os.environ, "NO_COLOR": "1", "ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORCE_COLOR": "0"}


def test_playbook_syntax() -> None:
    playbook = require_tool("ansible-playbook", "ansible")
    result = subprocess.run(
        [playbook, "--syntax-check", "-i", str(ANSIBLE_DIR / "inventory.example.yml"), PLAYBOOK],
        capture_output=True,
        text=True,
        timeout=120,
        env=ansible_env(),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ansible_lint() -> None:
    lint = require_tool("ansible-lint", "ansible-lint")
    tasks = sorted(str(p) for p in (ANSIBLE_DIR / "tasks").glob("*.yml"))
    result = subprocess.run(
        [lint, "--offline", str(PLAYBOOK), *tasks],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ANSIBLE_DIR,
        env=ansible_env(),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout + result.stderr


def run_playbook(tmp_path: Path, action: str, **extra: str) -> Path:
    """The playbook against this machine, with install.sh replaced by a recorder."""
    playbook = require_tool("ansible-playbook", "ansible")
    record = tmp_path / "install-args.txt"
    fake = tmp_path / "install.sh"
    fake.write_text(FAKE_INSTALL_SH.format(record=record))
    fake.chmod(0o755)
    inventory = tmp_path / "inventory.yml"
    inventory.write_text(
        yaml.safe_dump(
            {
                "hymy_kiosks": {
                    "hosts": {
                        "kaleva-aula-1": {
                            "ansible_connection": "local",
                            "ansible_python_interpreter": "/usr/bin/python3",
                            "hymy_enroll_code": "NUG6-C29D-MFKT",
                            "hymy_rotation": 90,
                        }
                    },
                    "vars": {"hymy_central": "https://hymy.example.fi"},
                }
            }
        )
    )
    variables = {
        "hymy_action": action,
        "hymy_install_sh": str(fake),
        "hymy_installer": str(tmp_path / "installer"),
        "hymy_wheel_dir": str(tmp_path / "wheels"),
        "hymy_status_dir": str(tmp_path / "status"),
        "ansible_become": "false",
        **extra,
    }
    args = [arg for key, value in variables.items() for arg in ("-e", f"{key}={value}")]
    result = subprocess.run(
        [playbook, "-i", str(inventory), str(PLAYBOOK), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=ansible_env(),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return record


def test_install_action_passes_the_kiosks_options(tmp_path: Path) -> None:
    wheel = tmp_path / "hymy-0.2.0-py3-none-any.whl"
    wheel.write_bytes(b"not really a wheel")
    record = run_playbook(tmp_path, "install", hymy_version="0.2.0", hymy_wheel=str(wheel))
    wheels = tmp_path / "wheels"
    assert record.read_text().splitlines() == [
        "--version", "0.2.0",
        "--pip-spec", f"{wheels}/hymy-0.2.0-py3-none-any.whl[pi]",
        "--central", "https://hymy.example.fi",
        "--code", "NUG6-C29D-MFKT",
        "--rotation", "90",
    ]  # fmt: skip
    assert (wheels / wheel.name).read_bytes() == b"not really a wheel"
    copied = tmp_path / "installer" / "deploy" / "raspberrypi" / "install.sh"
    assert copied.read_text() == INSTALL_SH.read_text()
    assert os.access(copied, os.X_OK)


def test_status_action_collects_the_fleet(tmp_path: Path) -> None:
    run_playbook(tmp_path, "status")
    status = tmp_path / "status"
    assert (status / "fleet.csv").read_text().splitlines() == [
        "kiosk,version,previous,kiosk_service,sync_service,enrolled,device_id",
        "kaleva-aula-1,0.2.0,0.1.0,active,active,yes,4f0c2a9e-fake",
    ]
    assert "All events are uploaded." in (status / "kaleva-aula-1.txt").read_text()


def installer_files() -> set[str]:
    """What install.sh copies to /opt/hymy/installer itself (lib/installer.sh's list)."""
    listed = subprocess.run(
        ["bash", "-c", 'HYMY_PREFIX=/opt/hymy; source "$1"; printf "%s\\n" "${INSTALLER_FILES[@]}"',
         "list", str(PI_DIR / "lib" / "installer.sh")],
        capture_output=True, text=True, check=True, timeout=60,
    ).stdout.split()  # fmt: skip
    return {str(p.relative_to(ROOT)) for pattern in listed for p in ROOT.glob(pattern)}


def test_the_kiosks_get_the_installer_without_the_fleets_secrets(tmp_path: Path) -> None:
    """The playbook's copy of the repository beside it holds an inventory with enrolment codes,
    the fleet's status files and a file someone made world-writable: the kiosk gets only the
    installer's own files, scripts 0755 and the rest 0644."""
    repo = tmp_path / "repo"
    for relative in ("deploy/raspberrypi", "docs/it-guide.md", "assets/config/example-kiosk.toml"):
        source, target = ROOT / relative, repo / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy2(source, target)
    ansible = repo / "deploy" / "raspberrypi" / "ansible"
    (ansible / "inventory.yml").write_text(
        "hymy_kiosks: {hosts: {a: {hymy_enroll_code: K7QD-92XM-HB4T}}}\n"
    )
    (ansible / "status").mkdir()
    (ansible / "status" / "fleet.csv").write_text("kiosk,version\nkaleva-aula-1,0.1.0\n")
    (repo / "deploy" / "raspberrypi" / "conf" / "journald-hymy.conf").chmod(0o666)
    (repo / "deploy" / "raspberrypi" / "lib" / "common.sh").chmod(0o775)
    wheel = tmp_path / "hymy-0.2.0-py3-none-any.whl"
    wheel.write_bytes(b"not really a wheel")
    run_playbook(
        tmp_path, "install", hymy_version="0.2.0", hymy_wheel=str(wheel), hymy_repo=str(repo)
    )
    installer = tmp_path / "installer"
    copied = {str(p.relative_to(installer)): p for p in installer.rglob("*") if p.is_file()}
    assert set(copied) == installer_files()
    executables = {"deploy/raspberrypi/install.sh"} | {
        str(p.relative_to(ROOT)) for p in (PI_DIR / "bin").iterdir()
    }
    for relative, path in copied.items():
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o755 if relative in executables else 0o644), (relative, oct(mode))
        assert "K7QD-92XM-HB4T" not in path.read_text(errors="replace"), relative
    for folder in (p for p in installer.rglob("*") if p.is_dir()):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o755, folder


def test_cloud_init_user_data() -> None:
    text = (PI_DIR / "cloud-init" / "user-data").read_text()
    assert text.startswith("#cloud-config\n")
    user_data = yaml.safe_load(text)
    assert user_data["timezone"] == "Europe/Helsinki"
    assert user_data["power_state"]["mode"] == "reboot"
    script = next(cmd[2] for cmd in user_data["runcmd"] if cmd[:2] == ["bash", "-c"])
    assert "deploy/raspberrypi/install.sh --central" in script
    usage = subprocess.run(
        ["bash", str(INSTALL_SH), "--help"], capture_output=True, text=True, check=True
    ).stdout
    env_file = next(f["content"] for f in user_data["write_files"])
    for option in ("--central", "--code", "--rotation", "--screen-on", "--screen-off"):
        assert option in script + env_file, option
        assert f"  {option} " in usage, option

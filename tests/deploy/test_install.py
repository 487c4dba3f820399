"""install.sh --root: the tree it lays out, its owners and modes; a rerun changes nothing."""

from __future__ import annotations

import configparser
import importlib.util
import json
import os
import re
import subprocess
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from tests.support.deploy import (
    CMDLINE,
    INSTALL_SH,
    PI_DIR,
    StagedKiosk,
    make_fake_venv,
    make_os_root,
    manifest,
    run_install,
)
from tests.support.host import require_root
from tests.support.paths import ROOT

ROOT_ID = (0, 0)


def owner(kiosk: StagedKiosk, path: str) -> tuple[str, int, int]:
    mode, uid, gid, _ = kiosk.second[path]
    return mode, uid, gid


def test_a_second_run_changes_nothing(staged_kiosk: StagedKiosk) -> None:
    assert staged_kiosk.first == staged_kiosk.second
    assert "wrote" in staged_kiosk.log  # the first run did write


def test_the_tree_owners_and_modes(staged_kiosk: StagedKiosk) -> None:
    k = staged_kiosk
    hymy = (k.uid, k.gid)
    expected = {
        "/opt/hymy": ("drwxr-xr-x", *ROOT_ID),
        "/opt/hymy/versions/0.1.0": ("drwxr-xr-x", *ROOT_ID),
        "/opt/hymy/versions/0.1.0/bin/hymy-kiosk": ("-rwxr-xr-x", *ROOT_ID),
        "/opt/hymy/versions/0.1.0/bin/hymy-sync": ("-rwxr-xr-x", *ROOT_ID),
        "/etc/hymy": ("drwxr-xr-x", *ROOT_ID),
        "/etc/hymy/kiosk.toml": ("-rw-r-----", 0, k.gid),
        "/etc/hymy/install.conf": ("-rw-r--r--", *ROOT_ID),
        "/var/lib/hymy": ("drwxr-x---", *hymy),
        "/var/lib/hymy/device.json": ("-rw-------", *hymy),
        "/var/lib/hymy/kivy": ("drwxr-x---", *hymy),
        "/var/lib/hymy/kivy/config.ini": ("-rw-r-----", 0, k.gid),
        "/etc/systemd/system/hymy-kiosk.service": ("-rw-r--r--", *ROOT_ID),
        "/etc/systemd/system/hymy-sync.service": ("-rw-r--r--", *ROOT_ID),
        "/etc/systemd/system/hymy-screen.service": ("-rw-r--r--", *ROOT_ID),
        "/etc/systemd/system/hymy-screen-on.timer": ("-rw-r--r--", *ROOT_ID),
        "/etc/systemd/system/hymy-screen-off.timer": ("-rw-r--r--", *ROOT_ID),
        "/etc/systemd/journald.conf.d/hymy.conf": ("-rw-r--r--", *ROOT_ID),
        "/etc/systemd/system.conf.d/hymy-watchdog.conf": ("-rw-r--r--", *ROOT_ID),
        "/etc/modules-load.d/hymy-i2c.conf": ("-rw-r--r--", *ROOT_ID),
        "/usr/local/bin/hymy-sync": ("-rwxr-xr-x", *ROOT_ID),
        "/usr/local/sbin/hymy-screen": ("-rwxr-xr-x", *ROOT_ID),
        "/opt/hymy/installer/deploy/raspberrypi/install.sh": ("-rwxr-xr-x", *ROOT_ID),
        "/opt/hymy/installer/docs/it-guide.md": ("-rw-r--r--", *ROOT_ID),
    }
    assert {path: owner(k, path) for path in expected} == expected
    links = {path: entry[3] for path, entry in k.second.items() if entry[0].startswith("l")}
    assert links["/opt/hymy/current"] == "versions/0.1.0"
    assert "/opt/hymy/previous" not in links
    assert links["/usr/local/sbin/hymy-install"] == (
        "/opt/hymy/installer/deploy/raspberrypi/install.sh"
    )
    wants = "/etc/systemd/system/multi-user.target.wants"
    for unit in ("hymy-kiosk.service", "hymy-sync.service", "hymy-screen.service"):
        assert links[f"{wants}/{unit}"] == f"/etc/systemd/system/{unit}"
    for timer in ("hymy-screen-on.timer", "hymy-screen-off.timer"):
        assert links[f"/etc/systemd/system/timers.target.wants/{timer}"].endswith(timer)


def test_unit_files_are_the_repositorys(staged_kiosk: StagedKiosk) -> None:
    units = staged_kiosk.root / "etc" / "systemd" / "system"
    for unit in ("hymy-kiosk.service", "hymy-sync.service", "hymy-screen.service"):
        assert (units / unit).read_text() == (PI_DIR / "systemd" / unit).read_text()
    assert "OnCalendar=Mon..Fri 07:00\n" in (units / "hymy-screen-on.timer").read_text()
    assert "OnCalendar=Mon..Fri 18:00\n" in (units / "hymy-screen-off.timer").read_text()


def test_the_user_and_its_groups(staged_kiosk: StagedKiosk) -> None:
    etc = staged_kiosk.root / "etc"
    passwd = {line.split(":")[0]: line.split(":") for line in etc.joinpath("passwd").open()}
    assert passwd["hymy"][5:] == ["/var/lib/hymy", "/usr/sbin/nologin\n"]
    assert int(passwd["hymy"][2]) < 1000  # a system user
    members = {
        line.split(":")[0]: line.strip().split(":")[3].split(",")
        for line in etc.joinpath("group").open()
    }
    for group in ("render", "video", "input", "dialout"):
        assert "hymy" in members[group], group
    # The host's own accounts are untouched: the user lives in the staging root only.
    before, after = staged_kiosk.host_passwd
    assert before == after


def test_enrolment_ran_as_hymy_and_the_token_is_hymys_alone(staged_kiosk: StagedKiosk) -> None:
    device = json.loads((staged_kiosk.root / "var/lib/hymy/device.json").read_text())
    assert device["uid"] == staged_kiosk.uid
    assert (device["central"], device["code"]) == ("https://hymy.example.fi", "NUG6-C29D-MFKT")
    assert "enrolled already" in staged_kiosk.log  # the second run kept the enrolment


def test_kivy_config_has_one_touch_provider_rotation_and_no_cursor(
    staged_kiosk: StagedKiosk,
) -> None:
    config = configparser.ConfigParser(interpolation=None)
    config.read(staged_kiosk.root / "var/lib/hymy/kivy/config.ini")
    assert dict(config["input"]) == {"touch": "probesysfs,provider=mtdev,select_all=0"}
    assert config["graphics"]["rotation"] == "90"
    assert config["graphics"]["show_cursor"] == "0"
    assert config["graphics"]["allow_screensaver"] == "0"
    # Kivy adds its default providers (a mouse and a probe of every device) to an older config.
    # Read from Kivy's source: importing Kivy would start its logging and write to ~/.kivy.
    kivy_source = Path(importlib.util.find_spec("kivy").origin).with_name("config.py").read_text()
    version = re.search(r"^KIVY_CONFIG_VERSION = (\d+)", kivy_source, re.M).group(1)
    assert config["kivy"]["config_version"] == version
    unit = (PI_DIR / "systemd" / "hymy-kiosk.service").read_text()
    assert "SDL_TOUCH_MOUSE_EVENTS=0" in unit  # no touch copied into a mouse click


def test_console_never_blanks(staged_kiosk: StagedKiosk) -> None:
    cmdline = (staged_kiosk.root / "boot/firmware/cmdline.txt").read_text()
    words = cmdline.split()
    assert cmdline.count("\n") == 1
    assert words.count("consoleblank=0") == 1
    assert "consoleblank=600" not in words
    assert words.count("vt.global_cursor_default=0") == 1
    assert words[:5] == CMDLINE.split()[:5]  # the rest kept, in order


def test_changing_the_rotation_rewrites_only_kivys_config(workdir: Path) -> None:
    require_root()
    root = make_os_root(workdir / "root")
    venv = make_fake_venv(workdir / "venv")
    run_install("--root", root, "--no-packages", "--venv-from", venv, "--version", "0.1.0")
    before = manifest(root)
    run_install("--root", root, "--no-packages", "--rotation", "180")
    after = manifest(root)
    changed = {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}
    assert changed == {"/var/lib/hymy/kivy/config.ini", "/etc/hymy/install.conf"}
    assert "rotation = 180" in (root / "var/lib/hymy/kivy/config.ini").read_text()
    assert not (root / "var/lib/hymy/device.json").exists()  # no code, no enrolment


def test_upgrade_and_rollback_swap_the_current_link(workdir: Path) -> None:
    require_root()
    root = make_os_root(workdir / "root")
    venv = make_fake_venv(workdir / "venv")
    common = ("--root", root, "--no-packages")
    run_install(*common, "--venv-from", venv, "--version", "0.1.0")
    units = {p: e for p, e in manifest(root).items() if p.startswith("/etc/systemd")}
    opt = root / "opt" / "hymy"

    run_install(*common, "--venv-from", venv, "--upgrade", "0.2.0")
    assert (opt.joinpath("current").readlink(), opt.joinpath("previous").readlink()) == (
        Path("versions/0.2.0"),
        Path("versions/0.1.0"),
    )
    assert {p: e for p, e in manifest(root).items() if p.startswith("/etc/systemd")} == units

    run_install(*common, "--rollback")
    assert opt.joinpath("current").readlink() == Path("versions/0.1.0")
    assert opt.joinpath("previous").readlink() == Path("versions/0.2.0")

    run_install(*common, "--venv-from", venv, "--upgrade", "0.3.0")
    # Only the running version and the one before stay on the SD card.
    assert sorted(p.name for p in (opt / "versions").iterdir()) == ["0.1.0", "0.3.0"]
    status = run_install(*common, "--status").stdout
    assert "version=0.3.0\nprevious=0.1.0\n" in status
    assert "enrolled=no" in status


def test_an_upgrade_to_an_environment_of_another_version_is_refused(workdir: Path) -> None:
    """--upgrade 0.2.0 given a wheel or environment of 0.1.0: refused, 0.1.0 keeps running."""
    require_root()
    root = make_os_root(workdir / "root")
    common = ("--root", root, "--no-packages")
    run_install(*common, "--venv-from", make_fake_venv(workdir / "venv"), "--version", "0.1.0")
    before = manifest(root)
    stale = make_fake_venv(workdir / "venv-0.1.0", version="0.1.0")
    result = run_install(*common, "--venv-from", stale, "--upgrade", "0.2.0", check=False)
    assert result.returncode == 1
    last = result.stderr.splitlines()[-1]
    assert last == (
        f"hymy-install: the environment built for hymy 0.2.0 holds hymy 0.1.0 instead (from "
        f"{stale}): give the wheel or --pip-spec of hymy 0.2.0; hymy 0.1.0 stays the current "
        "version"
    ), result.stderr
    assert manifest(root) == before  # nothing half-built is left behind
    # A first install is checked alike.
    fresh = make_os_root(workdir / "fresh")
    result = run_install(
        "--root", fresh, "--no-packages", "--venv-from", stale, "--version", "0.3.0", check=False
    )
    assert result.returncode == 1
    assert "holds hymy 0.1.0 instead" in result.stderr
    assert result.stderr.endswith("nothing was installed\n"), result.stderr
    assert not (fresh / "opt" / "hymy" / "current").exists()
    assert list((fresh / "opt" / "hymy" / "versions").iterdir()) == []


FAKE_PLATFORM = """#!/bin/sh
# {name}: answers as a Raspberry Pi with this platform would.
echo {answer}
"""


@pytest.mark.parametrize(
    ("arch", "machine", "refused"),
    [
        ("armhf", "armv7l", True),  # Raspberry Pi OS 32-bit
        ("armhf", "aarch64", True),  # the same on a Pi 4, whose kernel is 64-bit
        ("arm64", "armv7l", True),
        ("arm64", "aarch64", False),  # Raspberry Pi OS 64-bit
    ],
)
def test_a_32_bit_system_is_refused(workdir: Path, arch: str, machine: str, refused: bool) -> None:
    require_root()
    tools = workdir / "tools"
    tools.mkdir()
    for name, answer in (("dpkg", arch), ("uname", machine)):
        (tools / name).write_text(FAKE_PLATFORM.format(name=name, answer=answer))
        (tools / name).chmod(0o755)
    root = make_os_root(workdir / "root")
    venv = make_fake_venv(workdir / "venv")
    result = subprocess.run(
        ["bash", str(INSTALL_SH), "--root", str(root), "--no-packages",
         "--venv-from", str(venv), "--version", "0.1.0"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PATH": f"{tools}:{os.environ['PATH']}"},
    )  # fmt: skip
    if not refused:
        assert result.returncode == 0, result.stderr
        return
    assert result.returncode == 1
    assert result.stderr == (
        f"hymy-install: this is a 32-bit system (dpkg architecture {arch}, machine {machine}): "
        "write Raspberry Pi OS Lite 64-bit to the SD card and run install.sh there, since some "
        "of hymy's pinned packages have no 32-bit ARM builds\n"
    )
    assert sorted(p.name for p in root.iterdir()) == ["boot", "etc"]  # before the first write


def test_mistakes_are_refused_with_what_to_do(workdir: Path) -> None:
    require_root()
    root = make_os_root(workdir / "root")
    for args, words in (
        (("--rotation", "45"), "must be 0, 90, 180 or 270"),
        (("--screen-on", "Mon..Fri 07:00"), "both --screen-on and --screen-off"),
        (("--screen-on", "at seven", "--screen-off", "18:00"), "not a systemd calendar time"),
        (("--touch-provider", "hidinput"), "needs --touch-match"),
        (("--central", "https://hymy.example.fi"), "needs both --central URL and --code"),
        (("--version", "../../etc"), "is not a version"),
        (("--bogus",), "unknown option --bogus"),
        (("--config", "/nonexistent/kiosk.toml"), "/nonexistent/kiosk.toml does not exist"),
        (("--venv-from", "/tmp"), "not an environment with hymy"),
    ):
        result = run_install("--root", root, "--no-packages", *args, check=False)
        assert result.returncode != 0, args
        assert words in result.stderr, (args, result.stderr)
    # pip cannot build an environment for a staging root: it would name the wrong path.
    result = run_install("--root", root, "--no-packages", "--version", "0.1.0", check=False)
    assert "--root needs --venv-from" in result.stderr
    # Every refusal came before the first write.
    assert sorted(p.name for p in root.iterdir()) == ["boot", "etc"]
    assert "hymy:" not in (root / "etc" / "passwd").read_text()


def test_every_pi_dependency_is_pinned() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    wanted = [Requirement(r) for r in project["dependencies"] + extras["kiosk"] + extras["sync"]]
    pins = {}
    for line in (PI_DIR / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            requirement = Requirement(line)
            pins[requirement.name.lower().replace("_", "-")] = requirement
    for requirement in wanted:
        pin = pins.get(requirement.name.lower().replace("_", "-"))
        assert pin is not None, f"{requirement.name} is not pinned in constraints.txt"
        version = str(pin.specifier).removeprefix("==")
        assert str(pin.specifier).startswith("=="), pin
        assert requirement.specifier.contains(version), (requirement, pin)

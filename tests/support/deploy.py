"""The Raspberry Pi deployment's tests: the tools they need, staging roots, fake venvs, screens."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.paths import ROOT

PI_DIR = ROOT / "deploy" / "raspberrypi"


INSTALL_SH = PI_DIR / "install.sh"


HOST_ACCOUNT_FILES = ("passwd", "group", "shadow", "gshadow")


CMDLINE = (
    "console=serial0,115200 console=tty1 root=PARTUUID=4e639091-02 rootfstype=ext4 "
    "fsck.repair=yes rootwait consoleblank=600 quiet"
)


# A stand-in for the real virtual environment: the kiosk, and a sync agent whose `enroll`
# writes device.json (with its own uid, to show it ran as hymy) the way hymy-sync does.
FAKE_KIOSK = "#!/bin/sh\necho 'hymy-kiosk (fake)'\n"


FAKE_SYNC = """#!/bin/sh
# hymy-sync --data-dir DIR enroll --central URL --code CODE [...]
data=$2
shift 3
while [ $# -gt 0 ]; do
    case $1 in
        --central) central=$2 ;;
        --code) code=$2 ;;
    esac
    shift 2
done
umask 022
out=$data/device.json
printf '{"device_id": "4f0c2a9e-fake", "token": "secret", ' >"$out"
printf '"central": "%s", "code": "%s", "uid": %s}\\n' "$central" "$code" "$(id -u)" >>"$out"
"""


def require_tool(name: str, package: str) -> str:
    """The tool's path; on CI a missing tool fails, elsewhere it skips with what to install."""
    path = shutil.which(name)
    if path:
        return path
    message = f"{name} is missing: apt-get install {package} (scripts/debian-packages.txt)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


EXPOSURE = re.compile(r"Overall exposure level for (\S+): (\d+\.\d+) (\w+)")


def check_exposure(unit: Path, limit: float) -> None:
    """`systemd-analyze security --offline=true` of the unit file: the figure is logged (see it
    with pytest -rA) and must be at most `limit`."""
    analyze = require_tool("systemd-analyze", "systemd")
    result = subprocess.run(
        [analyze, "security", "--offline=true", str(unit)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    match = EXPOSURE.search(result.stdout)
    assert match, result.stdout + result.stderr
    name, exposure, verdict = match.group(1), float(match.group(2)), match.group(3)
    assert name == unit.name
    logging.getLogger(__name__).info(
        "systemd-analyze security --offline=true %s: exposure %.1f %s (limit %.1f)",
        unit.relative_to(ROOT) if unit.is_relative_to(ROOT) else unit,
        exposure,
        verdict,
        limit,
    )
    assert exposure <= limit, result.stdout


# Its python answers install.sh's question "which hymy do you hold?": a fixed version, or
# (a stand-in for an environment built right) the version whose folder it was copied to.
FAKE_PYTHON = """#!/bin/sh
# python -c 'import importlib.metadata ...; print(m.version("hymy"))'
version={version}
echo "${{version:-$(basename "$(dirname "$(dirname "$0")")")}}"
"""


def make_fake_venv(path: Path, version: str = "") -> Path:
    """A fake environment; `version` is the hymy it holds (default: the one it is built for)."""
    (path / "bin").mkdir(parents=True)
    scripts = (
        ("hymy-kiosk", FAKE_KIOSK),
        ("hymy-sync", FAKE_SYNC),
        ("python", FAKE_PYTHON.format(version=version)),
    )
    for name, text in scripts:
        script = path / "bin" / name
        script.write_text(text)
        script.chmod(0o755)
    return path


def make_os_root(path: Path) -> Path:
    """A staging root like a fresh Raspberry Pi OS: the host's accounts and a boot partition."""
    (path / "etc").mkdir(parents=True)
    for name in HOST_ACCOUNT_FILES:
        shutil.copy2(Path("/etc") / name, path / "etc" / name)
    (path / "boot" / "firmware").mkdir(parents=True)
    (path / "boot" / "firmware" / "cmdline.txt").write_text(CMDLINE + "\n")
    return path


def run_install(*args: str | Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(INSTALL_SH), *map(str, args)],
        capture_output=True,
        text=True,
        check=check,
        timeout=60,
    )


def manifest(root: Path) -> dict[str, tuple]:
    """Every path under root: its kind, mode, owner, group and sha256 (or a link's target)."""
    entries: dict[str, tuple] = {}
    for path in sorted([root, *root.rglob("*")]):
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode):
            content = os.readlink(path)
        elif stat.S_ISREG(info.st_mode):
            content = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            content = ""
        relative = path.relative_to(root)
        entries["/" if relative == Path(".") else f"/{relative}"] = (
            stat.filemode(info.st_mode),
            info.st_uid,
            info.st_gid,
            content,
        )
    return entries


def account_ids(root: Path, user: str = "hymy") -> tuple[int, int]:
    for line in (root / "etc" / "passwd").read_text().splitlines():
        fields = line.split(":")
        if fields[0] == user:
            return int(fields[2]), int(fields[3])
    raise LookupError(f"no {user} in {root}/etc/passwd")


@dataclass(frozen=True)
class StagedKiosk:
    root: Path
    first: dict[str, tuple]
    second: dict[str, tuple]
    uid: int
    gid: int
    log: str
    host_passwd: tuple[str, str]  # the host's /etc/passwd before and after


SCREEN = PI_DIR / "bin" / "hymy-screen"


WEEKDAYS = "SCREEN_ON=Mon..Fri 07:00\nSCREEN_OFF=Mon..Fri 18:00\n"


def screen(
    tmp_path: Path, *args: str, now: str = "", conf: str = WEEKDAYS, path: str = ""
) -> subprocess.CompletedProcess[str]:
    require_tool("systemd-analyze", "systemd")
    (tmp_path / "install.conf").write_text(conf)
    env = {
        "PATH": f"{path}:/usr/bin:/bin" if path else "/usr/bin:/bin",
        "HYMY_INSTALL_CONF": str(tmp_path / "install.conf"),
        "HYMY_SYSFS": str(tmp_path / "sys"),
        "TZ": "Europe/Helsinki",
    }
    if now:
        env["HYMY_SCREEN_NOW"] = now
    return subprocess.run(
        ["bash", str(SCREEN), *args], capture_output=True, text=True, env=env, timeout=30
    )

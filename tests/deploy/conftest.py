"""Fixtures of the Raspberry Pi deployment's tests: the tools they need and staging roots.

The tools come from Debian packages (scripts/debian-packages.txt). On CI (CI=true) a missing
tool fails the test; elsewhere it is skipped with the package to install.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.deploy import (
    StagedKiosk,
    account_ids,
    make_fake_venv,
    make_os_root,
    manifest,
    require_tool,
    run_install,
)
from tests.support.host import require_root


@pytest.fixture
def workdir() -> Iterator[Path]:
    """A directory the user hymy can reach (pytest's own tmp_path is root's alone)."""
    path = Path(tempfile.mkdtemp(prefix="hymy-deploy-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path)


@pytest.fixture(scope="session")
def staged_kiosk() -> Iterator[StagedKiosk]:
    """install.sh --root run twice into one staging root, with enrolment and a schedule."""
    require_root()
    require_tool("systemctl", "systemd")
    host_passwd_before = Path("/etc/passwd").read_text()
    base = Path(tempfile.mkdtemp(prefix="hymy-stage-"))
    base.chmod(0o755)
    root = make_os_root(base / "root")
    venv = make_fake_venv(base / "venv")
    args = (
        "--root", root, "--no-packages", "--venv-from", venv, "--version", "0.1.0",
        "--central", "https://hymy.example.fi", "--code", "NUG6-C29D-MFKT",
        "--rotation", "90", "--screen-on", "Mon..Fri 07:00", "--screen-off", "Mon..Fri 18:00",
    )  # fmt: skip
    first_run = run_install(*args)
    first = manifest(root)
    second_run = run_install(*args)
    second = manifest(root)
    uid, gid = account_ids(root)
    host_passwd = (host_passwd_before, Path("/etc/passwd").read_text())
    log = first_run.stderr + second_run.stderr
    yield StagedKiosk(root, first, second, uid, gid, log, host_passwd)
    shutil.rmtree(base)

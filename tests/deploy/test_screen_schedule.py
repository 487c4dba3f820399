"""Opening hours of several times a day or week: `--screen-off 'Mon..Thu 16:00; Fri 14:00'` (as
docs/it-guide.md shows it) is one timer with an OnCalendar= line for each time, and hymy-screen
decides by the soonest of them."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.deploy import (
    make_fake_venv,
    make_os_root,
    require_tool,
    run_install,
    screen,
)
from tests.support.host import require_root

SHORT_FRIDAYS = "SCREEN_ON=Mon..Fri 07:00\nSCREEN_OFF=Mon..Thu 16:00; Fri 14:00\n"


@pytest.mark.parametrize(
    ("now", "state"),
    [
        ("2026-11-26 15:59", "on"),  # Thursday
        ("2026-11-26 16:00:01", "off"),
        ("2026-11-27 13:59", "on"),  # Friday closes at 14
        ("2026-11-27 14:00:01", "off"),
        ("2026-11-28 12:00", "off"),  # Saturday
        ("2026-11-30 07:00:01", "on"),  # Monday
    ],
)
def test_the_soonest_time_of_a_schedule_decides(tmp_path: Path, now: str, state: str) -> None:
    result = screen(tmp_path, "state", now=now, conf=SHORT_FRIDAYS)
    assert result.stdout.strip() == state, result.stderr


@pytest.fixture
def staging() -> Iterator[tuple[Path, Path]]:
    require_root()
    require_tool("systemctl", "systemd")
    require_tool("systemd-analyze", "systemd")
    base = Path(tempfile.mkdtemp(prefix="hymy-schedule-"))
    base.chmod(0o755)
    yield make_os_root(base / "root"), make_fake_venv(base / "venv")
    shutil.rmtree(base)


def install(root: Path, venv: Path, *args: str, check: bool = True):
    return run_install(
        "--root", root, "--no-packages", "--venv-from", venv, "--version", "0.1.0", *args,
        check=check,
    )  # fmt: skip


def test_each_time_becomes_an_oncalendar_line(staging: tuple[Path, Path]) -> None:
    root, venv = staging
    install(
        root, venv, "--screen-on", "Mon..Fri 07:00", "--screen-off", "Mon..Thu 16:00; Fri 14:00"
    )
    units = root / "etc" / "systemd" / "system"
    off = (units / "hymy-screen-off.timer").read_text()
    assert "OnCalendar=Mon..Thu 16:00\nOnCalendar=Fri 14:00\n" in off
    assert "@SCREEN" not in off
    assert "OnCalendar=Mon..Fri 07:00\n" in (units / "hymy-screen-on.timer").read_text()
    conf = (root / "etc" / "hymy" / "install.conf").read_text()
    assert "SCREEN_OFF=Mon..Thu 16:00; Fri 14:00\n" in conf
    # A later run without the options keeps the schedule as it was.
    before = off
    install(root, venv, "--rotation", "180")
    assert (units / "hymy-screen-off.timer").read_text() == before


@pytest.mark.parametrize(
    ("schedule", "words"),
    [
        ("Mon..Thu 16:00; Fri 25:00", "'Fri 25:00' is not a systemd calendar time"),
        ("Mon..Thu 16:00;; Fri 14:00", "has an empty time between its ';'"),
    ],
)
def test_a_wrong_time_is_named(staging: tuple[Path, Path], schedule: str, words: str) -> None:
    root, venv = staging
    result = install(
        root, venv, "--screen-on", "Mon..Fri 07:00", "--screen-off", schedule, check=False
    )
    assert result.returncode != 0
    assert words in result.stderr
    assert not (root / "etc" / "systemd" / "system" / "hymy-screen-off.timer").exists()

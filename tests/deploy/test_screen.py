"""hymy-screen: on or off by the opening hours, through the backlight or DDC/CI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.deploy import screen


@pytest.mark.parametrize(
    ("now", "state"),
    [
        ("2026-11-23 06:59", "off"),  # Monday morning, before opening
        ("2026-11-23 07:00:01", "on"),
        ("2026-11-23 17:59", "on"),
        ("2026-11-23 18:00:01", "off"),
        ("2026-11-27 23:00", "off"),  # Friday night
        ("2026-11-28 12:00", "off"),  # Saturday: closed all day
        ("2026-03-30 07:30", "on"),  # the Monday after summer time began
    ],
)
def test_state_follows_the_opening_hours(tmp_path: Path, now: str, state: str) -> None:
    result = screen(tmp_path, "state", now=now)
    assert result.stdout.strip() == state, result.stderr


def test_without_opening_hours_the_screen_stays_on(tmp_path: Path) -> None:
    assert screen(tmp_path, "state", conf="ROTATION=0\n").stdout.strip() == "on"


def test_the_backlight_is_switched(tmp_path: Path) -> None:
    backlight = tmp_path / "sys" / "class" / "backlight" / "10-0045"
    backlight.mkdir(parents=True)
    (backlight / "bl_power").write_text("0\n")
    assert screen(tmp_path, "off").returncode == 0
    assert (backlight / "bl_power").read_text() == "4\n"
    assert screen(tmp_path, "auto", now="2026-11-24 10:00").returncode == 0
    assert (backlight / "bl_power").read_text() == "0\n"


def test_hdmi_monitors_are_switched_by_ddc(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    ddcutil = bin_dir / "ddcutil"
    ddcutil.write_text(f'#!/bin/sh\necho "$*" >>{tmp_path}/ddc.log\n')
    ddcutil.chmod(0o755)
    assert screen(tmp_path, "off", path=str(bin_dir)).returncode == 0
    assert screen(tmp_path, "on", path=str(bin_dir)).returncode == 0
    assert (tmp_path / "ddc.log").read_text().splitlines() == [
        "--noverify setvcp d6 04",
        "--noverify setvcp d6 01",
    ]


def test_a_screen_that_cannot_be_switched_says_so(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "ddcutil").write_text("#!/bin/sh\nexit 1\n")
    os.chmod(bin_dir / "ddcutil", 0o755)
    result = screen(tmp_path, "off", path=str(bin_dir))
    assert result.returncode == 1
    assert "cannot be turned off by software" in result.stderr

"""The visitor's screens as they read (issue 14): the ticket card with its directions whatever
the printer does, the start screen's faces that rate in one touch, its help line, logo and clock,
the rating words and the comment screen's notice and counter; the real app under Xvfb."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.kiosk_config import example_config_file

SIZES = ("800x480", "1280x720", "480x800")


@pytest.mark.parametrize("window", SIZES)
def test_screenshots(kiosk_run, tmp_path, window) -> None:
    shots = Path(os.environ.get("HYMY_SCREEN_SHOTS", tmp_path / "shots"))
    kiosk_run("ui_scripts_screens:screenshots", window=window, shots=shots)

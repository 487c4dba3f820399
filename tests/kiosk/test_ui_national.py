"""The national question set on the real kiosk under Xvfb: the start card that opens it, the
recommendation's eleven numbers (one row, two in portrait and in large text on the 7") with the
site's end labels, each at least 12 mm, and a statement's faces with their words, in normal and
in large text."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.national import national_config_file

pytestmark = pytest.mark.ui

WINDOWS = ["800x480", "480x800"]


@pytest.mark.parametrize("window", WINDOWS)
def test_the_national_screens_fit_and_every_target_is_12_mm(kiosk_run, tmp_path, window):
    shots = Path(os.environ.get("HYMY_SCREEN_SHOTS", tmp_path / "shots"))
    notes = kiosk_run(
        "ui_scripts_national:national_layout",
        config=national_config_file(tmp_path),
        window=window,
        shots=shots,
    )
    for key in ("normal", "large"):
        assert "start-smiley-4" not in notes[f"start-controls-{key}"]  # no faces to rate with
        assert notes[f"recommend-screen-{key}"] == "recommend"
        numbers = notes[f"recommend-{key}"]["numbers"]
        rows = sorted({box[1] for box in numbers.values()}, reverse=True)  # top row first
        # One row on the landscape 7"; two in portrait, and in large text where "10" would not
        # fit its button (three in large text on the narrow portrait 7"); the numbers then
        # scroll with the question if they must.
        expected = {("800x480", "normal"): 1, ("480x800", "large"): 3}.get((window, key), 2)
        assert len(rows) == expected, (key, rows)
        xs = [numbers[str(v)][0] for v in range(11) if numbers[str(v)][1] == rows[0]]
        assert xs == sorted(xs)  # 0 on the left
        touch_min = notes[f"recommend-{key}"]["touch_min"]
        assert all(min(box[2], box[3]) >= touch_min - 0.5 for box in numbers.values())
        assert "Erittäin epätodennäköisesti" in notes[f"recommend-{key}"]["low"]
        assert "Erittäin todennäköisesti" in notes[f"recommend-{key}"]["high"]
        assert notes[f"statement-screen-{key}"] == "statement"
        statement = notes[f"statement-{key}"]
        assert statement["words"][0] == "Täysin eri mieltä"
        assert statement["words"][-1] == "Täysin samaa mieltä"
        assert len(statement["steps"]) == 5
        assert notes[f"back-{key}"] == "start"
        for screen in ("start", "recommend", "statement"):
            assert not notes[f"{screen}-{key}"]["faults"], (screen, key, notes[f"{screen}-{key}"])

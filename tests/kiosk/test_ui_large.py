"""Every visitor screen at each window size, in normal and in large text (A+), on the real app
under Xvfb: touch targets of 12 mm, text contrast of 7:1, in large text no text under the large
floor (0.7 degrees of arc at 50 cm); nothing overlapping, cut or off the window; screenshots of
all. (This replaces test_ui.py's touch-target tour: the admin screens are measured here too.)
The start screen carries a site's "You said, we did" message as long as the central allows."""

from __future__ import annotations

import pytest

from tests.support.kiosk_config import config_with_message
from tests.support.screenshots import screenshot_problems

pytestmark = pytest.mark.ui

VISITOR_SCREENS = {
    "start",
    "start-sv",
    "rating",
    "reason",
    "comment-empty",
    "comment",
    "thanks",
    "service-point",
    "ticket",
}
# The 7" display, a 720p monitor, the 7" display in portrait, a 1080p monitor in portrait.
WINDOWS = ["800x480", "1280x720", "480x800", "1080x1920"]


@pytest.mark.parametrize("window", WINDOWS)
def test_every_screen_in_normal_and_large_text(kiosk_run, tmp_path, window):
    shots = tmp_path / "shots"
    notes = kiosk_run(
        "ui_scripts_large:visitor_screens",
        config=config_with_message(tmp_path),
        window=window,
        shots=shots,
    )

    for mode in ("normal", "large"):
        assert set(notes[mode]) == VISITOR_SCREENS
        faults = {f"{mode}/{name}": s["faults"] for name, s in notes[mode].items() if s["faults"]}
        assert not faults, faults
        for name, screen in notes[mode].items():
            assert "large-text" in screen["targets"], f"no A+ on {name}"
            assert screen["texts"] > 0
    assert min(s["smallest_font"] for s in notes["large"].values()) >= notes["floor"] - 0.5
    # No text is smaller in large text than in normal text.
    for name, screen in notes["large"].items():
        normal = notes["normal"][name]["fonts"]
        smaller = {
            k: (normal[k], v) for k, v in screen["fonts"].items() if v < normal.get(k, 0) - 0.5
        }
        assert not smaller, (name, smaller)
    # The normal tour's smallest text is below the large floor: A+ makes a difference.
    assert min(s["smallest_font"] for s in notes["normal"].values()) < notes["floor"]
    # Large text lasts one visitor: back on the start screen it is off again.
    assert notes["large_after_visit"] == [False, False]
    for name, screen in notes["admin"].items():
        touch = [f for f in screen["faults"] if "under 12 mm" in f]
        assert not touch, (name, touch)
    pictures = sorted(shots.glob(f"{window}-*.png"))
    assert len(pictures) == 2 * len(VISITOR_SCREENS) + 2, [p.name for p in pictures]
    assert not screenshot_problems(pictures, window)

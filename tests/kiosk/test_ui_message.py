"""The site's "You said, we did" message on the real start screen under Xvfb: in the visitor's
language, under its heading, at the longest the central allows, without pushing the cards off
the window or cutting a word, in normal and in large text."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hymy_domain.site_message import MESSAGE_MAX_CHARS
from tests.support.kiosk_config import LONG_MESSAGE, config_with_message

pytestmark = pytest.mark.ui

HEADINGS = {"fi": "Palautteenne perusteella", "sv": "Utifrån er respons", "en": "You said, we did"}
# The 7" display both ways, and the portrait 1080p where the message stays in large text
# (tests/kiosk/test_ui_large.py measures every size with the message too).
WINDOWS = ["800x480", "480x800", "1080x1920"]
# In large text the cards need these windows' room: the message gives way (it stays on a
# tall portrait screen).
GIVES_WAY_IN_LARGE_TEXT = {"800x480", "1280x720", "480x800"}


def test_the_long_message_is_as_long_as_the_central_allows():
    assert all(len(text) <= MESSAGE_MAX_CHARS for text in LONG_MESSAGE.values())
    assert max(len(text) for text in LONG_MESSAGE.values()) >= MESSAGE_MAX_CHARS - 10


@pytest.mark.parametrize("window", WINDOWS)
def test_the_message_is_shown_in_the_visitors_language(kiosk_run, tmp_path, window):
    shots = Path(os.environ.get("HYMY_SCREEN_SHOTS", tmp_path / "shots"))
    config = config_with_message(tmp_path, LONG_MESSAGE)
    notes = kiosk_run(
        "ui_scripts_message:start_screen_message", config=config, window=window, shots=shots
    )
    width, height = (int(v) for v in window.split("x"))
    for language in ("fi", "sv", "en", "large"):
        shown = notes[language]
        if language == "large" and window in GIVES_WAY_IN_LARGE_TEXT:
            assert shown["hidden"] and not shown["text"]["visible"], window
            assert not notes["faults-large"], notes["faults-large"]
            continue
        words = LONG_MESSAGE["fi" if language == "large" else language]
        heading = HEADINGS["fi" if language == "large" else language]
        assert shown["heading"]["visible"] and shown["heading"]["text"] == heading
        assert shown["text"]["visible"]
        assert shown["text"]["text"].replace("\u00a0", " ") == words
        for card, (x, y, w, h) in shown["cards"].items():  # both cards whole in the window
            assert x >= 0 and y >= 0 and x + w <= width and y + h <= height, (card, language)
        assert not notes[f"faults-{language}"], (language, notes[f"faults-{language}"])
    assert sorted(p.name for p in shots.glob(f"{window}-start-message-*.png")) == [
        f"{window}-start-message-{name}.png" for name in ("fi", "large", "sv")
    ]


def test_without_a_message_the_start_screen_has_no_panel(kiosk_run, tmp_path):
    notes = kiosk_run("ui_scripts_message:start_screen_message")
    assert notes["fi"]["panel_height"] == 0 and not notes["fi"]["text"]["visible"]
    assert not notes["fi"]["heading"]["visible"]
    assert not notes["faults-fi"] and not notes["faults-large"]

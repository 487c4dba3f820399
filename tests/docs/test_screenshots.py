"""The kiosk's screenshots in docs/screenshots (`make screenshots`, taken from the real app):
every screen the docs show, at each window size, as the app draws it there."""

from __future__ import annotations

import pytest

from tests.support.paths import ROOT
from tests.support.screenshots import screenshot_problems

SHOTS = ROOT / "docs" / "screenshots"
SCREENS = (
    "start",
    "start-en",
    "start-sv",
    "rating",
    "reason",
    "comment",
    "thanks",
    "service-point",
    "ticket",
    "admin-pin",
    "admin",
    "touch-test",
    "out-of-order",
    "languages",
    "time-warning",
    # each visitor screen in large text and in speech mode (focus frame): hymy_dev/tour_modes.py
    *(
        f"{mode}-{screen}"
        for mode in ("large", "speech")
        for screen in ("start", "rating", "reason", "comment", "thanks", "service-point", "ticket")
    ),
    # a site on the national question set: hymy_dev/tour_national.py
    "national-start",
    "recommend",
    "statement",
    "statement-sv",
    "national-thanks",
    "large-recommend",
    "large-statement",
)


@pytest.mark.parametrize("window", ["800x480", "1280x720", "1080x1920"])
def test_the_docs_show_every_screen_drawn_at_each_size(window: str) -> None:
    paths = [SHOTS / f"{window}-{screen}.png" for screen in SCREENS]
    missing = [path.name for path in paths if not path.exists()]
    assert not missing, f"run `make screenshots`: {missing} missing"
    every = sorted(SHOTS.glob(f"{window}-*.png"))  # the extra ones (admin-devices ...) too
    assert not screenshot_problems(every, window), screenshot_problems(every, window)


def test_a_blank_wrongly_sized_or_repeated_screenshot_is_found(tmp_path) -> None:
    from PIL import Image

    Image.new("RGB", (800, 480), "white").save(tmp_path / "800x480-blank.png")
    Image.open(SHOTS / "800x480-start.png").save(tmp_path / "800x480-start.png")
    Image.open(SHOTS / "800x480-start.png").save(tmp_path / "800x480-again.png")
    Image.open(SHOTS / "1280x720-start.png").save(tmp_path / "800x480-big.png")
    problems = screenshot_problems(sorted(tmp_path.glob("*.png")), "800x480")
    assert len(problems) == 3, problems
    assert any("800x480-blank.png: blank" in p for p in problems)
    assert any("800x480-big.png: 1280x720, not 800x480" in p for p in problems)
    assert any("the same picture as" in p for p in problems)

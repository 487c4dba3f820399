"""kiosk.contrast: the contrast of text as Kivy draws it (RGBA floats, translucency blended)."""

from __future__ import annotations

import pytest

from kiosk.contrast import blend, drawn_contrast
from kiosk.theme import PALETTE, hex_rgb

WHITE, BLACK = (255, 255, 255), (0, 0, 0)


def test_black_on_white_is_twenty_one_to_one_and_a_colour_on_itself_one():
    assert drawn_contrast((0, 0, 0, 1), (1, 1, 1, 1), WHITE) == pytest.approx(21.0)
    assert drawn_contrast((0.3, 0.5, 0.2, 1), (0.3, 0.5, 0.2, 1), WHITE) == pytest.approx(1.0)


def test_a_translucent_colour_is_blended_with_what_lies_behind_it():
    assert blend((0, 0, 0, 0.5), WHITE) == (128, 128, 128)
    assert blend((1, 1, 1), BLACK) == WHITE  # no alpha: opaque
    assert blend((0, 0, 0, 0), (10, 20, 30)) == (10, 20, 30)
    # Grey text at half opacity on white falls well under 7:1 though the grey alone reaches it.
    grey = [c / 255 for c in hex_rgb(PALETTE.text_muted)]
    assert drawn_contrast([*grey, 1], (1, 1, 1, 1), WHITE) >= 7
    assert drawn_contrast([*grey, 0.5], (1, 1, 1, 1), WHITE) < 4


def test_a_transparent_background_shows_the_page():
    text = [c / 255 for c in hex_rgb(PALETTE.text)]
    page = hex_rgb(PALETTE.background)
    assert drawn_contrast([*text, 1], (1, 1, 1, 0), page) == pytest.approx(
        drawn_contrast([*text, 1], [c / 255 for c in page], WHITE)
    )

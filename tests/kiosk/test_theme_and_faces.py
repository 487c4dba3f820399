"""Colours keep a 7:1 text contrast; the smiley faces differ by expression, not colour alone."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.theme import MIN_TEXT_CONTRAST, PALETTE, contrast_ratio, hex_rgb
from kiosk.ui.geometry import face_shape


@pytest.mark.parametrize("name", sorted(PALETTE.text_pairs()))
def test_text_contrast_is_at_least_7_to_1(name):
    foreground, background = PALETTE.text_pairs()[name]
    assert contrast_ratio(hex_rgb(foreground), hex_rgb(background)) >= MIN_TEXT_CONTRAST


def test_contrast_ratio_matches_wcag_reference_values():
    assert contrast_ratio((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast_ratio((255, 255, 255), (255, 255, 255)) == pytest.approx(1.0)
    assert contrast_ratio(hex_rgb("#777777"), (255, 255, 255)) == pytest.approx(4.48, abs=0.01)


def mouth_bend(rating: int) -> float:
    """Positive for a smile (middle below the corners), negative for a frown."""
    mouth = face_shape(rating, 0, 0, 100).mouth
    ys = mouth[1::2]
    return (ys[0] + ys[-1]) / 2 - ys[len(ys) // 2]


def test_happier_faces_smile_more_and_there_is_no_neutral_face():
    bends = [mouth_bend(r) for r in (1, 2, 3, 4)]
    assert bends == sorted(bends)
    assert bends[0] < 0 and bends[1] < 0 and bends[2] > 0 and bends[3] > 0
    with pytest.raises(ValueError, match="1 to 4"):
        face_shape(0, 0, 0, 10)


@given(
    st.sampled_from([1, 2, 3, 4]), st.floats(1, 2000), st.floats(-500, 500), st.floats(-500, 500)
)
def test_face_stays_inside_its_circle(rating, r, cx, cy):
    shape = face_shape(rating, cx, cy, r)
    points = list(zip(shape.mouth[0::2], shape.mouth[1::2], strict=True))
    for brow in shape.brows:
        points += list(zip(brow[0::2], brow[1::2], strict=True))
    for x, y, w, h in shape.eyes:
        points += [(x, y), (x + w, y + h)]
    assert all((x - cx) ** 2 + (y - cy) ** 2 <= (r * 0.9) ** 2 for x, y in points)

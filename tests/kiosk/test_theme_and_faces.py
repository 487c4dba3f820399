"""Colours keep a 7:1 text contrast; the smiley faces differ by expression, word and a colour that
stays apart in every colour vision (issue 14), in grey too."""

from __future__ import annotations

import math
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from kiosk.colour_vision import (
    Vision,
    closest_pairs,
    colour_difference,
    delta_e_76,
    delta_e_2000,
    from_linear,
    luma,
    minimum_differences,
    simulate,
    to_lab,
    to_linear,
)
from kiosk.theme import MIN_TEXT_CONTRAST, PALETTE, contrast_ratio, hex_rgb
from kiosk.ui.geometry import face_shape

RATINGS = (1, 2, 3, 4)
FACES = [hex_rgb(PALETTE.face(rating)) for rating in RATINGS]
MIN_FACE_DIFFERENCE = 20.0  # CIEDE2000, issue 14
MIN_INK_CONTRAST = 4.5  # the face's features; WCAG 1.4.11 asks 3:1 of graphics, we keep text's


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


# Sharma, Wu & Dalal (2005), Table 1: (L*a*b* 1, L*a*b* 2, ΔE00). Chosen to cover the hue mean
# either side of 180°, an achromatic colour, the blue region's rotation term and a dark pair.
SHARMA_PAIRS = [
    ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
    ((50.0, 3.1571, -77.2803), (50.0, 0.0, -82.7485), 2.8615),
    ((50.0, -1.3802, -84.2814), (50.0, 0.0, -82.7485), 1.0000),
    ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
    ((50.0, 2.49, -0.001), (50.0, -2.49, 0.0009), 7.1792),
    ((50.0, 2.49, -0.001), (50.0, -2.49, 0.0011), 7.2195),
    ((50.0, -0.001, 2.49), (50.0, 0.0011, -2.49), 4.7461),
    ((50.0, 2.5, 0.0), (50.0, 0.0, -2.5), 4.3065),
    ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
    ((50.0, 2.5, 0.0), (56.0, -27.0, -3.0), 31.9030),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ((63.0109, -31.0961, -5.8663), (62.8187, -29.7946, -4.0864), 1.2630),
    ((35.0831, -44.1164, 3.7933), (35.0232, -40.0716, 1.5901), 1.8645),
    ((2.0776, 0.0795, -1.1350), (0.9033, -0.0636, -0.5514), 0.9082),
]


@pytest.mark.parametrize(("lab1", "lab2", "expected"), SHARMA_PAIRS)
def test_ciede2000_matches_sharma_wu_dalal_test_data(lab1, lab2, expected):
    assert delta_e_2000(lab1, lab2) == pytest.approx(expected, abs=5e-5)
    assert delta_e_2000(lab2, lab1) == pytest.approx(expected, abs=5e-5)


def test_cie76_is_the_straight_distance_and_lab_has_its_reference_points():
    assert delta_e_76((50, 0, 0), (53, 4, 0)) == pytest.approx(5.0)
    assert to_lab((255, 255, 255)) == pytest.approx((100.0, 0.0, 0.0), abs=1e-9)
    assert to_lab((0, 0, 0)) == pytest.approx((0.0, 0.0, 0.0), abs=1e-9)
    # sRGB red in CIELAB (D65), as colour-science tables give it.
    assert to_lab((255, 0, 0)) == pytest.approx((53.24, 80.09, 67.20), abs=0.05)
    assert all(from_linear(to_linear((v, v, v))) == (v, v, v) for v in range(256))


@pytest.mark.parametrize("vision", [v for v in Vision if v is not Vision.NORMAL])
def test_simulation_keeps_greys_and_loses_what_the_missing_cone_saw(vision):
    for v in (0, 60, 128, 200, 255):
        seen = simulate((v, v, v), vision)
        assert max(abs(c - v) for c in seen) <= 1, (vision, v, seen)
    # Each dichromat's classic confusion collapses; normal vision keeps it wide apart.
    confused = {
        Vision.PROTAN: ((210, 40, 40), (90, 110, 40)),  # red and dark olive
        Vision.DEUTAN: ((200, 80, 60), (120, 140, 60)),  # brick red and olive green
        Vision.TRITAN: ((0, 192, 224), (64, 224, 64)),  # sky blue and green
    }[vision]
    assert colour_difference(*confused) > 25
    assert colour_difference(*confused, vision) < 10


def test_machado_matrices_at_full_severity_give_their_published_primaries():
    # Pure red through Machado et al.'s protanopia matrix is its first column, (0.152286,
    # 0.114503, -0.003882) in linear RGB, which is sRGB (109, 95, 0) once clipped and encoded.
    assert simulate((255, 0, 0), Vision.PROTAN) == (109, 95, 0)
    # Pure blue through the tritanopia matrix: (-0.178779, 0.147602, 0.303900) -> (0, 107, 150).
    assert simulate((0, 0, 255), Vision.TRITAN) == (0, 107, 150)
    assert simulate((12, 34, 56), Vision.NORMAL) == (12, 34, 56)


@pytest.mark.parametrize("vision", list(Vision), ids=lambda v: v.value)
def test_every_two_faces_stay_20_apart_in_this_vision(vision):
    value, a, b = closest_pairs(FACES)[vision]
    assert value >= MIN_FACE_DIFFERENCE, f"{vision.value}: {a} and {b} only {value:.1f} apart"


def test_the_faces_before_issue_14_fail_the_rule_so_the_test_can_fail():
    old = [hex_rgb(c) for c in ("#d84a3a", "#f2a33a", "#9ccc65", "#3f9b4a")]
    assert minimum_differences(old)[Vision.DEUTAN] < MIN_FACE_DIFFERENCE
    with pytest.raises(ValueError, match="two colours"):
        closest_pairs(old[:1])


def test_faces_get_lighter_from_very_unhappy_to_very_happy_in_l_star_and_in_grey():
    lightness = [to_lab(c)[0] for c in FACES]
    grey = [luma(c) for c in FACES]
    assert all(b - a >= 10 for a, b in pairwise(lightness)), lightness
    assert all(b - a >= 20 for a, b in pairwise(grey)), grey


def test_faces_keep_the_colours_of_a_rating_scale():
    """Red to magenta, orange, yellow, green to teal: what a visitor reads as bad to good."""
    hues = [math.degrees(math.atan2(lab[2], lab[1])) % 360 for lab in map(to_lab, FACES)]
    chroma = [math.hypot(lab[1], lab[2]) for lab in map(to_lab, FACES)]
    assert hues[0] >= 320 or hues[0] <= 40, hues
    assert 40 <= hues[1] <= 72 and 78 <= hues[2] <= 105 and 130 <= hues[3] <= 175, hues
    assert min(chroma) >= 35, chroma


@pytest.mark.parametrize("rating", RATINGS)
def test_a_face_s_features_stand_out_from_it_pressed_or_not(rating):
    ink = hex_rgb(PALETTE.face_ink_on(rating))
    for fill in (PALETTE.face(rating), PALETTE.face_pressed(rating)):
        assert contrast_ratio(ink, hex_rgb(fill)) >= MIN_INK_CONTRAST, (rating, fill)
    pressed = hex_rgb(PALETTE.face_pressed(rating))
    # Seen at once (the card under it turns grey as well), even on the darkest face.
    assert colour_difference(pressed, hex_rgb(PALETTE.face(rating))) > 3


def _pixel(image: Image.Image, x: float, y: float) -> tuple[int, int, int]:
    return image.getpixel((round(x), round(y)))[:3]


@pytest.mark.ui
def test_the_app_draws_each_face_in_its_colour_and_ink_on_every_screen(kiosk_run, tmp_path):
    shots = tmp_path / "shots"
    notes = kiosk_run("ui_scripts_faces:faces_on_each_screen", shots=shots)

    assert sorted(notes["faces"]) == ["rating", "start", "thanks-1", "thanks-4"]
    assert sorted(f[0] for f in notes["faces"]["start"]) == list(RATINGS)
    assert sorted(f[0] for f in notes["faces"]["rating"]) == list(RATINGS)
    assert [f[0] for f in notes["faces"]["thanks-4"]] == [4]
    assert [f[0] for f in notes["faces"]["thanks-1"]] == [1]
    for name, faces in notes["faces"].items():
        with Image.open(shots / f"{name}.png") as image:
            image = image.convert("RGB")
            drawn = {}
            for rating, x, y, r in faces:
                cheek = _pixel(image, x - 0.7 * r, y)
                eye = _pixel(image, x - 0.34 * r, y - 0.285 * r)
                want = hex_rgb(PALETTE.face(rating))
                off = max(abs(c - w) for c, w in zip(cheek, want, strict=True))
                assert off <= 2, (name, rating, cheek, want)
                assert contrast_ratio(eye, cheek) >= MIN_INK_CONTRAST, (name, rating, eye, cheek)
                drawn[rating] = cheek
        if len(drawn) == 4:  # the start and rating screens: the whole scale, as drawn
            for vision, value in minimum_differences(drawn.values()).items():
                assert value >= MIN_FACE_DIFFERENCE, (name, vision, value)

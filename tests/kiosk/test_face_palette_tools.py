"""The developer tools behind the face palette: its search, its report, simulated screenshots."""

from __future__ import annotations

from itertools import pairwise

from PIL import Image

from hymy_dev.face_palette import MIN_INK_CONTRAST, closest, ink_contrast, report, search
from hymy_dev.simulate_vision import simulated_image, write_simulations
from kiosk.colour_vision import Vision, simulate
from kiosk.theme import PALETTE


def test_the_search_finds_a_palette_that_keeps_every_rule():
    palette = search(step=16, target=21.0, rounds=5000)  # a coarse grid, to stay quick
    assert closest(palette) >= 21.0
    assert all(b.lab[0] - a.lab[0] >= 10 for a, b in pairwise(palette))
    assert all(ink_contrast(c.rgb) >= MIN_INK_CONTRAST for c in palette)


def test_the_report_names_the_closest_pair_in_each_vision():
    text = report([PALETTE.face(rating) for rating in (1, 2, 3, 4)])
    for vision in Vision:
        assert f"{vision.value}: closest pair" in text
    assert PALETTE.very_unhappy in text and PALETTE.very_happy in text


def test_a_simulated_screenshot_has_each_pixel_as_the_dichromat_sees_it(tmp_path):
    pixels = [(255, 0, 0), (0, 0, 255), (240, 186, 24), (255, 255, 255)]
    image = Image.new("RGB", (2, 2))
    image.putdata(pixels)
    shot = tmp_path / "rating.png"
    image.save(shot)

    written = write_simulations(shot, tmp_path / "seen")

    assert [p.name for p in written] == [
        "rating-protanopia.png",
        "rating-deuteranopia.png",
        "rating-tritanopia.png",
    ]
    for vision in (Vision.PROTAN, Vision.DEUTAN, Vision.TRITAN):
        seen = simulated_image(image, vision)
        assert [seen.getpixel((i % 2, i // 2)) for i in range(4)] == [
            simulate(p, vision) for p in pixels
        ]
    with Image.open(written[2]) as tritan:
        assert tritan.getpixel((1, 0)) == simulate((0, 0, 255), Vision.TRITAN)

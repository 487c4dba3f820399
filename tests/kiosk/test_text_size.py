"""Font sizes for normal and large text (kiosk.text_size): pure arithmetic, no display."""

from __future__ import annotations

import pytest

from kiosk.text_size import font_sizes, large_cap_height_mm, large_floor_px

PX_PER_MM_7IN = 133 / 25.4  # the official 7" display


def test_a_capital_of_large_text_subtends_seven_tenths_of_a_degree_at_half_a_metre():
    assert large_cap_height_mm() == pytest.approx(6.109, abs=0.001)
    # About 45 px on the 7" display: a capital of 0.7 of that is 6.1 mm.
    assert large_floor_px(PX_PER_MM_7IN) == pytest.approx(45.7, abs=0.1)
    assert large_floor_px(PX_PER_MM_7IN) * 0.7 / PX_PER_MM_7IN >= 6.1


@pytest.mark.parametrize("unit", [40.0, 60.0, 90.0])  # 800x480, 1280x720, 1080x1920
def test_in_large_text_even_the_smallest_size_reaches_the_floor(unit):
    floor = large_floor_px(PX_PER_MM_7IN)
    large = font_sizes(unit, PX_PER_MM_7IN, large=True)
    normal = font_sizes(unit, PX_PER_MM_7IN, large=False)

    assert min(large.s, large.m, large.l, large.xl) >= floor
    assert large.s < large.m < large.l < large.xl  # headings still stand out
    for size in ("s", "m", "l", "xl"):
        assert getattr(large, size) >= getattr(normal, size)


def test_normal_text_follows_the_window_above_a_metres_reading_floor():
    small_window = font_sizes(30.0, PX_PER_MM_7IN, large=False)
    big_window = font_sizes(90.0, PX_PER_MM_7IN, large=False)

    assert small_window.s == pytest.approx(3.6 * PX_PER_MM_7IN)  # the floor, not u/2 = 15 px
    assert big_window.s == pytest.approx(45.0)  # half a layout unit
    assert small_window.s < large_floor_px(PX_PER_MM_7IN)  # so A+ makes a difference


def test_a_denser_display_gets_more_pixels_for_the_same_millimetres():
    assert large_floor_px(2 * PX_PER_MM_7IN) == pytest.approx(2 * large_floor_px(PX_PER_MM_7IN))


@pytest.mark.parametrize("unit", [40.0, 60.0, 90.0])
def test_a_snug_size_steps_down_in_large_text_but_never_under_normal(unit):
    large = font_sizes(unit, PX_PER_MM_7IN, large=True)
    normal = font_sizes(unit, PX_PER_MM_7IN, large=False)

    for key, below in (("m", "s"), ("l", "m"), ("xl", "l")):
        snug = getattr(large, f"{key}_snug")
        assert snug == max(getattr(normal, key), getattr(large, below))
        assert snug >= large_floor_px(PX_PER_MM_7IN)
        assert getattr(normal, f"{key}_snug") == getattr(normal, key)
    # On the 7" display large text steps down (room is short); on a big window it cannot.
    if unit == 40.0:
        assert large.xl_snug < large.xl
    if unit == 90.0:
        assert large.xl_snug == normal.xl

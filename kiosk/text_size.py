"""Font sizes of the visitor screens, from the window's layout unit and the display's density.

Large text (the A+ control) follows EN 301 549's closed-functionality rule for text size: a
capital letter at least 0.7 degrees of arc at the viewing distance. At 50 cm that is a cap height
of 2 * 500 mm * tan(0.35 deg), about 6.1 mm; with a capital about 0.7 of the font size, a font size
of about 8.7 mm (45 px on the 7" display's 133 dpi). In large text every size reaches that floor,
the smallest too: nothing a visitor reads or presses is smaller. Pure arithmetic, no Kivy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

VIEWING_DISTANCE_MM = 500.0
CAPITAL_ARC_DEG = 0.7
CAP_HEIGHT_EM = 0.7  # a capital's height as a share of the font size (Roboto: 0.71)
# Normal text never drops below what reads at a metre on the display.
NORMAL_FLOOR_MM = {"s": 3.6, "m": 4.4, "l": 5.5, "xl": 7.0}
NORMAL_UNITS = {"s": 0.5, "m": 0.62, "l": 0.8, "xl": 1.1}  # font sizes in layout units
# In large text the sizes keep their steps above the floor, so headings still stand out.
LARGE_STEPS = {"s": 1.0, "m": 1.05, "l": 1.15, "xl": 1.3}


@dataclass(frozen=True)
class FontSizes:
    """Font sizes in pixels: small, medium, large and extra large; and, for screens with many
    words, the three larger a step down in large text, yet never under their normal size."""

    s: float
    m: float
    l: float  # noqa: E741 - the app's font_l
    xl: float
    m_snug: float
    l_snug: float
    xl_snug: float


def large_cap_height_mm(
    distance_mm: float = VIEWING_DISTANCE_MM, arc_deg: float = CAPITAL_ARC_DEG
) -> float:
    """The height of a capital letter that subtends `arc_deg` at `distance_mm` (about 6.1 mm)."""
    return 2 * distance_mm * math.tan(math.radians(arc_deg / 2))


def large_floor_px(px_per_mm: float) -> float:
    """The smallest font size of large text on a display of this density, in pixels."""
    return large_cap_height_mm() / CAP_HEIGHT_EM * px_per_mm


def font_sizes(unit: float, px_per_mm: float, large: bool) -> FontSizes:
    """The four font sizes for a window whose layout unit is `unit` pixels (a twelfth of its
    shorter side) on a display of `px_per_mm`; `large` for the large-text layout."""
    normal = {
        key: max(unit * NORMAL_UNITS[key], NORMAL_FLOOR_MM[key] * px_per_mm) for key in NORMAL_UNITS
    }
    sizes = dict(normal)
    if large:
        floor = math.ceil(large_floor_px(px_per_mm))  # text is drawn at whole pixel sizes
        sizes = {key: max(size, floor * LARGE_STEPS[key]) for key, size in normal.items()}
    below = {"m": "s", "l": "m", "xl": "l"}
    snug = {
        f"{key}_snug": max(normal[key], sizes[below[key]]) if large else sizes[key] for key in below
    }
    return FontSizes(**sizes, **snug)

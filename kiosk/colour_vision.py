"""How far apart colours look, to people with normal and with dichromatic colour vision.

Pure arithmetic, so the kiosk's face palette is checked without a display (tests and
`python -m hymy_dev.face_palette`):

- sRGB <-> linear RGB <-> CIE XYZ <-> CIELAB (D65 white, IEC 61966-2-1 sRGB);
- the CIE76 and CIEDE2000 colour differences; CIEDE2000 follows G. Sharma, W. Wu and E. N. Dalal,
  "The CIEDE2000 color-difference formula: implementation notes, supplementary test data, and
  mathematical observations", Color Research & Application 30(1), 2005, pp. 21-30;
- simulation of protanopia, deuteranopia and tritanopia by the matrices of G. M. Machado,
  M. M. Oliveira and L. A. F. Fernandes, "A physiologically-based model for simulation of color
  vision deficiency", IEEE Transactions on Visualization and Computer Graphics 15(6), 2009,
  pp. 1291-1298, at severity 1.0 (their table of precomputed matrices). The matrices act on
  linear RGB; results outside the gamut are clipped to it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from enum import StrEnum
from itertools import combinations

Rgb = tuple[int, int, int]
Linear = tuple[float, float, float]
Lab = tuple[float, float, float]
Matrix = tuple[Linear, Linear, Linear]


class Vision(StrEnum):
    NORMAL = "normal"
    PROTAN = "protanopia"  # no long-wave (red) cones
    DEUTAN = "deuteranopia"  # no medium-wave (green) cones
    TRITAN = "tritanopia"  # no short-wave (blue) cones


MACHADO_2009: Mapping[Vision, Matrix] = {
    Vision.PROTAN: (
        (0.152286, 1.052583, -0.204868),
        (0.114503, 0.786281, 0.099216),
        (-0.003882, -0.048116, 1.051998),
    ),
    Vision.DEUTAN: (
        (0.367322, 0.860646, -0.227968),
        (0.280085, 0.672501, 0.047413),
        (-0.011820, 0.042940, 0.968881),
    ),
    Vision.TRITAN: (
        (1.255528, -0.076749, -0.178779),
        (-0.078411, 0.930809, 0.147602),
        (0.004733, 0.691367, 0.303900),
    ),
}

# Linear sRGB to XYZ (D65) as IEC 61966-2-1 gives it; the white is its image of (1, 1, 1), so
# sRGB white is exactly L* 100, a* = b* = 0.
_RGB_TO_XYZ: Matrix = (
    (0.4124, 0.3576, 0.1805),
    (0.2126, 0.7152, 0.0722),
    (0.0193, 0.1192, 0.9505),
)
_WHITE = (sum(_RGB_TO_XYZ[0]), sum(_RGB_TO_XYZ[1]), sum(_RGB_TO_XYZ[2]))


def _apply(matrix: Matrix, v: Linear) -> Linear:
    return (
        matrix[0][0] * v[0] + matrix[0][1] * v[1] + matrix[0][2] * v[2],
        matrix[1][0] * v[0] + matrix[1][1] * v[1] + matrix[1][2] * v[2],
        matrix[2][0] * v[0] + matrix[2][1] * v[1] + matrix[2][2] * v[2],
    )


def to_linear(rgb: Rgb) -> Linear:
    """8-bit sRGB to linear RGB in 0..1 (undoes the display's gamma)."""

    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    return channel(rgb[0]), channel(rgb[1]), channel(rgb[2])


def from_linear(linear: Linear) -> Rgb:
    """Linear RGB to 8-bit sRGB, clipped to the gamut."""

    def channel(c: float) -> int:
        c = min(max(c, 0.0), 1.0)
        s = c * 12.92 if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055
        return round(s * 255)

    return channel(linear[0]), channel(linear[1]), channel(linear[2])


def to_lab(rgb: Rgb) -> Lab:
    """8-bit sRGB to CIELAB (L* 0..100) under the D65 white."""
    xyz = _apply(_RGB_TO_XYZ, to_linear(rgb))

    def f(t: float) -> float:
        return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29

    fx, fy, fz = (f(v / w) for v, w in zip(xyz, _WHITE, strict=True))
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def luma(rgb: Rgb) -> float:
    """The grey, 0..255, that a greyscale print or a desaturating filter gives (ITU-R BT.601 luma
    of the gamma-encoded values, as PIL's convert("L")). It can order colours otherwise than L*
    does, so a palette that must stay apart in grey checks both."""
    return 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]


def simulate(rgb: Rgb, vision: Vision) -> Rgb:
    """The colour as a dichromat of this kind sees it (Machado et al. 2009, severity 1.0)."""
    if vision is Vision.NORMAL:
        return rgb
    return from_linear(_apply(MACHADO_2009[vision], to_linear(rgb)))


def delta_e_76(lab1: Lab, lab2: Lab) -> float:
    """CIE76: the straight distance in CIELAB."""
    return math.dist(lab1, lab2)


def delta_e_2000(lab1: Lab, lab2: Lab) -> float:
    """CIEDE2000 colour difference (kL = kC = kH = 1), as Sharma, Wu & Dalal (2005) spell it out."""
    l1, a1, b1 = lab1
    l2, a2, b2 = lab2
    c_bar = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_bar**7 / (c_bar**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0

    dlp = l2 - l1
    dcp = c2p - c1p
    if c1p * c2p == 0:
        dhp = 0.0
    elif abs(h2p - h1p) <= 180:
        dhp = h2p - h1p
    elif h2p - h1p > 180:
        dhp = h2p - h1p - 360
    else:
        dhp = h2p - h1p + 360
    d_hue = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dhp / 2))

    lp_bar = (l1 + l2) / 2
    cp_bar = (c1p + c2p) / 2
    if c1p * c2p == 0:
        hp_bar = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        hp_bar = (h1p + h2p) / 2
    elif h1p + h2p < 360:
        hp_bar = (h1p + h2p + 360) / 2
    else:
        hp_bar = (h1p + h2p - 360) / 2

    t = (
        1
        - 0.17 * math.cos(math.radians(hp_bar - 30))
        + 0.24 * math.cos(math.radians(2 * hp_bar))
        + 0.32 * math.cos(math.radians(3 * hp_bar + 6))
        - 0.20 * math.cos(math.radians(4 * hp_bar - 63))
    )
    d_theta = 30 * math.exp(-(((hp_bar - 275) / 25) ** 2))
    r_c = 2 * math.sqrt(cp_bar**7 / (cp_bar**7 + 25**7))
    s_l = 1 + 0.015 * (lp_bar - 50) ** 2 / math.sqrt(20 + (lp_bar - 50) ** 2)
    s_c = 1 + 0.045 * cp_bar
    s_h = 1 + 0.015 * cp_bar * t
    r_t = -math.sin(math.radians(2 * d_theta)) * r_c
    tl, tc, th = dlp / s_l, dcp / s_c, d_hue / s_h
    return math.sqrt(tl * tl + tc * tc + th * th + r_t * tc * th)


def colour_difference(a: Rgb, b: Rgb, vision: Vision = Vision.NORMAL) -> float:
    """CIEDE2000 between two sRGB colours as a person with this vision sees them."""
    return delta_e_2000(to_lab(simulate(a, vision)), to_lab(simulate(b, vision)))


def closest_pairs(palette: Iterable[Rgb]) -> dict[Vision, tuple[float, Rgb, Rgb]]:
    """For each vision: the smallest CIEDE2000 between two colours of the palette, and the two.

    Raises ValueError for fewer than two colours.
    """
    colours = list(palette)
    if len(colours) < 2:
        raise ValueError("a palette needs at least two colours to compare")
    return {
        vision: min(
            ((colour_difference(a, b, vision), a, b) for a, b in combinations(colours, 2)),
            key=lambda found: found[0],
        )
        for vision in Vision
    }


def minimum_differences(palette: Iterable[Rgb]) -> dict[Vision, float]:
    """For each vision, how close the two nearest colours of the palette come (CIEDE2000)."""
    return {vision: found[0] for vision, found in closest_pairs(palette).items()}

"""The kiosk's colours, and the contrast rule they must keep (WCAG 2 contrast ratio ≥ 7:1 for text).

Pure data and arithmetic so the rule is tested without a display; kiosk.ui reads the colours.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Rgb = tuple[int, int, int]


def hex_rgb(value: str) -> Rgb:
    """'#1b1b1f' -> (27, 27, 31)."""
    value = value.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def rgb_hex(rgb: Rgb) -> str:
    """(27, 27, 31) -> '#1b1b1f'."""
    return f"#{rgb[0]:02x}{rgb[1]:02x}{rgb[2]:02x}"


def relative_luminance(rgb: Rgb) -> float:
    """WCAG 2 relative luminance of an sRGB colour."""

    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: Rgb, b: Rgb) -> float:
    """WCAG 2 contrast ratio between two colours, 1..21."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@dataclass(frozen=True)
class Palette:
    background: str = "#f6f3ec"  # warm paper white: calmer than pure white under lobby lights
    surface: str = "#ffffff"
    text: str = "#1b1b1f"
    text_muted: str = "#3d3d44"
    primary: str = "#00504a"  # deep teal, the check-in action
    on_primary: str = "#ffffff"
    secondary: str = "#1f3f73"  # deep blue, the feedback action
    on_secondary: str = "#ffffff"
    outline: str = "#5b5b63"
    danger: str = "#8c1d18"
    on_danger: str = "#ffffff"
    selected: str = "#1b1b1f"  # the chosen language button
    on_selected: str = "#ffffff"
    # Smiley faces, by rating: wine, burnt orange, gold, mint. The face and the word under it carry
    # the meaning too; the colours also stay apart (every pair >= 20 CIEDE2000) for protan, deutan
    # and tritan vision and get lighter step by step, so they hold in grey (issue 14). Found by
    # `python -m hymy_dev.face_palette --search`; tests/kiosk/test_theme_and_faces.py checks them.
    very_unhappy: str = "#6c122a"
    unhappy: str = "#cc4e12"
    happy: str = "#f0ba18"
    very_happy: str = "#7efcc6"
    # The middle face of an agreement scale (neither agree nor disagree), a warm grey between
    # the unhappy and the happy faces' lightness.
    neutral_face: str = "#b8b0a2"
    face_ink: str = "#1b1b1f"
    face_ink_light: str = "#ffffff"  # the features on a face too dark for face_ink

    def face(self, rating: float) -> str:
        """A rating's face colour; for an agreement step's level (kiosk.ui.geometry), the
        colour of the whole level next to it towards the middle (a five-step scale has the four
        colours and the neutral face's in the middle, 2.5)."""
        if rating == 2.5:
            return self.neutral_face
        level = math.ceil(rating) if rating < 2.5 else math.floor(rating)
        return {1: self.very_unhappy, 2: self.unhappy, 3: self.happy, 4: self.very_happy}[level]

    def face_pressed(self, rating: float) -> str:
        """The face while a finger is on it: a fifth darker, so the touch is felt."""
        r, g, b = hex_rgb(self.face(rating))
        return rgb_hex((round(r * 0.8), round(g * 0.8), round(b * 0.8)))

    def face_ink_on(self, rating: float) -> str:
        """The ink of the face's outline, eyes, brows and mouth: whichever stands out more."""
        fill = hex_rgb(self.face(rating))
        return max(
            (self.face_ink, self.face_ink_light), key=lambda ink: contrast_ratio(hex_rgb(ink), fill)
        )

    def text_pairs(self) -> dict[str, tuple[str, str]]:
        """Every (foreground, background) pair the UI draws text with."""
        return {
            "text on background": (self.text, self.background),
            "text on surface": (self.text, self.surface),
            "muted text on background": (self.text_muted, self.background),
            "muted text on surface": (self.text_muted, self.surface),
            "on primary": (self.on_primary, self.primary),
            "on secondary": (self.on_secondary, self.secondary),
            "on danger": (self.on_danger, self.danger),
            "danger on background": (self.danger, self.background),
            "on selected": (self.on_selected, self.selected),
        }


PALETTE = Palette()
MIN_TEXT_CONTRAST = 7.0

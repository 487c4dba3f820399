"""The contrast of text as drawn: colours as Kivy holds them (RGBA floats 0..1), a translucent one
blended over what lies behind it, then the WCAG 2 contrast ratio of kiosk.theme. Pure arithmetic,
so the UI tests measure what the screens draw and the rule itself is tested without a display."""

from __future__ import annotations

from collections.abc import Sequence

from kiosk.theme import Rgb, contrast_ratio

Rgba = Sequence[float]  # Kivy's colour: red, green, blue (and alpha), 0..1


def blend(colour: Rgba, behind: Rgb) -> Rgb:
    """The 8-bit colour seen where `colour` (alpha included) is drawn over `behind`."""
    alpha = colour[3] if len(colour) > 3 else 1.0
    return tuple(
        round(max(0.0, min(1.0, c)) * 255 * alpha + b * (1 - alpha))
        for c, b in zip(colour[:3], behind, strict=True)
    )


def drawn_contrast(text: Rgba, background: Rgba, page: Rgb) -> float:
    """The contrast ratio of `text` over `background`, itself drawn over the `page` colour."""
    ground = blend(background, page)
    return contrast_ratio(blend(text, ground), ground)

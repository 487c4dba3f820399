"""Shapes of the smiley faces as plain point lists (no Kivy), so they are tested without a display.

Coordinates are Kivy's: y grows upwards. A face is a circle of radius r centred at (cx, cy).
"""

from __future__ import annotations

from dataclasses import dataclass

# rating -> (height of the mouth corners, height of the mouth's middle), in radii below the centre.
# A smile has its middle lower than its corners; a frown the other way round.
_MOUTHS: dict[int, tuple[float, float]] = {
    4: (0.18, 0.62),
    3: (0.28, 0.50),
    2: (0.52, 0.36),
    1: (0.60, 0.28),
}


@dataclass(frozen=True)
class FaceShape:
    mouth: list[float]  # a polyline, flat [x0, y0, x1, y1, ...]
    mouth_open: bool  # the very happy face has an open (filled) mouth
    eyes: list[tuple[float, float, float, float]]  # ellipses as (x, y, width, height)
    brows: list[list[float]]  # polylines; only the very unhappy face frowns with its brows


def _quadratic(
    p0: tuple[float, float], c: tuple[float, float], p1: tuple[float, float], steps: int
) -> list[float]:
    points: list[float] = []
    for i in range(steps + 1):
        t = i / steps
        x = (1 - t) ** 2 * p0[0] + 2 * (1 - t) * t * c[0] + t**2 * p1[0]
        y = (1 - t) ** 2 * p0[1] + 2 * (1 - t) * t * c[1] + t**2 * p1[1]
        points += [x, y]
    return points


def agreement_level(step: int, steps: int) -> float:
    """The face of an agreement step as a level from 1 (the very unhappy face, fully disagree)
    to 4 (the very happy one, fully agree); the middle step of an odd scale is 2.5, a neutral
    face, which the smileys never have (their question has no neutral answer)."""
    if not 1 <= step <= steps or steps < 2:
        raise ValueError(f"step {step!r} is not on a scale of {steps!r} steps")
    return 1 + 3 * (step - 1) / (steps - 1)


def face_shape(rating: int, cx: float, cy: float, r: float, steps: int = 24) -> FaceShape:
    """The mouth, eyes and brows of the face for a rating 1..4.

    Raises ValueError for any other rating: there is no neutral face.
    """
    if rating not in _MOUTHS:
        raise ValueError(f"A smiley exists for ratings 1 to 4, not {rating!r}.")
    return level_shape(rating, cx, cy, r, steps)


def level_shape(level: float, cx: float, cy: float, r: float, steps: int = 24) -> FaceShape:
    """The face for a level 1..4 (`agreement_level`): a rating's face at 1, 2, 3 and 4, the
    mouth between two of them in between (nearly straight at 2.5).

    Raises ValueError for a level outside 1..4.
    """
    if not 1 <= level <= 4:
        raise ValueError(f"A face's level is from 1 to 4, not {level!r}.")
    low = min(int(level), 3)
    part = level - low
    (corner_a, middle_a), (corner_b, middle_b) = _MOUTHS[low], _MOUTHS[low + 1]
    corner = corner_a + (corner_b - corner_a) * part
    middle = middle_a + (middle_b - middle_a) * part
    half_width = 0.46 * r
    left = (cx - half_width, cy - corner * r)
    right = (cx + half_width, cy - corner * r)
    # The control point of a quadratic curve sits twice as far out as the curve's middle.
    control = (cx, cy - (2 * middle - corner) * r)
    mouth = _quadratic(left, control, right, steps)
    eye_w, eye_h = 0.17 * r, 0.25 * r
    eyes = [
        (cx - 0.34 * r - eye_w / 2, cy + 0.16 * r, eye_w, eye_h),
        (cx + 0.34 * r - eye_w / 2, cy + 0.16 * r, eye_w, eye_h),
    ]
    brows: list[list[float]] = []
    if level == 1:
        brows = [
            [cx - 0.50 * r, cy + 0.50 * r, cx - 0.20 * r, cy + 0.60 * r],
            [cx + 0.20 * r, cy + 0.60 * r, cx + 0.50 * r, cy + 0.50 * r],
        ]
    return FaceShape(mouth=mouth, mouth_open=level == 4, eyes=eyes, brows=brows)

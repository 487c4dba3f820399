"""Find, or check, smiley-face colours that stay apart in every colour vision.

    python -m hymy_dev.face_palette            # the palette in kiosk/theme.py, under each vision
    python -m hymy_dev.face_palette --search   # look for the natural palette nearest the anchors

The search walks an sRGB grid. Each face keeps to its hue band (red to magenta, orange, yellow,
green to teal), gets lighter from very unhappy to very happy (in CIE L* and in the grey of a
greyscale print), and keeps its features (dark or white ink, whichever stands out more) at 4.5:1.
Among the palettes whose every pair is at least `--target` CIEDE2000 apart under normal, protan,
deutan and tritan vision it keeps the one nearest the anchors (the colours a person expects on a
rating scale), by simulated annealing from the anchors, seeded: every run gives the same answer.
The result is pasted into kiosk/theme.py by hand: the kiosk's colours are constants.
"""

from __future__ import annotations

import argparse
import logging
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations, pairwise

from kiosk.colour_vision import (
    Lab,
    Rgb,
    Vision,
    closest_pairs,
    delta_e_2000,
    luma,
    simulate,
    to_lab,
)
from kiosk.theme import PALETTE, contrast_ratio, hex_rgb, rgb_hex

log = logging.getLogger("hymy-face-palette")

# Very unhappy .. very happy: what each face should look like, and the hues (CIELAB h, degrees)
# it may move within while it looks for room.
ANCHORS = ("#6e0f2a", "#c4531c", "#f0c030", "#4ee89a")
HUE_BANDS = ((320.0, 40.0), (40.0, 72.0), (78.0, 105.0), (130.0, 175.0))
MIN_CHROMA = 35.0
MIN_INK_CONTRAST = 4.5
MIN_LIGHTNESS_STEP = 10.0  # CIE L*, 0..100
MIN_LUMA_STEP = 20.0  # the grey of a greyscale print, 0..255


@dataclass(frozen=True)
class Candidate:
    rgb: Rgb
    lab: Lab
    seen: dict[Vision, Lab]

    @property
    def hex(self) -> str:
        return rgb_hex(self.rgb)


def hue(lab: Lab) -> float:
    return math.degrees(math.atan2(lab[2], lab[1])) % 360


def in_band(h: float, band: tuple[float, float]) -> bool:
    lo, hi = band
    return lo <= h <= hi if lo <= hi else h >= lo or h <= hi


def ink_contrast(rgb: Rgb) -> float:
    """The better of the two inks the faces are drawn with."""
    inks = (hex_rgb(PALETTE.face_ink), hex_rgb(PALETTE.face_ink_light))
    return max(contrast_ratio(rgb, ink) for ink in inks)


def candidates(step: int) -> list[list[Candidate]]:
    """Every grid colour that may stand for each face."""
    levels = sorted({*range(0, 256, step), 255})
    found: list[list[Candidate]] = [[] for _ in HUE_BANDS]
    for r in levels:
        for g in levels:
            for b in levels:
                rgb = (r, g, b)
                lab = to_lab(rgb)
                if math.hypot(lab[1], lab[2]) < MIN_CHROMA or ink_contrast(rgb) < MIN_INK_CONTRAST:
                    continue
                for face, band in enumerate(HUE_BANDS):
                    if in_band(hue(lab), band):
                        seen = {vision: to_lab(simulate(rgb, vision)) for vision in Vision}
                        found[face].append(Candidate(rgb, lab, seen))
    return found


def closest(palette: Sequence[Candidate]) -> float:
    return min(
        delta_e_2000(a.seen[vision], b.seen[vision])
        for a, b in combinations(palette, 2)
        for vision in Vision
    )


def cost(palette: Sequence[Candidate], anchors: Sequence[Lab], target: float) -> float:
    """Distance from the anchors, plus a penalty far larger for every rule broken."""
    away = sum(delta_e_2000(c.lab, a) for c, a in zip(palette, anchors, strict=True))
    short = max(0.0, target - closest(palette))
    steps = sum(
        max(0.0, MIN_LIGHTNESS_STEP - (b.lab[0] - a.lab[0]))
        + max(0.0, MIN_LUMA_STEP - (luma(b.rgb) - luma(a.rgb))) / 2
        for a, b in pairwise(palette)
    )
    return away + 1000 * (short + steps)


def search(step: int, target: float, rounds: int = 40_000, seed: int = 14) -> list[Candidate]:
    """Simulated annealing from the anchors over grid neighbours; the lowest cost seen wins."""
    pool = [{c.rgb: c for c in faces} for faces in candidates(step)]
    anchors = [to_lab(hex_rgb(a)) for a in ANCHORS]
    palette = [
        min(faces.values(), key=lambda c, a=a: delta_e_2000(c.lab, a))
        for faces, a in zip(pool, anchors, strict=True)
    ]
    rng = random.Random(seed)
    value = cost(palette, anchors, target)
    best, best_value = palette, value
    for n in range(rounds):
        temperature = 50 * (1 - n / rounds) + 0.01
        face = rng.randrange(len(palette))
        rgb = tuple(c + step * rng.randint(-2, 2) for c in palette[face].rgb)
        moved = pool[face].get(rgb)  # type: ignore[call-overload]
        if moved is None:
            continue
        trial = [*palette[:face], moved, *palette[face + 1 :]]
        trial_value = cost(trial, anchors, target)
        if trial_value < value or rng.random() < math.exp((value - trial_value) / temperature):
            palette, value = trial, trial_value
            if value < best_value:
                best, best_value = palette, value
                log.info("cost %.2f: %s", best_value, " ".join(c.hex for c in best))
    return best


def report(colours: Sequence[str]) -> str:
    rgbs = [hex_rgb(c) for c in colours]
    lines = [
        "  ".join(
            f"{c} L*{to_lab(rgb)[0]:5.1f} grey {luma(rgb):3.0f} ink {ink_contrast(rgb):4.1f}:1"
            for c, rgb in zip(colours, rgbs, strict=True)
        )
    ]
    for vision, (value, a, b) in closest_pairs(rgbs).items():
        seen = " ".join(rgb_hex(simulate(rgb, vision)) for rgb in rgbs)
        lines.append(
            f"{vision.value:>13}: closest pair {value:5.1f} ΔE00 "
            f"({rgb_hex(a)}, {rgb_hex(b)}); seen as {seen}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--search", action="store_true", help="search instead of checking")
    parser.add_argument("--step", type=int, default=6, help="sRGB grid step (default 6)")
    parser.add_argument("--target", type=float, default=21.0, help="ΔE00 every pair must keep")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.search:
        colours = [c.hex for c in search(args.step, args.target)]
    else:
        colours = [PALETTE.face(rating) for rating in (1, 2, 3, 4)]
    log.info("%s", report(colours))


if __name__ == "__main__":
    main()

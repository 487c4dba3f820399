"""A screenshot as people with protanopia, deuteranopia and tritanopia see it.

    python -m hymy_dev.simulate_vision shots/1280x720-rating.png --out /tmp/cvd

writes `1280x720-rating-protanopia.png`, `-deuteranopia.png` and `-tritanopia.png` beside each
other in --out (default: beside the screenshot), by the same simulation the face palette's test
uses (kiosk.colour_vision: Machado et al. 2009, in linear RGB). To look at, not to measure.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence
from pathlib import Path

from PIL import Image

from kiosk.colour_vision import Rgb, Vision, simulate

log = logging.getLogger("hymy-simulate-vision")


def simulated_image(image: Image.Image, vision: Vision) -> Image.Image:
    """A copy of the image with every pixel as this vision sees it."""
    rgb = image.convert("RGB")
    data = rgb.tobytes()
    seen: dict[Rgb, Rgb] = {}  # a screenshot has few distinct colours: each is simulated once
    out = bytearray(len(data))
    for i in range(0, len(data), 3):
        pixel = (data[i], data[i + 1], data[i + 2])
        simulated = seen.get(pixel)
        if simulated is None:
            simulated = seen[pixel] = simulate(pixel, vision)
        out[i : i + 3] = bytes(simulated)
    return Image.frombytes("RGB", rgb.size, bytes(out))


def write_simulations(screenshot: Path, out_dir: Path) -> list[Path]:
    """One PNG per colour vision deficiency, named after the screenshot; returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with Image.open(screenshot) as image:
        written = []
        for vision in Vision:
            if vision is Vision.NORMAL:
                continue
            path = out_dir / f"{screenshot.stem}-{vision.value}.png"
            simulated_image(image, vision).save(path)
            written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("screenshots", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, help="folder for the simulations")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for screenshot in args.screenshots:
        for path in write_simulations(screenshot, args.out or screenshot.parent):
            log.info("%s", path)


if __name__ == "__main__":
    main()

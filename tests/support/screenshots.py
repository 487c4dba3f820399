"""What a screenshot of the kiosk must show: the window's size in pixels, and a drawn screen
(text and controls: many colours, no one colour filling it), each screen different from the
others."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

# A drawn screen has antialiased text and faces: hundreds of colours (the emptiest, the touch
# test's canvas, has about 300 at a quarter of its size). A blank or black frame has one or two.
MIN_COLOURS = 100
MAX_ONE_COLOUR = 0.99  # the share of the pixels one colour may fill


def screenshot_problems(paths: list[Path], window: str) -> list[str]:
    """What is wrong with the screenshots of one window size ("800x480"): empty if nothing."""
    width, height = (int(n) for n in window.split("x"))
    problems: list[str] = []
    seen: dict[bytes, str] = {}
    for path in paths:
        with Image.open(path) as image:
            if image.size != (width, height):
                problems.append(f"{path.name}: {image.size[0]}x{image.size[1]}, not {window}")
                continue
            pixels = image.convert("RGB")
        small = pixels.resize((width // 4, height // 4))
        colours = small.getcolors(small.width * small.height) or []
        most = max(count for count, _ in colours) / (small.width * small.height)
        if len(colours) < MIN_COLOURS or most > MAX_ONE_COLOUR:
            problems.append(f"{path.name}: blank ({len(colours)} colours, one fills {most:.0%})")
        same_as = seen.setdefault(pixels.tobytes(), path.name)
        if same_as != path.name:
            problems.append(f"{path.name}: the same picture as {same_as}")
    return problems

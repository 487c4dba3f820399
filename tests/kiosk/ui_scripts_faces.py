"""Scripts for the face palette's UI test: the faces as the real app draws them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from kivy.uix.widget import Widget

from hymy_dev.autopilot import Autopilot
from kiosk.ui.widgets.smiley import SmileyFace


def _window_point(face: SmileyFace, height: float) -> tuple[float, float]:
    """The face's centre in the screenshot: screens are relative layouts, and images start at the
    top."""
    x, y = face.to_window(*face.center)
    return x, height - y


def _shown(widget: Widget) -> bool:
    while widget is not None and widget is not widget.parent:
        if widget.opacity <= 0:
            return False
        widget = widget.parent
    return True


def _faces(pilot: Autopilot) -> list[list[float]]:
    """[rating, x, y from the top, radius] of each face shown on the screen, in window pixels."""
    height = pilot.app.root.height
    faces = [
        w
        for w in pilot.app.manager.current_screen.walk()
        if isinstance(w, SmileyFace) and _shown(w)
    ]
    return [
        [int(f.rating), *_window_point(f, height), min(f.width, f.height) / 2 - 2] for f in faces
    ]


def faces_on_each_screen(pilot: Autopilot, shots: Path) -> Iterator[float]:
    """Start, rating, and the thank-you screen after a very happy and a very unhappy rating."""
    pilot.notes["faces"] = {}

    def shot(name: str) -> None:
        pilot.screenshot(shots / f"{name}.png")
        pilot.notes["faces"][name] = _faces(pilot)

    shot("start")
    for rating in (4, 1):
        yield from pilot.touch("start-feedback")
        shot("rating")
        yield from pilot.touch(f"smiley-{rating}")
        if pilot.screen == "reason":
            yield from pilot.touch("skip")
        yield from pilot.touch("skip")
        assert pilot.screen == "thanks", pilot.screen
        shot(f"thanks-{rating}")
        pilot.tap_center()
        yield from pilot.settle()

"""Scripted visits for tests/kiosk/test_ui_national.py (played with kiosk_run("ui_scripts_national:
NAME")): the national question set on the real kiosk, measured as tests/kiosk/test_ui_large.py
measures every visitor screen."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from hymy_dev.autopilot import Autopilot
from tests.kiosk.ui_scripts_large import measure


def _box(widget: object) -> list[float]:
    x, y = widget.to_window(widget.x, widget.y)
    return [round(x), round(y), round(widget.width), round(widget.height)]


def _numbers(pilot: Autopilot) -> dict:
    """The recommendation's eleven numbers where they are drawn, and its two ends' words."""
    screen = pilot.app.manager.current_screen
    return {
        "numbers": {str(v): _box(pilot.find(f"recommend-{v}")) for v in range(11)},
        "low": screen.ids.low.text,
        "high": screen.ids.high.text,
        "touch_min": pilot.app.touch_min,
    }


def _screen(pilot: Autopilot, name: str, large: bool, shots: Path | None, size: str) -> dict:
    seen = measure(pilot, name, large=large)
    if shots is not None:
        pilot.screenshot(shots / f"{size}-{name}{'-large' if large else ''}.png")
    return seen


def national_layout(pilot: Autopilot, shots: Path | None = None) -> Iterator[float]:
    """The start card, the recommendation and a statement, in normal and in large text."""
    size = "x".join(str(int(v)) for v in pilot.app.root.size)
    for large in (False, True):
        key = "large" if large else "normal"
        if large:
            yield from pilot.touch("large-text")
        pilot.notes[f"start-{key}"] = _screen(pilot, "national-start", large, shots, size)
        pilot.notes[f"start-controls-{key}"] = pilot.controls()
        yield from pilot.touch("start-feedback")
        yield 0.3  # the words' heights are known a frame after they are drawn
        pilot.notes[f"recommend-screen-{key}"] = pilot.screen
        pilot.notes[f"recommend-{key}"] = {
            **_numbers(pilot),
            **_screen(pilot, "recommend", large, shots, size),
        }
        yield from pilot.touch("recommend-8")
        yield 0.3
        pilot.notes[f"statement-screen-{key}"] = pilot.screen
        pilot.notes[f"statement-{key}"] = {
            "steps": {c: _box(pilot.find(c)) for c in pilot.controls() if c.startswith("agree-")},
            "words": [pilot.find(f"agree-{s}").word for s in range(1, 6)],
            **_screen(pilot, "statement", large, shots, size),
        }
        yield from pilot.touch("back")
        yield from pilot.touch("back")
        pilot.notes[f"back-{key}"] = pilot.screen

"""The national question set's screens, for docs/screenshots (hymy_dev.kiosk_demo --tour): the
example kiosk asking the example set (`example_questions`), as a kiosk of a site on the
national model does: `<prefix>-national-start.png`, `-recommend`, `-statement`, `-statement-sv`,
`-national-thanks` and, in large text, `-large-recommend` and `-large-statement`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hymy_dev.autopilot import Autopilot

FRAME_S = 0.3  # a list's rows take their height a frame after their words are drawn


def example_questions() -> dict[str, Any]:
    """The example set (`hymy-central example questions`) as a kiosk config's `questions`: the
    site file's `[questions]` without its `set`, as the central sends it."""
    from central.site_questions import example_questions as site_table

    questions = site_table()
    questions.pop("set")
    return questions


def national_tour(pilot: Autopilot, shots: Path, prefix: str) -> Iterator[float]:
    def shot(name: str) -> Iterator[float]:
        yield FRAME_S
        pilot.screenshot(shots / f"{prefix}-{name}.png")

    yield from shot("national-start")
    yield from pilot.touch("start-feedback")
    yield from shot("recommend")
    yield from pilot.touch("recommend-9")
    yield from shot("statement")
    yield from pilot.touch("lang-sv")
    yield from shot("statement-sv")
    yield from pilot.touch("lang-fi")
    yield from pilot.touch("back")
    yield from pilot.touch("large-text")
    yield from shot("large-recommend")
    yield from pilot.touch("recommend-9")
    yield from shot("large-statement")
    yield from pilot.touch("large-text")
    yield from pilot.touch("stop-answering")
    yield from shot("national-thanks")

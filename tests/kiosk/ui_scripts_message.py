"""Scripted visits for tests/kiosk/test_ui_message.py (played with kiosk_run("ui_scripts_message:
NAME")): the site's "You said, we did" message on the start screen, in each language and in
large text, measured as tests/kiosk/test_ui_large.py measures every visitor screen."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from hymy_dev.autopilot import Autopilot
from tests.kiosk.ui_scripts_large import measure
from tests.kiosk.ui_scripts_screens import _shown


def _message(pilot: Autopilot) -> dict:
    screen = pilot.app.manager.current_screen
    return {
        "heading": _shown(screen.ids.message_heading),
        "text": _shown(screen.ids.message_text),
        "panel_height": screen.ids.message_panel.height,
        "hidden": screen.ids.message_panel.hidden,
        "cards": {card: _box(pilot.find(card)) for card in ("start-check-in", "start-feedback")},
    }


def _box(widget: object) -> list[float]:
    x, y = widget.to_window(widget.x, widget.y)
    return [round(x), round(y), round(widget.width), round(widget.height)]


def start_screen_message(pilot: Autopilot, shots: Path | None = None) -> Iterator[float]:
    """The message in every language the kiosk offers, then in large text; a screenshot of each
    in Finnish and Swedish."""
    size = "x".join(str(int(v)) for v in pilot.app.root.size)
    for language in pilot.app.kiosk_config.kiosk.languages:
        if pilot.app.lang != language:
            yield from pilot.touch(f"lang-{language}")
        yield 0.3
        assert pilot.app.lang == language, (language, pilot.app.lang)
        pilot.notes[language] = _message(pilot)
        pilot.notes[f"faults-{language}"] = measure(pilot, "start", large=False)["faults"]
        if shots is not None and language in ("fi", "sv"):
            pilot.screenshot(shots / f"{size}-start-message-{language}.png")
    yield from pilot.touch("lang-fi")
    yield from pilot.touch("large-text")
    yield 0.3
    pilot.notes["large"] = _message(pilot)
    pilot.notes["faults-large"] = measure(pilot, "start", large=True)["faults"]
    if shots is not None:
        pilot.screenshot(shots / f"{size}-start-message-large.png")

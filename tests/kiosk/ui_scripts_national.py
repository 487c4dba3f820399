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
        yield from pilot.touch("back")  # past the first question: the 8 given is kept
        pilot.notes[f"back-{key}"] = pilot.screen
        pilot.tap_center()  # done on the thank-you screen
        yield from pilot.settle()


def _answer(pilot: Autopilot, *controls: str) -> Iterator[float]:
    for control in controls:
        yield from pilot.touch(control)


def national_visits(pilot: Autopilot, shots: Path | None = None) -> Iterator[float]:
    """Three visitors on a site that asks the national set: in Finnish, one changes an answer
    and stops after two statements; in Swedish, one walks away after the first statement; in
    Finnish, one answers everything and leaves a comment."""
    size = "x".join(str(int(v)) for v in pilot.app.root.size)
    # 1. fi: 9; "kohtelu" 4; "sain-apua" I cannot say, then back and 5 instead; stop.
    yield from _answer(pilot, "start-feedback", "recommend-9", "agree-4", "cannot-say")
    yield from pilot.touch("back")
    pilot.notes["back-chosen"] = pilot.app.manager.current_screen.chosen  # 0: I cannot say
    yield from _answer(pilot, "agree-5", "stop-answering")
    pilot.notes["after-stop"] = pilot.screen
    yield 0.3
    if shots is not None:
        pilot.screenshot(shots / f"{size}-national-thanks-fi.png")
    pilot.tap_center()  # done: the next visitor need not wait
    yield from pilot.settle()
    # 2. sv: 3; "kohtelu" 2; then the visitor walks away.
    yield from _answer(pilot, "lang-sv", "start-feedback")
    yield 0.3
    pilot.notes["sv-question"] = pilot.app.manager.current_screen.question
    if shots is not None:
        pilot.screenshot(shots / f"{size}-recommend-sv.png")
    yield from _answer(pilot, "recommend-3")
    yield 0.3
    pilot.notes["sv-statement"] = [pilot.find(f"agree-{s}").word for s in (1, 5)]
    if shots is not None:
        pilot.screenshot(shots / f"{size}-statement-sv.png")
    yield from _answer(pilot, "agree-2")
    waited = 0.0
    while pilot.screen != "start" and waited < 30:
        yield 0.25
        waited += 0.25
    pilot.notes["walked-away"] = pilot.screen
    yield from pilot.settle()
    # 3. fi: 10 and every statement 5, then a comment.
    yield from _answer(pilot, "start-feedback", "recommend-10")
    while pilot.screen == "statement":
        yield from pilot.touch("agree-5")
    pilot.notes["last"] = pilot.screen
    yield from pilot.type_text("hyvä palvelu")
    yield from pilot.touch("send")
    pilot.notes["end"] = pilot.screen
    yield 0.5


def national_by_keypad(pilot: Autopilot, shots: Path | None = None) -> Iterator[float]:
    """The national set in speech mode with a USB keypad's keys only, in Swedish: 7, a
    statement 4, the next 1 (the focus starts on a statement's first step), back to that one,
    then "Stop and send"; notes what was said under "said"."""
    from tests.kiosk.ui_scripts_nav import (
        _choose,
        _focused,
        _note,
        _said,
        _speech_on,
        _until,
        keypad_keys,
    )

    keys = keypad_keys(pilot)
    start = len(_said(pilot))
    yield from _speech_on(pilot, keys, "sv")
    yield from _choose(pilot, keys, "start-feedback", "recommend")
    yield from _choose(pilot, keys, "recommend-7", "statement")
    yield from _choose(pilot, keys, "agree-4", "statement")
    before = pilot.app.manager.current_screen.question
    pilot.notes["first-focus"] = _focused(pilot)
    keys.select()  # on the first step of the next statement
    yield from _until(
        pilot, lambda: pilot.app.manager.current_screen.question != before, "the next statement"
    )
    yield from pilot.settle()
    keys.back()
    yield from _until(
        pilot, lambda: pilot.app.manager.current_screen.question == before, "the statement before"
    )
    yield from pilot.settle()
    pilot.notes["back-chosen"] = pilot.app.manager.current_screen.chosen
    yield from _choose(pilot, keys, "stop-answering", "thanks")
    _note(pilot, "said", start)

"""Scripted visits without sight, played on the real app (tests/kiosk/test_ui_nav.py): speech
mode switched on and every screen driven with the button panel's lines (on a pseudo-terminal,
through `PanelRelay`) or a USB keypad's keys only, while the fake speech records what was said.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from hymy_dev.autopilot import Autopilot
from kiosk.devices.panel import HOLD_S

LANGUAGES = ("fi", "sv", "en")
WAIT_S = 15.0


def _until(pilot: Autopilot, done: Callable[[], bool], what: str) -> Iterator[float]:
    deadline = time.monotonic() + WAIT_S
    while not done():
        assert time.monotonic() < deadline, f"waited in vain for {what} on {pilot.screen!r}"
        yield 0.05


def _said(pilot: Autopilot) -> list[tuple[str, str]]:
    return pilot.app.devices.speech.said


def _focused(pilot: Autopilot) -> str:
    widget = pilot.app.assisted.focus.focused
    return widget.control if widget is not None else ""


@dataclass
class Keys:
    """How a visitor's hands reach the kiosk: start speech mode, move, choose, back, repeat."""

    start: Callable[[], Iterator[float]]
    next: Callable[[], None]
    select: Callable[[], None]
    back: Callable[[], None]
    repeat: Callable[[], Iterator[float]]


def panel_keys(pilot: Autopilot) -> Keys:
    def press(key: int) -> None:
        pilot.panel(f"D{key}")
        pilot.panel(f"U{key}")

    def hold() -> Iterator[float]:
        pilot.panel("D1")
        yield HOLD_S + 0.4
        pilot.panel("U1")

    return Keys(hold, lambda: press(2), lambda: press(3), lambda: press(4), hold)


def keypad_keys(pilot: Autopilot) -> Keys:
    def once(name: str) -> Iterator[float]:
        pilot.key(name)
        yield 0.05

    return Keys(
        lambda: once("numpad7"),  # any key of the keypad
        lambda: pilot.key("numpad2"),
        lambda: pilot.key("numpadenter"),
        lambda: pilot.key("numpad0"),
        lambda: once("numpadadd"),
    )


def _said_since(pilot: Autopilot, count: int) -> Iterator[float]:
    yield from _until(pilot, lambda: len(_said(pilot)) > count, "speech")


def _focus_to(pilot: Autopilot, keys: Keys, control: str) -> Iterator[float]:
    """Press next until `control` has the focus (as a visitor does, listening)."""
    seen = []
    for _ in range(50):
        seen.append(_focused(pilot))
        if _focused(pilot) == control:
            return
        before = _focused(pilot)
        keys.next()
        yield from _until(pilot, lambda b=before: _focused(pilot) != b, "the focus to move on")
    order = [w.control for w in pilot.app.assisted.focus.focusables()]
    raise AssertionError(f"{control!r} never got the focus: {order}; visited {seen}")


def _choose(pilot: Autopilot, keys: Keys, control: str, then: str) -> Iterator[float]:
    yield from _focus_to(pilot, keys, control)
    keys.select()
    yield from _until(pilot, lambda: pilot.screen == then, f"the {then!r} screen")
    if pilot.app.session.view.assisted:  # speech mode ends for the next visitor at the start
        yield from _until(pilot, lambda: pilot.app.assisted.focus.focused is not None, "focus")
    yield from pilot.settle()


def _speech_on(pilot: Autopilot, keys: Keys, language: str) -> Iterator[float]:
    assert pilot.screen == "start" and not pilot.app.session.view.assisted
    yield from keys.start()
    yield from _until(pilot, lambda: pilot.app.session.view.assisted, "speech mode")
    if language != pilot.app.lang:
        yield from _focus_to(pilot, keys, f"lang-{language}")
        keys.select()
        yield from _until(pilot, lambda: pilot.app.lang == language, f"the language {language}")
    yield from pilot.settle()


def _note(pilot: Autopilot, key: str, start: int) -> None:
    pilot.notes.setdefault(key, []).extend(text for _lang, text in _said(pilot)[start:])


def _visit(pilot: Autopilot, keys: Keys, language: str) -> Iterator[float]:
    """A rating (happy, the first reason, no comment) and a check-in at the first service point,
    in `language`, with the keys only; notes what was said under "<language>-rating" and
    "<language>-check-in"."""
    start = len(_said(pilot))
    yield from _speech_on(pilot, keys, language)
    yield from _choose(pilot, keys, "start-feedback", "rating")
    yield from _choose(pilot, keys, "smiley-3", "reason")
    yield from _choose(pilot, keys, pilot.first_control("reason-"), "comment")
    yield from _choose(pilot, keys, "skip", "thanks")
    _note(pilot, f"{language}-rating", start)
    keys.back()  # the thank-you screen: back to the start for the next visitor
    yield from _until(pilot, lambda: pilot.screen == "start", "the start screen")
    yield from pilot.settle()

    start = len(_said(pilot))
    yield from _speech_on(pilot, keys, language)
    yield from _choose(pilot, keys, "start-check-in", "service_point")
    yield from _choose(pilot, keys, pilot.first_control("service-point-"), "ticket")
    yield from _until(pilot, lambda: pilot.app.session.view.ticket is not None, "the ticket")
    count = len(_said(pilot))
    yield from keys.repeat()
    yield from _said_since(pilot, count)
    _note(pilot, f"{language}-check-in", start)
    pilot.notes.setdefault("tickets", []).append(pilot.app.session.view.ticket)
    yield from _choose(pilot, keys, "done", "start")


def _visits(pilot: Autopilot, keys: Keys, shots: Path | None) -> Iterator[float]:
    for language in LANGUAGES:
        yield from _visit(pilot, keys, language)


def panel_visits(pilot: Autopilot, shots: Path | None = None) -> Iterator[float]:
    """In fi, sv and en: a rating and a check-in with the panel's lines only; then one quick
    rating outside speech mode ("B4"), as the first panels send it."""
    yield from _visits(pilot, panel_keys(pilot), shots)
    before = len(_said(pilot))
    pilot.panel("B4")
    yield from _until(pilot, lambda: pilot.screen == "thanks", "the quick rating's thanks")
    pilot.notes["said_after_quick_rating"] = len(_said(pilot)) - before


def keypad_visits(pilot: Autopilot, shots: Path | None = None) -> Iterator[float]:
    """In fi, sv and en: a rating and a check-in with the keypad's keys only."""
    yield from _visits(pilot, keypad_keys(pilot), shots)


def _frame_shot(pilot: Autopilot, shots: Path, name: str) -> None:
    """A screenshot with the focused control's window rectangle noted beside it."""
    widget = pilot.app.assisted.focus.focused
    x, y = widget.to_window(widget.x, widget.y)
    pilot.notes.setdefault("frames", {})[name] = {
        "control": widget.control,
        "rect": [x, y, widget.width, widget.height],
        "band": pilot.app.assisted.focus._frame.band,
    }
    pilot.screenshot(shots / f"{name}.png")


def focus_frames_in_large_text(pilot: Autopilot, shots: Path) -> Iterator[float]:
    """As focus_frames, with the visitor's large text on (it lasts until the start screen)."""
    pilot.app.session.set_large_text(True)
    yield from pilot.settle()
    yield from focus_frames(pilot, shots)


def focus_frames(pilot: Autopilot, shots: Path) -> Iterator[float]:
    """Screenshots: the start screen without speech mode (no frame), then the frame on a dark
    card, on a white smiley and on a dark service point button."""
    pilot.screenshot(shots / "no-speech-mode.png")
    keys = keypad_keys(pilot)
    yield from _speech_on(pilot, keys, "fi")
    yield 0.3
    _frame_shot(pilot, shots, "start-card")
    yield from _choose(pilot, keys, "start-feedback", "rating")
    yield from _focus_to(pilot, keys, "smiley-3")
    yield 0.3
    _frame_shot(pilot, shots, "rating-smiley")
    keys.back()
    yield from _until(pilot, lambda: pilot.screen == "start", "the start screen")
    yield from _choose(pilot, keys, "start-check-in", "service_point")
    yield from _focus_to(pilot, keys, pilot.first_control("service-point-"))
    keys.next()
    yield 0.3
    _frame_shot(pilot, shots, "service-point")
    keys.select()
    yield from _until(pilot, lambda: pilot.app.session.view.ticket is not None, "the ticket")
    yield from pilot.settle()
    yield 0.3
    _frame_shot(pilot, shots, "ticket-done")


def espeak_visit(pilot: Autopilot) -> Iterator[float]:
    """A check-in with the keypad while espeak-ng writes what is said into WAV files."""
    keys = keypad_keys(pilot)
    yield from _speech_on(pilot, keys, "fi")
    yield from _choose(pilot, keys, "start-check-in", "service_point")
    yield from _choose(pilot, keys, pilot.first_control("service-point-"), "ticket")
    yield from _until(pilot, lambda: pilot.app.session.view.ticket is not None, "the ticket")
    speech = pilot.app.devices.speech
    yield from _until(pilot, lambda: speech.wait_until_quiet(0.01), "speech to end")
    pilot.notes["ticket"] = pilot.app.session.view.ticket


def time_warning_in_speech_mode(pilot: Autopilot) -> Iterator[float]:
    """The real time warning in speech mode: it is spoken and its Continue holds the focus; any
    key keeps the visitor on the rating screen, with the focus where it was before."""
    keys = keypad_keys(pilot)
    yield from _speech_on(pilot, keys, "fi")
    yield from _choose(pilot, keys, "start-feedback", "rating")
    yield from _focus_to(pilot, keys, "smiley-4")
    start = len(_said(pilot))
    warning = pilot.app.time_warning
    yield from _until(pilot, lambda: warning.shown, "the time warning")
    yield from _said_since(pilot, start)
    yield 0.2
    pilot.notes["said_with_warning"] = [text for _lang, text in _said(pilot)[start:]]
    pilot.notes["with_warning"] = _focused(pilot)
    keys.next()  # any key means "I am still here": the warning goes, nothing else happens
    yield from _until(pilot, lambda: not warning.shown, "the warning to go")
    yield 0.3
    pilot.notes["after_warning"] = _focused(pilot)
    pilot.notes["screen"] = pilot.screen


def overlay_in_the_screen_holds_the_focus(pilot: Autopilot) -> Iterator[float]:
    """An overlay inside the screen, handed over with `overlay_shown`, holds the focus alone."""
    from kivy.factory import Factory
    from kivy.uix.anchorlayout import AnchorLayout

    keys = keypad_keys(pilot)
    yield from _speech_on(pilot, keys, "en")
    yield from _choose(pilot, keys, "start-feedback", "rating")
    overlay = AnchorLayout()
    overlay.add_widget(Factory.PrimaryButton(control="more-time", text="Continue"))
    pilot.app.manager.current_screen.add_widget(overlay)
    pilot.app.assisted.overlay_shown(overlay)
    yield 0.2
    keys.next()
    yield 0.1
    pilot.notes["with_overlay"] = _focused(pilot)
    pilot.notes["said_with_overlay"] = _said(pilot)[-1][1]
    pilot.app.manager.current_screen.remove_widget(overlay)
    pilot.app.assisted.overlay_hidden()
    yield 0.2
    pilot.notes["after_overlay"] = _focused(pilot)

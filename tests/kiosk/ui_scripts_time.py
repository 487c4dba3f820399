"""Scripted visits for the time to finish (tests/kiosk/test_ui_time.py): the warning before a
time-out, Continue, a comment kept on walk-away, a ticket that did not print waiting for Done.
The tests run them with short time-outs; each waits for the kiosk's own clock, never a guess."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

from hymy_dev.autopilot import Autopilot

WAIT_S = 60.0  # a bound on any wait for the kiosk to act by itself


def _expect(pilot: Autopilot, screen: str) -> None:
    assert pilot.screen == screen, (
        f"expected the {screen!r} screen, the kiosk shows {pilot.screen!r}"
    )


def _until(what: str, check: Callable[[], bool]) -> Iterator[float]:
    deadline = time.monotonic() + WAIT_S
    while not check():
        assert time.monotonic() < deadline, f"waited {WAIT_S:.0f} s for {what}"
        yield 0.05


def _warned(pilot: Autopilot) -> bool:
    return pilot.app.time_warning.shown


def _wait_for_warning(pilot: Autopilot) -> Iterator[float]:
    """Wait until the warning is up; note the screen under it and what it says."""
    screen = pilot.screen
    yield from _until("the warning", lambda: _warned(pilot) or pilot.screen != screen)
    _expect(pilot, screen)  # warned on the visitor's screen, before any reset
    assert pilot.app.session.view.warning
    yield 0.3  # a few frames: the overlay drawn, its countdown ticking
    warning = pilot.app.time_warning
    pilot.notes.setdefault("warnings", []).append(
        {
            "screen": pilot.screen,
            "texts": [w.text for w in warning.walk() if getattr(w, "text", "")],
            "seconds_left": warning.seconds_left,
            "controls": [w.control for w in warning.walk() if getattr(w, "control", "")],
            "button_height": warning.ids.more_time.height,
            "touch_min": pilot.app.touch_min,
        }
    )


def _continue(pilot: Autopilot) -> Iterator[float]:
    button = pilot.app.time_warning.ids.more_time
    pilot.tap_at(*button.to_window(*button.center))
    yield from pilot.settle()
    assert not _warned(pilot), "Continue must close the warning"


def _to_comment(pilot: Autopilot, rating: int) -> Iterator[float]:
    yield from pilot.touch("start-feedback")
    yield from pilot.touch(f"smiley-{rating}")
    if pilot.screen == "reason":
        yield from pilot.touch("skip")
    _expect(pilot, "comment")


def _typed(pilot: Autopilot) -> str:
    return pilot.app.manager.current_screen.ids.comment.text


def warning_and_continue(pilot: Autopilot) -> Iterator[float]:
    """A language chosen at start, a rating screen, a comment half typed: each is warned before
    its reset; Continue (or a touch beside it) keeps the visitor there with what they chose and
    typed. The comment is then finished and sent."""
    yield from pilot.touch("lang-sv")
    yield from _wait_for_warning(pilot)
    yield from _continue(pilot)
    _expect(pilot, "start")
    pilot.notes["language_kept"] = pilot.app.lang

    yield from pilot.touch("start-feedback")
    yield from _wait_for_warning(pilot)
    pilot.tap_at(4, 4)  # a touch beside the button: "I am still here" too
    yield from pilot.settle()
    assert not _warned(pilot)
    _expect(pilot, "rating")
    yield from pilot.touch("smiley-4")
    if pilot.screen == "reason":
        yield from pilot.touch("skip")
    _expect(pilot, "comment")

    yield from pilot.type_text("bra service")
    yield from _wait_for_warning(pilot)
    yield from _continue(pilot)
    _expect(pilot, "comment")
    pilot.notes["kept"] = _typed(pilot)
    yield from pilot.type_text(" tack")
    pilot.notes["typed"] = _typed(pilot)
    yield from pilot.touch("send")
    _expect(pilot, "thanks")
    # The thank-you screen's short time-out goes without a warning: nothing is lost there.
    yield from _until("the start screen", lambda: pilot.screen == "start" or _warned(pilot))
    pilot.notes["warned_on_thanks"] = _warned(pilot)
    _expect(pilot, "start")


def walk_away_from_a_comment(pilot: Autopilot) -> Iterator[float]:
    """A visitor rates, types half a comment with a phone number and walks away."""
    yield from _to_comment(pilot, 2)
    yield from pilot.type_text("jonotin tunnin, soita 040 123 4567")
    pilot.notes["typed"] = _typed(pilot)
    yield from _wait_for_warning(pilot)
    yield from _until("the reset", lambda: pilot.screen == "start")
    assert not _warned(pilot), "the warning goes with the reset"
    yield from pilot.settle()


def unprinted_ticket_waits(pilot: Autopilot) -> Iterator[float]:
    """A check-in with the printer out of paper: the number stays past the ticket time-out, with
    no warning, until Done."""
    yield from pilot.touch("start-check-in")
    yield from pilot.touch("service-point-laboratorio")
    _expect(pilot, "ticket")
    yield from _until("the printer", lambda: pilot.app.session.view.printed is not None)
    pilot.notes["printed"] = pilot.app.session.view.printed
    ticket_s = pilot.app.kiosk_config.timeouts.ticket
    waited_from = time.monotonic()
    while time.monotonic() - waited_from < ticket_s * 2:  # well past the usual time-out
        assert pilot.screen == "ticket", "an unprinted ticket must wait for Done"
        assert not _warned(pilot)
        yield 0.2
    pilot.notes["ticket"] = pilot.app.manager.current_screen.ticket
    pilot.notes["stayed_s"] = time.monotonic() - waited_from
    yield from pilot.touch("done")
    _expect(pilot, "start")


def warning_shots(pilot: Autopilot, shots: Path) -> Iterator[float]:
    """The warning over the comment screen with a comment begun, in Finnish, then Swedish."""
    for language in ("fi", "sv"):
        yield from pilot.touch(f"lang-{language}")
        yield from _to_comment(pilot, 3)
        yield from pilot.type_text("hyvä palvelu" if language == "fi" else "bra service")
        yield from _wait_for_warning(pilot)
        pilot.window_screenshot(shots / f"time-warning-{language}.png")
        yield from _continue(pilot)
        yield from pilot.touch("skip")
        pilot.tap_center()
        yield from pilot.settle()
        yield from _until("the start screen", lambda: pilot.screen == "start")

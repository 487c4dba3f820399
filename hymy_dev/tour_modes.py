"""The visitor screens in the kiosk's other modes, for docs/screenshots (hymy_dev.kiosk_demo
--tour): large text (`<prefix>-large-<screen>.png`), speech mode with its focus frame
(`<prefix>-speech-<screen>.png`) and the time warning (`<prefix>-time-warning.png`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from hymy_dev.autopilot import Autopilot
from hymy_dev.tour import visitor_screens

Shot = Callable[[str], None]


def large_text_tour(pilot: Autopilot, shots: Path, prefix: str) -> Iterator[float]:
    def again() -> Iterator[float]:
        if not pilot.app.session.view.large_text:
            yield from pilot.touch("large-text")

    yield from _in_mode(pilot, _shooter(pilot, shots, f"{prefix}-large"), again)


def speech_tour(pilot: Autopilot, shots: Path, prefix: str) -> Iterator[float]:
    """Speech mode (a keypad key starts it): each screen with the focus frame on its first
    control, as a visitor without sight meets it."""
    base = _shooter(pilot, shots, f"{prefix}-speech")

    def again() -> Iterator[float]:
        if not pilot.app.session.view.assisted:
            pilot.key("numpad5")
            yield 0.3
            yield from pilot.settle()

    def shot(name: str) -> None:
        focus = pilot.app.assisted.focus
        if focus.focused is None:
            focus.first()
        base(name)

    yield from _in_mode(pilot, shot, again)


def time_warning_tour(pilot: Autopilot, shots: Path, prefix: str) -> Iterator[float]:
    """The warning before a reset, over the rating screen (the whole window: it is an overlay)."""
    yield from pilot.touch("start-feedback")
    warning = pilot.app.time_warning
    while not warning.shown:
        yield 0.25
    yield 0.5
    pilot.window_screenshot(shots / f"{prefix}-time-warning.png")
    pilot.tap_center()
    yield from pilot.settle()


def _in_mode(pilot: Autopilot, shot: Shot, again: Callable[[], Iterator[float]]) -> Iterator[float]:
    yield from again()
    shot("start")
    yield from visitor_screens(pilot, shot, again, rating=2, comment="Jonotin lähes tunnin")


def _shooter(pilot: Autopilot, shots: Path, prefix: str) -> Shot:
    def shot(name: str) -> None:
        pilot.screenshot(shots / f"{prefix}-{name}.png")

    return shot

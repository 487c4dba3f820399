"""Scripted visits for the demo and for the screenshots in docs/screenshots (kiosk.ui.autopilot)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from kiosk.ui.autopilot import Autopilot


def demo_visit(pilot: Autopilot, shots: Path) -> Iterator[float]:
    """Three visitors: a Finnish rating with a reason and a comment, a Swedish check-in, and an
    English rating that skips the follow-up questions."""
    pilot.screenshot(shots / "01-start.png")
    pilot.tap("start-feedback")
    yield from pilot.settle()
    pilot.screenshot(shots / "02-rating.png")
    pilot.tap("smiley-2")
    yield from pilot.settle()
    pilot.screenshot(shots / "03-reason.png")
    pilot.tap(pilot.first_control("reason-"))
    yield from pilot.settle()
    yield from pilot.type_text("Odotin pitkään, mutta hoito oli hyvää")
    yield from pilot.settle()
    pilot.screenshot(shots / "04-comment.png")
    pilot.tap("send")
    yield from pilot.settle()
    pilot.screenshot(shots / "05-thanks.png")
    pilot.tap_center()
    yield from pilot.settle()
    pilot.tap("lang-sv")
    yield from pilot.settle()
    pilot.tap("start-check-in")
    yield from pilot.settle()
    pilot.screenshot(shots / "06-service-point-sv.png")
    pilot.tap(pilot.first_control("service-point-"))
    yield from pilot.settle()
    pilot.screenshot(shots / "07-ticket-sv.png")
    pilot.tap("done")
    yield from pilot.settle()
    pilot.tap("lang-en")
    yield from pilot.settle()
    pilot.tap("start-feedback")
    yield from pilot.settle()
    pilot.tap("smiley-4")
    yield from pilot.settle()
    pilot.tap("skip")
    yield from pilot.settle()
    pilot.tap("skip")
    yield from pilot.settle()
    pilot.screenshot(shots / "08-thanks-en.png")
    yield from pilot.settle()


def screen_tour(pilot: Autopilot, shots: Path, prefix: str) -> Iterator[float]:
    """Every screen once, for docs/screenshots: `<prefix>-<screen>.png`."""

    def shot(name: str) -> None:
        pilot.screenshot(shots / f"{prefix}-{name}.png")

    shot("start")
    pilot.tap("lang-sv")
    yield from pilot.settle()
    shot("start-sv")
    pilot.tap("lang-en")
    yield from pilot.settle()
    shot("start-en")
    pilot.tap("lang-fi")
    yield from pilot.settle()
    pilot.tap("start-feedback")
    yield from pilot.settle()
    shot("rating")
    pilot.tap("smiley-1")
    yield from pilot.settle()
    shot("reason")
    pilot.tap(pilot.first_control("reason-"))
    yield from pilot.settle()
    yield from pilot.type_text("Jonotin lähes tunnin. Ei kukaan kertonut, että lääkäri on myöhässä")
    yield from pilot.settle()
    shot("comment")
    pilot.tap("send")
    yield from pilot.settle()
    shot("thanks")
    pilot.tap_center()
    yield from pilot.settle()
    pilot.tap("start-check-in")
    yield from pilot.settle()
    shot("service-point")
    pilot.tap(pilot.first_control("service-point-"))
    yield from pilot.settle()
    shot("ticket")
    pilot.tap("done")
    yield from pilot.settle()
    finger = pilot.press("admin-corner")
    yield pilot.app.kiosk_config.admin.long_press_seconds + 0.3
    finger.up()
    yield from pilot.settle()
    yield from enter_pin(pilot, "1111")
    shot("admin-pin")
    yield from enter_pin(pilot, "2468")  # the example config's PIN
    shot("admin")
    pilot.tap("admin-touch-test")
    yield from pilot.settle()
    pilot.tap_at(pilot.app.root.width * 0.3, pilot.app.root.height * 0.4)
    pilot.tap_at(pilot.app.root.width * 0.7, pilot.app.root.height * 0.5)
    yield from pilot.settle()
    shot("touch-test")


def enter_pin(pilot: Autopilot, pin: str) -> Iterator[float]:
    for key in pin:
        pilot.tap(f"pin-{key}")
        yield 0.12
    pilot.tap("pin-ok")
    yield 0.3
    while (
        pilot.app.manager.current_screen.name == "admin_pin"
        and pilot.app.manager.current_screen.checking
    ):
        yield 0.1
    yield from pilot.settle()

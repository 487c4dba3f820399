"""Scripted visits for the demo and for the screenshots in docs/screenshots (hymy_dev.autopilot)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from hymy_dev.autopilot import Autopilot


def demo_visit(pilot: Autopilot, shots: Path) -> Iterator[float]:
    """Three visitors: a Finnish rating with a reason and a comment, a Swedish check-in, and an
    English rating that skips the follow-up questions."""
    pilot.screenshot(shots / "01-start.png")
    yield from pilot.touch("start-feedback")
    pilot.screenshot(shots / "02-rating.png")
    yield from pilot.touch("smiley-2")
    pilot.screenshot(shots / "03-reason.png")
    yield from pilot.touch(pilot.first_control("reason-"))
    yield from pilot.type_text("Odotin pitkään, mutta hoito oli hyvää")
    yield from pilot.settle()
    pilot.screenshot(shots / "04-comment.png")
    yield from pilot.touch("send")
    pilot.screenshot(shots / "05-thanks.png")
    pilot.tap_center()
    yield from pilot.settle()
    yield from pilot.touch("lang-sv")
    yield from pilot.touch("start-check-in")
    pilot.screenshot(shots / "06-service-point-sv.png")
    yield from pilot.touch(pilot.first_control("service-point-"))
    pilot.screenshot(shots / "07-ticket-sv.png")
    yield from pilot.touch("done")
    yield from pilot.touch("lang-en")
    yield from pilot.touch("start-feedback")
    yield from pilot.touch("smiley-4")
    yield from pilot.touch("skip")
    yield from pilot.touch("skip")
    pilot.screenshot(shots / "08-thanks-en.png")
    yield from pilot.settle()


def visitor_screens(
    pilot: Autopilot,
    shot: Callable[[str], None],
    again: Callable[[], Iterator[float]] | None = None,
    *,
    rating: int = 1,
    comment: str = "Jonotin lähes tunnin. Ei kukaan kertonut, että lääkäri on myöhässä",
) -> Iterator[float]:
    """From the start screen, every visitor screen once: a rating with a reason and a comment,
    then a check-in; back on the start screen at the end. `again` puts a mode back on at the
    start screen (large text, speech mode: each lasts for one visitor)."""
    yield from pilot.touch("start-feedback")
    shot("rating")
    yield from pilot.touch(f"smiley-{rating}")
    shot("reason")
    yield from pilot.touch(pilot.first_control("reason-"))
    yield from pilot.type_text(comment)
    yield from pilot.settle()
    shot("comment")
    yield from pilot.touch("send")
    shot("thanks")
    pilot.tap_center()
    while pilot.screen != "start":
        yield 0.1
    yield from pilot.settle()
    if again is not None:
        yield from again()
    yield from pilot.touch("start-check-in")
    shot("service-point")
    yield from pilot.touch(pilot.first_control("service-point-"))
    shot("ticket")
    yield from pilot.touch("done")
    while pilot.screen != "start":
        yield 0.1
    yield from pilot.settle()


def screen_tour(pilot: Autopilot, shots: Path, prefix: str) -> Iterator[float]:
    """Every screen once, for docs/screenshots: `<prefix>-<screen>.png`."""

    def shot(name: str) -> None:
        pilot.screenshot(shots / f"{prefix}-{name}.png")

    shot("start")
    yield from pilot.touch("lang-sv")
    shot("start-sv")
    yield from pilot.touch("lang-en")
    shot("start-en")
    # The language picker (the top bar opens it where more than three languages are configured).
    pilot.app.open_languages()
    yield from pilot.settle()
    shot("languages")
    yield from pilot.touch("back")
    yield from pilot.touch("lang-fi")
    yield from visitor_screens(pilot, shot)
    finger = pilot.press("admin-corner")
    yield pilot.app.kiosk_config.admin.long_press_seconds + 0.3
    finger.up()
    yield from pilot.settle()
    yield from enter_pin(pilot, "1111")
    shot("admin-pin")
    yield from enter_pin(pilot, "2468")  # the example config's PIN
    shot("admin")
    yield from pilot.touch("admin-touch-test")
    pilot.tap_at(pilot.app.root.width * 0.3, pilot.app.root.height * 0.4)
    pilot.tap_at(pilot.app.root.width * 0.7, pilot.app.root.height * 0.5)
    yield from pilot.settle()
    shot("touch-test")


def out_of_order_tour(pilot: Autopilot, shots: Path, prefix: str) -> Iterator[float]:
    """The out-of-order screen (the app was given an outbox it cannot open):
    `<prefix>-out-of-order.png`."""
    if pilot.screen != "out_of_order":
        raise AssertionError(f"expected the out-of-order screen, the kiosk shows {pilot.screen!r}")
    yield from pilot.settle()
    pilot.screenshot(shots / f"{prefix}-out-of-order.png")


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

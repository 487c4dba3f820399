"""Scripted visits that the UI tests play on the real app (see hymy_dev.autopilot).

Each runs inside the kiosk's process: it taps like a finger, asserts what is on screen, and notes
what the test in the parent process checks against the outbox.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from hymy_dev.autopilot import Autopilot
from hymy_dev.tour import enter_pin


def _expect(pilot: Autopilot, screen: str) -> None:
    assert pilot.screen == screen, (
        f"expected the {screen!r} screen, the kiosk shows {pilot.screen!r}"
    )


def rate_in_each_language(pilot: Autopilot) -> Iterator[float]:
    """fi: very happy, sv: unhappy, en: very unhappy; follow-up questions skipped."""
    for language, rating in (("fi", 4), ("sv", 2), ("en", 1)):
        _expect(pilot, "start")
        yield from pilot.touch(f"lang-{language}")
        assert pilot.app.lang == language
        yield from pilot.touch("start-feedback")
        _expect(pilot, "rating")
        yield from pilot.touch(f"smiley-{rating}")
        if pilot.screen == "reason":
            yield from pilot.touch("skip")
        _expect(pilot, "comment")
        yield from pilot.touch("skip")
        _expect(pilot, "thanks")
        pilot.notes.setdefault("thanks_language", []).append(pilot.app.lang)
        thanks = pilot.app.manager.current_screen
        pilot.notes.setdefault("thanks_face", []).append([thanks.rating, thanks.unhappy])
        pilot.tap_center()
        yield from pilot.settle()
    _expect(pilot, "start")
    assert pilot.app.lang == pilot.app.kiosk_config.kiosk.default_language


def reason_comment_and_back(pilot: Autopilot) -> Iterator[float]:
    """A mis-tapped smiley taken back, then a rating with a reason and a comment that holds a
    phone number."""
    yield from pilot.touch("start-feedback")
    yield from pilot.touch("smiley-2")
    _expect(pilot, "reason")
    pilot.tap("back")  # "I meant another face": nothing is recorded
    yield from pilot.settle()
    _expect(pilot, "rating")
    yield from pilot.touch("smiley-1")
    _expect(pilot, "reason")
    reason = pilot.first_control("reason-")
    pilot.notes["reason"] = reason.removeprefix("reason-")
    yield from pilot.touch(reason)
    _expect(pilot, "comment")
    yield from pilot.type_text("jonotin tunnin, soita 040 123 4567. kiitos")
    yield from pilot.settle()
    pilot.notes["typed"] = pilot.app.manager.current_screen.ids.comment.text
    yield from pilot.touch("send")
    _expect(pilot, "thanks")


def keyboard_starts_fresh(pilot: Autopilot) -> Iterator[float]:
    """A visitor leaves the keyboard on digits after typing; the next one finds letters and a
    capital first letter."""
    for visitor in ("first", "next"):
        yield from pilot.touch("start-feedback")
        yield from pilot.touch("smiley-3")
        if pilot.screen == "reason":
            yield from pilot.touch("skip")
        _expect(pilot, "comment")
        screen = pilot.app.manager.current_screen
        keyboard = screen.ids.keyboard
        letter = next(b for b in keyboard._keys() if b.key == "a")
        pilot.notes[visitor] = {
            "symbols": keyboard.symbols,
            "letter": letter.text,
        }
        if visitor == "first":
            yield from pilot.type_text("ok 12")  # ends on the digit layout
            yield from pilot.settle()
            pilot.notes["left"] = {"symbols": keyboard.symbols, "typed": screen.ids.comment.text}
        yield from pilot.touch("send")
        _expect(pilot, "thanks")
        pilot.tap_center()
        yield from pilot.settle()


def check_in_twice(pilot: Autopilot) -> Iterator[float]:
    """Two visitors check in at the same service point and get consecutive numbers."""
    for _ in range(2):
        yield from pilot.touch("start-check-in")
        _expect(pilot, "service_point")
        point = pilot.first_control("service-point-")
        pilot.notes["service_point"] = point.removeprefix("service-point-")
        yield from pilot.touch(point)
        _expect(pilot, "ticket")
        pilot.notes.setdefault("tickets", []).append(pilot.app.manager.current_screen.ticket)
        yield from pilot.touch("done")
        _expect(pilot, "start")


def walk_away(pilot: Autopilot) -> Iterator[float]:
    """A visitor rates, switches to Swedish and walks away at the follow-up question; another walks
    away from the thank-you screen. (The test's config has short timeouts.)"""
    yield from pilot.touch("start-feedback")
    yield from pilot.touch("smiley-2")
    _expect(pilot, "reason")
    yield from pilot.touch("lang-sv")
    inactivity = pilot.app.kiosk_config.timeouts.inactivity
    yield inactivity + 0.8
    _expect(pilot, "start")
    assert pilot.app.lang == pilot.app.kiosk_config.kiosk.default_language
    yield from pilot.touch("start-feedback")
    yield from pilot.touch("smiley-3")
    while pilot.screen != "thanks":
        yield from pilot.touch("skip")
    yield pilot.app.kiosk_config.timeouts.thanks + 0.8
    _expect(pilot, "start")


def admin_pin(pilot: Autopilot) -> Iterator[float]:
    """A short touch in the corner does nothing; a long press opens the PIN pad; a wrong PIN is
    refused; the right one (the example's 2468) opens the admin screen."""
    finger = pilot.press("admin-corner")
    yield 0.5
    finger.up()
    yield from pilot.settle()
    _expect(pilot, "start")
    finger = pilot.press("admin-corner")
    yield pilot.app.kiosk_config.admin.long_press_seconds + 0.4
    finger.up()
    yield from pilot.settle()
    _expect(pilot, "admin_pin")
    yield from enter_pin(pilot, "1357")
    _expect(pilot, "admin_pin")
    pilot.notes["wrong_pin_message"] = pilot.app.manager.current_screen.message
    yield from enter_pin(pilot, "2468")
    _expect(pilot, "admin")
    yield 0.5
    pilot.notes["admin_rows"] = dict(pilot.app.manager.current_screen.rows)
    yield from pilot.touch("admin-back")
    _expect(pilot, "start")


def failed_write(pilot: Autopilot) -> Iterator[float]:
    """The outbox fails under the app (here: closed): the visitor sees a calm apology, no crash."""
    pilot.app.outbox.close()
    yield from pilot.touch("start-feedback")
    yield from pilot.touch("smiley-4")
    while pilot.screen != "thanks":
        yield from pilot.touch("skip")
    pilot.notes["failed"] = pilot.app.manager.current_screen.failed
    pilot.tap_center()
    yield from pilot.settle()
    _expect(pilot, "start")


def new_config_when_idle(pilot: Autopilot) -> Iterator[float]:
    """The central renames the station and adds a service point: nothing changes under a
    visitor's finger; at the next idle moment on the start screen the kiosk shows both."""
    import json

    from kiosk.central_config import CENTRAL_CONFIG_FILE

    app = pilot.app
    watcher = app.config_watcher
    watcher.idle_s = 0.5
    central = {
        "kiosk": {
            "station_name": {
                "fi": "Kalevan hyvinvointiasema",
                "sv": "Kalevas välfärdsstation",
                "en": "Kaleva Wellbeing Centre",
            }
        },
        "service_points": [
            *[
                {"id": p.id, "name": dict(p.name), "prefix": p.prefix, "range": [1, 100]}
                for p in app.kiosk_config.service_points
            ],
            {
                "id": "rokotukset",
                "name": {"fi": "Rokotukset", "sv": "Vaccinationer", "en": "Vaccinations"},
                "prefix": "V",
                "range": [1, 100],
            },
        ],
    }
    yield from pilot.touch("start-feedback")
    (app.outbox.path.parent / CENTRAL_CONFIG_FILE).write_text(json.dumps(central))
    yield 1.0
    assert not watcher.apply_new_config(), "a new config must wait while a visitor is busy"
    pilot.notes["station_while_busy"] = app.station_name
    pilot.tap("back")
    yield from pilot.settle()
    _expect(pilot, "start")
    yield 1.0
    assert watcher.apply_new_config()
    yield from pilot.settle()
    pilot.notes["station_after"] = app.station_name
    yield from pilot.touch("start-check-in")
    _expect(pilot, "service_point")
    pilot.notes["controls"] = sorted(pilot.controls())
    yield from pilot.touch("service-point-rokotukset")
    _expect(pilot, "ticket")
    pilot.notes["ticket"] = app.session.view.ticket


def check_in_and_print(pilot: Autopilot) -> Iterator[float]:
    """A check-in at the laboratory; waits until the printer has answered."""
    yield from pilot.touch("start-check-in")
    yield from pilot.touch("service-point-laboratorio")
    _expect(pilot, "ticket")
    for _ in range(50):
        if pilot.app.session.view.printed is not None:
            break
        yield 0.1
    screen = pilot.app.manager.current_screen
    pilot.notes["ticket"] = screen.ticket
    pilot.notes["printed"] = pilot.app.session.view.printed
    pilot.notes["not_printed_shown"] = screen.not_printed
    pilot.notes["texts"] = [w.text for w in screen.walk() if hasattr(w, "text")]
    yield from pilot.touch("done")


def wait_for_devices(pilot: Autopilot) -> Iterator[float]:
    """Waits on the start screen while the test scans codes and presses panel buttons; notes
    each notice shown and each screen reached."""
    seen: list[str] = []
    data_dir = pilot.app.outbox.path.parent
    (data_dir / "ready").touch()  # the test's hands start now
    for _ in range(400):
        yield 0.1
        mark = pilot.screen + (f":{pilot.app.notice}" if pilot.app.notice else "")
        if not seen or seen[-1] != mark:
            seen.append(mark)
            (data_dir / "seen").write_text("\n".join(seen))
        if pilot.screen == "ticket" and pilot.app.manager.current_screen.ticket:
            pilot.notes["ticket"] = pilot.app.manager.current_screen.ticket
            yield from pilot.touch("done")
        if pilot.screen == "thanks":
            pilot.tap_center()
            yield from pilot.settle()
        if pilot.app.outbox.stats().pending >= 2:
            break
    pilot.notes["seen"] = seen


# --- the kiosk's own edges: no outbox, a failing data dir, admin screens left open ----------


def _wait_for(pilot: Autopilot, screen: str, seconds: float = 60.0) -> Iterator[float]:
    """Wait until the kiosk shows the screen (it changes by itself: a retry, a timeout)."""
    deadline = time.monotonic() + seconds
    while pilot.screen != screen and time.monotonic() < deadline:
        yield 0.2
    _expect(pilot, screen)
    yield from pilot.settle()


def _texts(pilot: Autopilot) -> list[str]:
    screen = pilot.app.manager.current_screen
    return [w.text for w in screen.walk(restrict=True) if getattr(w, "text", "")]


def _rate(pilot: Autopilot, rating: int) -> Iterator[float]:
    """One visitor's quick rating; notes in "thanks" whether the apology was shown."""
    yield from pilot.touch("start-feedback")
    yield from pilot.touch(f"smiley-{rating}")
    while pilot.screen != "thanks":
        yield from pilot.touch("skip")
    pilot.notes.setdefault("thanks", []).append(
        "apology" if pilot.app.manager.current_screen.failed else "thanks"
    )
    pilot.tap_center()
    yield from pilot.settle()
    _expect(pilot, "start")


def _check_in(pilot: Autopilot) -> Iterator[float]:
    yield from pilot.touch("start-check-in")
    yield from pilot.touch(pilot.first_control("service-point-"))
    _expect(pilot, "ticket")
    screen = pilot.app.manager.current_screen
    pilot.notes.setdefault("tickets", []).append("apology" if screen.failed else screen.ticket)
    yield from pilot.touch("done")


def _out_of_order_then_back(pilot: Autopilot, repair) -> Iterator[float]:
    _expect(pilot, "out_of_order")
    pilot.notes["texts"] = _texts(pilot)
    pilot.notes["controls"] = pilot.controls()
    pilot.tap_center()  # a visitor tries it: nothing happens, nothing breaks
    yield from pilot.settle()
    _expect(pilot, "out_of_order")
    repair(pilot.app.outbox_path)
    pilot.app.outbox_retry_s = 0.5
    yield from _wait_for(pilot, "start")
    yield from _rate(pilot, 4)


def out_of_order_until_moved_aside(pilot: Autopilot) -> Iterator[float]:
    """The outbox file is not an outbox: the out-of-order screen until IT moves it aside, then
    the start screen by itself, and a rating lands in the new outbox."""
    yield from _out_of_order_then_back(
        pilot, lambda path: path.rename(path.with_name(f"{path.name}.broken"))
    )


def out_of_order_until_writable(pilot: Autopilot) -> Iterator[float]:
    """The data dir is a read-only mount: out of order until it is writable again."""
    from tests.support.storage import set_read_only

    yield from _out_of_order_then_back(pilot, lambda path: set_read_only(path.parent, False))


def full_disk_while_running(pilot: Autopilot) -> Iterator[float]:
    """The data dir fills up under the running kiosk, and is freed again."""
    from tests.support.storage import fill

    yield from _rate(pilot, 4)
    filler = fill(pilot.app.outbox_path.parent)
    yield from _rate(pilot, 3)
    yield from _rate(pilot, 2)
    yield from _check_in(pilot)
    yield from _open_pin_pad(pilot)  # IT looks on the admin screen
    yield from enter_pin(pilot, "2468")
    yield 0.5
    pilot.notes["admin_rows"] = dict(pilot.app.manager.current_screen.rows)
    yield from pilot.touch("admin-back")
    filler.unlink()
    yield from _rate(pilot, 1)
    yield from _check_in(pilot)


def _open_pin_pad(pilot: Autopilot) -> Iterator[float]:
    finger = pilot.press("admin-corner")
    yield pilot.app.kiosk_config.admin.long_press_seconds + 0.4
    finger.up()
    yield from pilot.settle()
    _expect(pilot, "admin_pin")


def admin_screens_time_out(pilot: Autopilot) -> Iterator[float]:
    """The PIN pad, the admin screen and the touch test, each left open: back to start after
    the config's [timeouts] admin (the test's config makes it short)."""
    timeout = pilot.app.kiosk_config.timeouts.admin
    reached = pilot.notes.setdefault("reached", [])
    yield from _open_pin_pad(pilot)
    reached.append(pilot.screen)
    pilot.tap("pin-1")  # half a PIN typed, then left
    yield from _wait_for(pilot, "start", timeout + 30)
    yield from _open_pin_pad(pilot)
    yield from enter_pin(pilot, "2468")
    _expect(pilot, "admin")
    reached.append(pilot.screen)
    yield from _wait_for(pilot, "start", timeout + 30)
    pilot.notes["start_controls"] = pilot.controls()
    yield from _open_pin_pad(pilot)
    yield from enter_pin(pilot, "2468")
    yield from pilot.touch("admin-touch-test")
    _expect(pilot, "touch_test")
    reached.append(pilot.screen)
    yield from _wait_for(pilot, "start", timeout + 30)
    yield from _rate(pilot, 3)  # and the kiosk works on as before

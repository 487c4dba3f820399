"""Scripted visits for tests/kiosk/test_ui_screens.py (played with kiosk_run("ui_scripts_screens:
NAME")): the ticket card and its printer line, the start screen's faces, help line, logo and
clock, the rating words and the comment screen's notice and counter."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from kivy.uix.label import Label

from hymy_dev.autopilot import Autopilot


def _expect(pilot: Autopilot, screen: str) -> None:
    assert pilot.screen == screen, (
        f"expected the {screen!r} screen, the kiosk shows {pilot.screen!r}"
    )


def _shot(pilot: Autopilot, shots: Path | None, name: str) -> Iterator[float]:
    """A screenshot (use with `yield from`), a few frames after the screen's last change."""
    if shots is not None:
        yield 0.3
        size = "x".join(str(int(v)) for v in pilot.app.root.size)
        pilot.screenshot(shots / f"{size}-{name}.png")


def _shown(widget: object) -> dict:
    """What a test needs to know of a label: its text, and whether a visitor sees all of it
    (in the window, not hidden, its text not cut by its own box)."""
    x, y = widget.to_window(widget.x, widget.y)
    root = widget.get_root_window()
    inside = x >= 0 and y >= 0 and x + widget.width <= root.width + 1
    inside = inside and y + widget.height <= root.height + 1
    fits = (
        widget.texture_size[1] <= widget.height + 1 and widget.texture_size[0] <= widget.width + 1
    )
    return {
        "text": widget.text,
        "visible": bool(widget.text) and widget.opacity > 0 and inside and fits,
        "box": [round(x), round(y), round(widget.width), round(widget.height)],
    }


def _labels(pilot: Autopilot) -> list[dict]:
    screen = pilot.app.manager.current_screen
    return [_shown(w) for w in screen.walk(restrict=True) if isinstance(w, Label) and w.text]


def _check_in_until_printed(pilot: Autopilot, point: str) -> Iterator[float]:
    yield from pilot.touch("start-check-in")
    yield from pilot.touch(f"service-point-{point}")
    _expect(pilot, "ticket")
    for _ in range(100):
        if pilot.app.session.view.printed is not None:
            break
        yield 0.1
    yield from pilot.settle()


def ticket_card(pilot: Autopilot, shots: Path | None = None) -> Iterator[float]:
    """A check-in at dental care (directions with "2. kerroksessa") with whatever printer the
    test gives; notes the card's lines and the printer line as a visitor sees them, in Finnish
    and in Swedish."""
    for language in ("fi", "sv"):
        yield from pilot.touch(f"lang-{language}")
        yield from _check_in_until_printed(pilot, "suun-terveydenhuolto")
        screen = pilot.app.manager.current_screen
        pilot.notes[language] = {
            "printed": pilot.app.session.view.printed,
            "number": _shown(screen.ids.number),
            "point": _shown(screen.ids.point),
            "directions": _shown(screen.ids.directions),
            "paper": _shown(screen.ids.paper),
            "card": [
                round(v)
                for v in (*screen.ids.card.to_window(*screen.ids.card.pos), *screen.ids.card.size)
            ],
        }
        yield from _shot(pilot, shots, f"ticket-{language}")
        yield from pilot.touch("done")
        _expect(pilot, "start")


def rate_from_the_start_screen(pilot: Autopilot) -> Iterator[float]:
    """One touch on the start screen's "Poor" face rates; the follow-up questions skipped."""
    _expect(pilot, "start")
    pilot.notes["start_controls"] = pilot.controls()
    yield from pilot.touch("start-smiley-2")
    pilot.notes["after_touch"] = pilot.screen
    pilot.notes["rating"] = pilot.app.session.view.rating
    while pilot.screen in ("reason", "comment"):
        yield from pilot.touch("skip")
    _expect(pilot, "thanks")
    pilot.app.session.flush()


def start_screen_extras(pilot: Autopilot, shots: Path | None = None) -> Iterator[float]:
    """The help line, the logo and the clock, in Finnish and in Swedish."""
    screen = pilot.app.manager.current_screen
    for language in ("fi", "sv"):
        yield from pilot.touch(f"lang-{language}")
        pilot.notes[language] = {
            "help_line": _shown(
                next(w for w in _label_widgets(screen) if w.text == screen.help_line)
            )
            if screen.help_line
            else None,
            "logo": screen.logo,
            "logo_width": _logo(screen).width,
            "clock": _shown(_clock(screen)) if screen.clock_text else None,
        }
        yield from _shot(pilot, shots, f"start-{language}")


def _clock(screen: object) -> Label:
    """The clock label that shows the time (beside the logo in portrait, else the welcome)."""
    clocks = (screen.ids.clock_beside_logo, screen.ids.clock_beside_welcome)
    return next(clock for clock in clocks if clock.text)


def _label_widgets(screen: object) -> list[Label]:
    return [w for w in screen.walk(restrict=True) if isinstance(w, Label)]


def _logo(screen: object) -> object:
    from kivy.uix.image import Image

    return next(w for w in screen.walk(restrict=True) if isinstance(w, Image))


def rating_words(pilot: Autopilot, shots: Path | None = None) -> Iterator[float]:
    """The rating screen's question and words in each language, and where each face sits."""
    for language in ("fi", "sv", "en"):
        yield from pilot.touch(f"lang-{language}")
        yield from pilot.touch("start-feedback")
        _expect(pilot, "rating")
        faces = {}
        for rating in (4, 3, 2, 1):
            button = pilot.find(f"smiley-{rating}")
            face = button.children[-1]  # the face, then its word
            word = button.children[0]
            faces[rating] = {
                "word": _shown(word),
                "face": [round(v) for v in (*face.to_window(*face.center), min(face.size))],
            }
        pilot.notes[language] = {"labels": [w["text"] for w in _labels(pilot)], "faces": faces}
        yield from _shot(pilot, shots, f"rating-{language}")
        yield from pilot.touch("back")
        _expect(pilot, "start")


def comment_notice_and_counter(pilot: Autopilot, shots: Path | None = None) -> Iterator[float]:
    """The comment screen's notice, its field's height and the counter before and after typing."""
    yield from pilot.touch("start-feedback")
    yield from pilot.touch("smiley-3")
    if pilot.screen == "reason":
        yield from pilot.touch("skip")
    _expect(pilot, "comment")
    screen = pilot.app.manager.current_screen
    pilot.notes["labels"] = _labels(pilot)
    pilot.notes["counter_before"] = _shown(screen.ids.counter)
    yield from pilot.type_text("hoito oli hyvää")
    yield from pilot.settle()
    pilot.notes["typed"] = screen.ids.comment.text
    pilot.notes["counter_after"] = _shown(screen.ids.counter)
    field = screen.ids.comment
    pilot.notes["field"] = {
        "height": field.height,
        "line_height": field.line_height,
        "padding": list(field.padding),
    }
    for language in ("fi", "sv", "en"):
        yield from pilot.touch(f"lang-{language}")
        pilot.notes[language] = {
            "labels": _labels(pilot),
            "notice": _shown(screen.ids.notice),
            "field": [round(v) for v in (*field.to_window(*field.pos), *field.size)],
            "two_lines": field.line_height * 2 + field.padding[1] + field.padding[3],
        }
        yield from _shot(pilot, shots, f"comment-{language}")


def every_screen(pilot: Autopilot, shots: Path | None = None) -> Iterator[float]:
    """The start, rating, ticket and comment screens, noted (and shot when `shots`) one after
    another: the test gives the printer."""
    notes = pilot.notes
    for name, script in (
        ("start", start_screen_extras),
        ("rating", rating_words),
        ("ticket", ticket_card),
        ("comment", comment_notice_and_counter),
    ):
        pilot.notes = {}
        yield from pilot.touch("lang-fi")
        yield from script(pilot, shots)
        notes[name] = pilot.notes
        while pilot.screen != "start":
            yield from pilot.touch("back")
    pilot.notes = notes

"""Scripted visits for the language tests (tests/kiosk/test_ui_lang.py): the picker of a kiosk with
eight languages, a rating and a comment in Ukrainian, and the keyboards of every language."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from hymy_dev.autopilot import Autopilot


def _expect(pilot: Autopilot, screen: str) -> None:
    assert pilot.screen == screen, (
        f"expected the {screen!r} screen, the kiosk shows {pilot.screen!r}"
    )


def _shot(pilot: Autopilot, shots: Path | None, name: str) -> None:
    if shots is not None:
        pilot.notes.setdefault("shots", []).append(str(pilot.screenshot(shots / f"{name}.png")))


def _keys(pilot: Autopilot) -> list:
    return pilot.app.manager.current_screen.ids.keyboard._keys()


def _rate_and_comment(
    pilot: Autopilot, language: str, typed: str, shots: Path | None
) -> Iterator[float]:
    """From the start screen: the picker, the language, a rating of 3 and a typed comment."""
    _expect(pilot, "start")
    yield from pilot.touch("languages")
    _expect(pilot, "languages")
    _shot(pilot, shots, f"languages-from-{pilot.app.lang}")
    yield from pilot.touch(f"language-{language}")
    _expect(pilot, "start")
    assert pilot.app.lang == language
    pilot.notes.setdefault("bar", {})[language] = pilot.find("languages").text
    yield from pilot.touch("start-feedback")
    _expect(pilot, "rating")
    _shot(pilot, shots, f"rating-{language}")
    yield from pilot.touch("smiley-3")
    if pilot.screen == "reason":
        _shot(pilot, shots, f"reason-{language}")
        yield from pilot.touch("skip")
    _expect(pilot, "comment")
    letters = [k.text for k in _keys(pilot) if len(k.key) == 1 and k.key.isalpha()]
    pilot.notes.setdefault("letters", {})[language] = letters
    yield from pilot.type_text(typed)
    yield from pilot.settle()
    _shot(pilot, shots, f"comment-{language}")
    yield from pilot.touch("send")
    _expect(pilot, "thanks")
    _shot(pilot, shots, f"thanks-{language}")
    pilot.tap_center()
    yield from pilot.settle()
    _expect(pilot, "start")


def picker_rate_in_ukrainian(pilot: Autopilot, shots: Path | None = None) -> Iterator[float]:
    """The top bar's one language button, the picker's languages and Back, then a visit in
    Ukrainian and one in selkosuomi."""
    _expect(pilot, "start")
    pilot.notes["start_controls"] = pilot.controls()
    yield from pilot.touch("languages")
    _expect(pilot, "languages")
    pilot.notes["picker"] = {
        c: pilot.find(c).text for c in pilot.controls() if c.startswith("language-")
    }
    pilot.notes["picker_selected"] = [
        c for c in pilot.controls() if c.startswith("language-") and pilot.find(c).selected
    ]
    yield from pilot.touch("back")
    _expect(pilot, "start")
    pilot.notes["after_back"] = pilot.app.lang
    yield from _rate_and_comment(pilot, "uk", "дякую, все добре", shots)
    pilot.notes["reset_to"] = pilot.app.lang
    yield from _rate_and_comment(pilot, "fi-x-easy", "kiitos", shots)


def keyboards_of_every_language(pilot: Autopilot) -> Iterator[float]:
    """On the comment screen, each configured language's letters and the narrowest key."""
    yield from pilot.touch("start-feedback")
    yield from pilot.touch("smiley-4")
    if pilot.screen == "reason":
        yield from pilot.touch("skip")
    _expect(pilot, "comment")
    pilot.notes["touch_min"] = pilot.app.touch_min
    for language in pilot.app.kiosk_config.kiosk.languages:
        pilot.app.session.set_language(language)
        yield from pilot.settle()
        keys = _keys(pilot)
        pilot.notes.setdefault("keys", {})[language] = {
            "letters": "".join(k.key for k in keys if len(k.key) == 1 and k.key.isalpha()),
            "narrowest": min(k.width for k in keys),
            "lowest": min(k.height for k in keys),
            # Within the screen (a Screen is a RelativeLayout: the keys' own coordinates).
            "inside": all(k.x >= -0.5 and k.right <= pilot.app.root.width + 0.5 for k in keys),
        }
        yield from pilot.touch("key-MODE")  # to the digits: the key back names the letters
        pilot.notes["keys"][language]["back_to_letters"] = pilot.find("key-MODE").text
        yield from pilot.touch("key-MODE")


def picker_back_and_left_open(pilot: Autopilot, shots: Path | None = None) -> Iterator[float]:
    """The picker opened mid-visit returns there (Back, or a choice); left open, it gives way to
    the start screen like any visitor screen (the config's inactivity is short here)."""
    yield from pilot.touch("start-feedback")
    _expect(pilot, "rating")
    yield from pilot.touch("languages")
    _expect(pilot, "languages")
    yield from pilot.touch("back")
    pilot.notes["back_to"] = pilot.screen
    yield from pilot.touch("languages")
    yield from pilot.touch("language-et")
    pilot.notes["chosen_to"] = [pilot.screen, pilot.app.lang]
    _shot(pilot, shots, "rating-et")
    yield from pilot.touch("languages")
    _shot(pilot, shots, "languages-from-et")
    pilot.notes["title_et"] = [
        w.text
        for w in pilot.app.manager.current_screen.walk()
        if getattr(w, "text", "") == "Valige keel"
    ]
    limit = pilot.app.kiosk_config.timeouts.inactivity
    yield limit + 1.5  # nobody touches
    pilot.notes["left_mid_visit"] = [pilot.screen, pilot.app.lang]
    yield from pilot.touch("languages")  # from the start screen, where nothing else times out
    _expect(pilot, "languages")
    yield limit + 1.5
    pilot.notes["left_at_start"] = pilot.screen


def comment_screen_in_every_language(
    pilot: Autopilot, shots: Path | None = None
) -> Iterator[float]:
    """The comment screen in each configured language: how many lines its text field shows."""
    yield from pilot.touch("start-feedback")
    yield from pilot.touch("smiley-4")
    if pilot.screen == "reason":
        yield from pilot.touch("skip")
    _expect(pilot, "comment")
    for language in pilot.app.kiosk_config.kiosk.languages:
        pilot.app.session.set_language(language)
        yield from pilot.settle()
        field = pilot.app.manager.current_screen.ids.comment
        pilot.notes.setdefault("field_lines", {})[language] = field.height / field.line_height
        _shot(pilot, shots, f"comment-{language}")

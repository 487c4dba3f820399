"""The button panel's lines: presses, keys down and up, a key held 2 s; and the keypad's
table of what each key does in speech mode. Pure rules, no ports."""

from __future__ import annotations

import pytest

from kiosk.devices.panel import HOLD_S, PanelInput, PanelKeys, PanelLine, parse_line, rating_of
from kiosk.devices.simulate import button_lines
from kiosk.keys import KEYPAD_KEYS, PANEL_KEYS, Nav, is_keypad_key, keypad_action


@pytest.mark.parametrize(
    ("line", "parsed"),
    [
        ("B1", PanelLine("B", 1)),
        ("d4", PanelLine("D", 4)),
        (" U3 0412 ", PanelLine("U", 3)),
        ("D5", None),
        ("U", None),
        ("X1", None),
    ],
)
def test_panel_lines_parse(line: str, parsed: PanelLine | None) -> None:
    assert parse_line(line) == parsed


def test_only_a_press_line_is_a_quick_rating() -> None:
    assert [rating_of(line) for line in ("B2", "D2", "U2")] == [2, None, None]


def test_a_key_down_and_up_again_soon_is_a_press() -> None:
    keys = PanelKeys()
    assert keys.feed("D2", 10.0) is None
    assert keys.poll(10.5) is None
    assert keys.feed("U2", 10.6) == PanelInput("press", 2)


def test_a_key_held_two_seconds_is_one_hold_and_no_press() -> None:
    keys = PanelKeys()
    keys.feed("D1", 10.0)
    assert keys.poll(10.0 + HOLD_S - 0.01) is None
    assert keys.poll(10.0 + HOLD_S) == PanelInput("hold", 1)
    assert keys.poll(13.0) is None  # once
    assert keys.feed("U1", 14.0) is None


def test_a_hold_missed_by_the_poll_is_told_when_the_key_comes_up() -> None:
    keys = PanelKeys()
    keys.feed("D3", 10.0)
    assert keys.feed("U3", 12.5) == PanelInput("hold", 3)


def test_a_lost_line_never_leaves_a_key_stuck() -> None:
    keys = PanelKeys()
    assert keys.feed("U4", 1.0) == PanelInput("press", 4)  # its key down was lost
    keys.feed("D1", 2.0)
    assert keys.feed("B2", 2.1) == PanelInput("press", 2)  # an old panel's press
    assert keys.poll(9.0) is None


def test_the_panel_keys_move_choose_and_go_back() -> None:
    assert PANEL_KEYS == {1: Nav.PREVIOUS, 2: Nav.NEXT, 3: Nav.SELECT, 4: Nav.BACK}


@pytest.mark.parametrize(
    ("key", "action"),
    [
        ("numpad8", Nav.PREVIOUS),
        ("numpad4", Nav.PREVIOUS),
        ("numpad2", Nav.NEXT),
        ("numpad6", Nav.NEXT),
        ("numpad5", Nav.SELECT),
        ("numpadenter", Nav.SELECT),
        ("numpad0", Nav.BACK),
        ("backspace", Nav.BACK),
        ("numpadadd", Nav.REPEAT),
        ("numpadmul", Nav.HELP),
        ("numpad7", None),
        ("a", None),
        ("up", Nav.PREVIOUS),  # Num Lock off: 8
        ("right", Nav.NEXT),  # Num Lock off: 6
        ("delete", Nav.BACK),  # Num Lock off: the decimal key
    ],
)
def test_the_keypad_table(key: str, action: Nav | None) -> None:
    assert keypad_action(key) == action


def test_every_keypad_key_starts_speech_mode_and_no_other_key_does() -> None:
    every = [f"numpad{d}" for d in range(10)] + ["numpadenter", "numpadadd", "numpaddecimal"]
    assert all(is_keypad_key(key) for key in every)
    assert not any(is_keypad_key(key) for key in ("a", "enter", "space", "escape"))
    assert set(KEYPAD_KEYS.values()) == set(Nav)  # every move has a key


@pytest.mark.parametrize(
    ("typed", "lines"),
    [
        ("3", ["B3"]),
        ("p2", ["D2", "U2"]),
        ("H1", ["D1", "U1"]),
        ("d4", ["D4"]),
        ("u4", ["U4"]),
        ("5", None),
        ("x1", None),
        ("", None),
    ],
)
def test_the_buttons_simulator_sends_the_panel_lines(typed: str, lines: list[str] | None) -> None:
    assert button_lines(typed) == lines
    for line in lines or []:
        assert parse_line(line) is not None

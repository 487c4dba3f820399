"""What each key does in speech mode, on the button panel and on a USB numeric keypad. Pure.

The keypad's keys are Kivy's key names (a keypad arrives as keyboard events). Its layout follows
the phone-style keypad a blind visitor finds by touch, with the raised dot on 5 in the middle:
up and left (8, 4) go back one choice, down and right (2, 6) forward, 5 or Enter chooses,
0 or the decimal key (Del) goes back a screen, + repeats what was said, * tells the keys again.
"""

from __future__ import annotations

from enum import StrEnum


class Nav(StrEnum):
    PREVIOUS = "previous"
    NEXT = "next"
    SELECT = "select"
    BACK = "back"
    REPEAT = "repeat"
    HELP = "help"  # which key does what


# The panel's four keys in speech mode ("B1".."B4", or "D"/"U" lines).
PANEL_KEYS: dict[int, Nav] = {1: Nav.PREVIOUS, 2: Nav.NEXT, 3: Nav.SELECT, 4: Nav.BACK}
PANEL_HOLD = Nav.HELP  # a key held in speech mode tells the keys and the screen again

KEYPAD_KEYS: dict[str, Nav] = {
    "numpad8": Nav.PREVIOUS,
    "numpad4": Nav.PREVIOUS,
    "numpad2": Nav.NEXT,
    "numpad6": Nav.NEXT,
    "numpad5": Nav.SELECT,
    "numpadenter": Nav.SELECT,
    "numpad0": Nav.BACK,
    "numpaddecimal": Nav.BACK,
    "backspace": Nav.BACK,  # many keypads have one above the digits
    "numpadadd": Nav.REPEAT,
    "numpadmul": Nav.HELP,
    "numpaddivide": Nav.HELP,
    # With Num Lock off the same keys arrive as arrows and the like: they do the same.
    "up": Nav.PREVIOUS,
    "left": Nav.PREVIOUS,
    "down": Nav.NEXT,
    "right": Nav.NEXT,
    "insert": Nav.BACK,
    "delete": Nav.BACK,
}
# Keypad keys with no move of their own (7, 9, 1, 3, minus; Num Lock off: home, page up, end,
# page down): they still switch speech mode on.
KEYPAD_OTHER = frozenset(
    {"numpad1", "numpad3", "numpad7", "numpad9", "numpadsubstract"}
    | {"home", "pageup", "end", "pagedown"}
)


def keypad_action(key_name: str) -> Nav | None:
    """What a keypad key does, or None for a key that is not the keypad's."""
    return KEYPAD_KEYS.get(key_name)


def is_keypad_key(key_name: str) -> bool:
    """Any key of a numeric keypad: the first one pressed switches speech mode on."""
    return key_name in KEYPAD_KEYS or key_name in KEYPAD_OTHER

"""Kiosk buttons: large rounded targets that filter input-driver bounce before they act."""

from __future__ import annotations

import math
from functools import lru_cache

from kivy.app import App
from kivy.core.text import Label as CoreLabel
from kivy.properties import (
    BooleanProperty,
    ColorProperty,
    NumericProperty,
    StringProperty,
)
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label


class BounceFilteredButton(ButtonBehavior):
    """Dispatches `on_activate` on release, except for a bounce: a repeat within the bounce time.

    `control` names the control for the bounce filter and for scripted touches (hymy_dev.autopilot).
    """

    control = StringProperty("")
    bounce_s = NumericProperty(-1.0)  # below 0: the kiosk config's bounce time
    __events__ = ("on_activate",)

    def on_release(self) -> None:
        app = App.get_running_app()
        window = None if self.bounce_s < 0 else self.bounce_s
        if app is None or app.accept_touch(self.control or f"widget-{id(self)}", window):
            self.dispatch("on_activate")

    def on_activate(self) -> None:
        """Handlers bind to this: the visitor meant this touch."""


class KioskButton(BounceFilteredButton, Label):
    """A text button of at least the minimum touch size, with a press state the finger can feel."""

    bg = ColorProperty("#ffffff")
    fg = ColorProperty("#1b1b1f")
    border_color = ColorProperty([0, 0, 0, 0])
    radius = NumericProperty(14)
    selected = BooleanProperty(False)


class SmileyButton(BounceFilteredButton, BoxLayout):
    """A smiley face with its word under it; the whole box is one touch target."""

    rating = NumericProperty(4)
    word = StringProperty("")
    word_font = NumericProperty(0)  # 0: the largest at which the word's longest word fits
    word_lines = NumericProperty(2)  # the height kept for the word, in lines
    bg = ColorProperty("#ffffff")  # behind the face and its word


def fit_font(text: str, width: float, largest: float, em_per_char: float = 0.6) -> float:
    """The largest font size up to `largest` at which the text's longest word fits the width,
    so a narrow label wraps between words, never inside one."""
    longest = max((len(word) for word in text.split()), default=1)
    return max(1.0, min(largest, width / (longest * em_per_char)))


@lru_cache(maxsize=4096)
def text_width(text: str, font_size: float, bold: bool = True) -> float:
    """The width of `text` on one line in the kiosk's font at `font_size`, in pixels."""
    return CoreLabel(text=text, font_size=font_size, bold=bold).get_extents(text)[0]


def word_font(text: str, width: float, largest: float, least: float = 1.0) -> float:
    """`largest`, or less where the text's widest word would not fit the width (a label wraps
    between words, never inside one), but never under `least` (large text's floor)."""
    words = text.split()

    def widest(size: float) -> float:
        return max((text_width(word, size) for word in words), default=0.0)

    if widest(largest) <= width - 1:
        return largest
    # In whole pixels, as the text is drawn, from about the right size down.
    size = math.floor(largest * (width - 1) / widest(largest))
    while size > least and widest(size) > width - 1:
        size -= 1
    return max(least, size)

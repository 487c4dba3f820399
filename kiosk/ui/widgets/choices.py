"""A list of choices (reasons, service points) that shares its room and scrolls when the rows no
longer fit, as in large text; its bar stays visible, so a visitor sees there is more."""

from __future__ import annotations

import math

from kivy.app import App
from kivy.uix.scrollview import ScrollView

MIN_LINES = 2.7  # a choice's row holds its name on two lines of the medium font


def choice_row_height(room: float, count: int, cols: int, spacing: float) -> float:
    """The height of each row of `count` choices in `cols` columns: an equal share of `room`,
    but never under a finger's 12 mm or two lines of text."""
    app = App.get_running_app()
    rows = max(1, math.ceil(count / max(1, cols)))
    least = max(app.touch_min, app.font_m * MIN_LINES if app.large_text else 0)
    return max(least, (room - spacing * (rows - 1)) / rows)


class ChoiceScroll(ScrollView):
    """Scrolls its one child (a GridLayout of choices) up and down."""

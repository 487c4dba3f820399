"""The national set's first question, the recommendation: eleven numbers 0-10 in one row (two
rows in portrait or a narrow window, three in large text on a narrow portrait screen) with the
site's words for the two ends; each number at least the minimum touch size. The number given
before is shown chosen when the visitor comes back to it."""

from __future__ import annotations

from kivy.properties import NumericProperty, StringProperty

from kiosk.session import QuestionView
from kiosk.ui.screens.question import QuestionScreen


def number_columns(portrait: bool, width: float, least: float, gap: float) -> int:
    """Eleven in a row where each keeps `least` (the minimum touch size, or room for "10" in
    the font in use) with `gap` between them; else (portrait, large text on a small screen) two
    rows of six and five, or (large text in a narrow portrait) three of four."""
    for columns in (11, 6, 4):
        if (columns < 11 or not portrait) and width >= columns * least + (columns + 1) * gap:
            return columns
    return 4


class RecommendScreen(QuestionScreen):
    low = StringProperty("")
    high = StringProperty("")
    chosen = NumericProperty(-1)  # the number given before; -1 for none

    def show_question(self, asked: QuestionView, language: str) -> None:
        self.low, self.high = asked.low, asked.high
        self.chosen = asked.chosen if asked.answered and asked.chosen is not None else -1

"""The national set's first question, the recommendation: eleven numbers 0-10 in one row (two
rows in portrait or a narrow window, three in large text on a narrow portrait screen) with the
site's words for the two ends; each number at least the minimum touch size. The number given
before is shown chosen when the visitor comes back to it."""

from __future__ import annotations

from kivy.properties import NumericProperty, StringProperty

from kiosk.answer_words import QUESTION_OF
from kiosk.session import View
from kiosk.ui.screens.base import KioskScreen


def number_columns(portrait: bool, width: float, least: float, gap: float) -> int:
    """Eleven in a row where each keeps `least` (the minimum touch size, or room for "10" in
    the font in use) with `gap` between them; else (portrait, large text on a small screen) two
    rows of six and five, or (large text in a narrow portrait) three of four."""
    for columns in (11, 6, 4):
        if (columns < 11 or not portrait) and width >= columns * least + (columns + 1) * gap:
            return columns
    return 4


class RecommendScreen(KioskScreen):
    question = StringProperty("")
    progress = StringProperty("")  # "Question 1 of 7" in the visitor's language
    low = StringProperty("")
    high = StringProperty("")
    chosen = NumericProperty(-1)  # the number given before; -1 for none

    def refresh(self, view: View) -> None:
        question = view.question
        if question is None:
            return
        self.guard_new_content(question.id)
        self.question = question.text
        self.progress = self.app.t(QUESTION_OF, view.language).format(
            number=question.number, count=question.count
        )
        self.low, self.high = question.low, question.high
        self.chosen = question.chosen if question.answered and question.chosen is not None else -1

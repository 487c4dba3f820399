"""The base of the national set's screens (the recommendation, the statements): the question,
which of how many it is, and the ghost-touch guard again for each new question (the next one is
shown on the same screen, where a bounce or a slow second tap must not answer it unseen)."""

from __future__ import annotations

import time

from kivy.properties import StringProperty

from kiosk.answer_words import QUESTION_OF
from kiosk.session import QuestionView, View
from kiosk.ui.screens.base import KioskScreen


class QuestionScreen(KioskScreen):
    question = StringProperty("")
    progress = StringProperty("")  # "Question 1 of 7" in the visitor's language

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._question_id = ""  # the question shown last

    def refresh(self, view: View) -> None:
        asked = view.question
        if asked is None:
            return
        if asked.id != self._question_id:
            self._question_id = asked.id
            self.shown_at = time.monotonic()
        self.question = asked.text
        self.progress = self.app.t(QUESTION_OF, view.language).format(
            number=asked.number, count=asked.count
        )
        self.show_question(asked, view.language)

    def show_question(self, asked: QuestionView, language: str) -> None:
        """What else of the question the screen shows (its answers, the one given)."""

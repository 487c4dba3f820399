"""One visitor's way through the national question set (pure: no Kivy, no I/O; times passed in).

The recommendation 0-10 first, then each statement on its agreement scale (None: "I cannot
say"), one at a time. Back goes to the question before, where the answer given is shown and may
be changed; what has been answered so far is what is recorded when the visitor stops, finishes
or walks away (kiosk.journey decides when). hymy_domain.national has the scales.
"""

from __future__ import annotations

from dataclasses import dataclass

from hymy_domain.national import (
    DETRACTORS,
    RECOMMEND_SCALE,
    agreement_scale,
    agreement_steps,
    value_problem,
)


@dataclass(frozen=True)
class QuestionSet:
    """What the journey needs of a site's national set (kiosk.config.Questions)."""

    id: str
    version: int
    recommendation: str  # the recommendation question's id
    statements: tuple[str, ...]  # the statements' ids, the national ones then the region's own
    steps: int = 5
    cannot_say: bool = True
    comment: bool = True

    @property
    def questions(self) -> tuple[str, ...]:
        return (self.recommendation, *self.statements)

    def scale(self, question: str) -> str:
        return RECOMMEND_SCALE if question == self.recommendation else agreement_scale(self.steps)


@dataclass(frozen=True)
class Answer:
    question: str
    scale: str
    value: int | None  # None: "I cannot say"
    answered_at: float
    language: str  # the visitor's language when they answered it

    @property
    def unhappy(self) -> bool:
        """A detractor's recommendation (0-6), or a step below a statement's middle."""
        if self.value is None:
            return False
        if self.scale == RECOMMEND_SCALE:
            return self.value in DETRACTORS
        steps = agreement_steps(self.scale)
        return steps is not None and self.value < (steps + 1) / 2


class AnswerError(ValueError):
    """A value the current question's scale does not have."""


class Answers:
    """The answers of one visit, and which question is on screen."""

    def __init__(self, question_set: QuestionSet) -> None:
        self.question_set = question_set
        self._index = 0
        self._given: dict[str, Answer] = {}

    @property
    def index(self) -> int:
        """The question on screen: 0 is the recommendation, 1.. the statements."""
        return self._index

    @property
    def question(self) -> str:
        return self.question_set.questions[self._index]

    @property
    def scale(self) -> str:
        return self.question_set.scale(self.question)

    @property
    def on_recommendation(self) -> bool:
        return self._index == 0

    @property
    def chosen(self) -> Answer | None:
        """The answer already given to the question on screen (the visitor came back to it)."""
        return self._given.get(self.question)

    def answer(self, value: int | None, now: float, language: str) -> bool:
        """The answer to the question on screen, in the visitor's `language`; then the next
        question. False when it was the last. Raises AnswerError for a value its scale does
        not have."""
        problem = value_problem(self.scale, value, self.question_set.cannot_say)
        if problem:
            raise AnswerError(problem)
        self._given[self.question] = Answer(self.question, self.scale, value, now, language)
        if self._index + 1 < len(self.question_set.questions):
            self._index += 1
            return True
        return False

    def back(self) -> bool:
        """To the question before; False on the first (there is none before it)."""
        if self._index == 0:
            return False
        self._index -= 1
        return True

    def to_last(self) -> None:
        """Back from the comment: the last question on screen again."""
        self._index = len(self.question_set.questions) - 1

    @property
    def unhappy(self) -> bool:
        """Some answer tells the visit did not go well: the thank-you's kinder words."""
        return any(answer.unhappy for answer in self._given.values())

    def given(self) -> tuple[Answer, ...]:
        """The answers given so far, in the set's order."""
        return tuple(self._given[q] for q in self.question_set.questions if q in self._given)

"""The visitor's journey as a state machine (pure: no Kivy, no I/O; the time is passed in).

    start → rating → [reason] → [comment] → thanks → start
    start → recommend → statement … → [comment] → thanks → start   (a site's national set)
    start → service point → ticket → start

Each action returns the effects the caller must carry out (record a rating, issue a ticket). A
visitor who walks away from the follow-up questions still counts: the timeout records the rating,
with the comment they had begun to type. On a site that asks the national question set
(`JourneyRules.questions`, kiosk.answers) each answer given is kept: stopping, finishing or
walking away records them all, each as its own answer. Every time-out but the thank-you
screen's is warned of `warning_s` before it ("Do you need more time?"); `keep_going` gives the
visitor a fresh time.
A ticket that did not print stays on screen until Done, or a long safety time-out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from hymy_domain.facts import RATINGS
from hymy_domain.redaction import redact
from kiosk.answers import Answer, AnswerError, Answers, QuestionSet


class Step(StrEnum):
    START = "start"
    RATING = "rating"
    REASON = "reason"
    COMMENT = "comment"
    THANKS = "thanks"
    RECOMMEND = "recommend"  # the national set's recommendation 0-10
    STATEMENT = "statement"  # one of its statements on the agreement scale
    SERVICE_POINT = "service_point"
    TICKET = "ticket"


class JourneyError(ValueError):
    """An action that the current step does not allow; the journey is unchanged."""


@dataclass(frozen=True)
class JourneyRules:
    languages: tuple[str, ...] = ("fi", "sv", "en")
    default_language: str = "fi"
    inactivity_s: float = 30.0
    thanks_s: float = 4.0
    ticket_s: float = 20.0
    reasons: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    comments: bool = True
    comment_max_chars: int = 500
    assisted_factor: float = 2.0  # speech mode: every time-out (and its warning) this much longer
    warning_s: float = 10.0  # "Do you need more time?" this long before a reset; 0: no warning
    unprinted_ticket_s: float = 600.0  # a ticket that did not print: time to write it down
    questions: QuestionSet | None = None  # the national set instead of the smileys


@dataclass(frozen=True)
class RecordFeedback:
    rating: int
    reason: str | None
    comment: str | None
    language: str
    rated_at: float


@dataclass(frozen=True)
class RecordAnswers:
    """One visit's answers to the national set (at least one), and its comment."""

    answers: tuple[Answer, ...]
    comment: str | None
    language: str


CheckInMethod = Literal["touch", "barcode"]  # a service point chosen on the screen, or scanned


@dataclass(frozen=True)
class IssueTicket:
    service_point: str
    language: str
    requested_at: float
    method: CheckInMethod = "touch"


Effect = RecordFeedback | IssueTicket | RecordAnswers


class Journey:
    """One visitor at a time, from the start screen back to it."""

    def __init__(self, rules: JourneyRules, now: float) -> None:
        if rules.default_language not in rules.languages:
            raise JourneyError(f"The default language {rules.default_language!r} is not offered.")
        self.rules = rules
        self._reset(now)

    # --- state ---------------------------------------------------------------------------

    def _reset(self, now: float) -> None:
        self._step = Step.START
        self._language = self.rules.default_language
        self._rating: int | None = None
        self._rated_at = 0.0
        self._reason: str | None = None
        self._service_point: str | None = None
        self._assisted = False  # speech mode, for this visitor only
        self._large_text = False  # the A+ layout, for this visitor only
        self._draft = ""  # the comment being typed, sent if the visitor walks away
        self._unprinted = False  # the ticket on screen did not print: it waits for Done
        self._answers: Answers | None = None  # this visit's answers to the national set
        self._last_activity = now

    @property
    def step(self) -> Step:
        return self._step

    @property
    def language(self) -> str:
        return self._language

    @property
    def assisted(self) -> bool:
        """Speech mode: screens speak and keys move the focus; every time-out is longer."""
        return self._assisted

    @property
    def large_text(self) -> bool:
        return self._large_text

    @property
    def rating(self) -> int | None:
        return self._rating

    @property
    def reason(self) -> str | None:
        return self._reason

    @property
    def service_point(self) -> str | None:
        return self._service_point

    @property
    def draft(self) -> str:
        """The comment typed so far on the comment step."""
        return self._draft

    @property
    def answers(self) -> Answers | None:
        """The national set's answers so far and the question on screen; None on the smileys."""
        return self._answers

    @property
    def offered_reasons(self) -> tuple[str, ...]:
        return tuple(self.rules.reasons.get(self._rating, ())) if self._rating else ()

    def _require(self, action: str, *steps: Step) -> None:
        if self._step not in steps:
            raise JourneyError(f"Cannot {action} on the {self._step.value} step.")

    def _go(self, step: Step, now: float) -> None:
        self._step = step
        self._last_activity = now

    def _record(self, comment: str | None) -> RecordFeedback:
        assert self._rating is not None
        return RecordFeedback(self._rating, self._reason, comment, self._language, self._rated_at)

    def _cleaned(self, text: str | None) -> str | None:
        """A comment as it is stored: trimmed, cut to the maximum and redacted (and cut again:
        a redaction's mark may be longer than what it hides); None if blank."""
        limit = self.rules.comment_max_chars
        comment = (text or "").strip()[:limit].strip()
        return redact(comment).text[:limit].strip() if comment else None

    # --- feedback ------------------------------------------------------------------------

    def start_feedback(self, now: float) -> list[Effect]:
        self._require("start a feedback", Step.START)
        if self.rules.questions is not None:
            self._answers = Answers(self.rules.questions)
            self._go(Step.RECOMMEND, now)
        else:
            self._go(Step.RATING, now)
        return []

    # --- the national set -----------------------------------------------------------------

    def answer(self, value: int | None, now: float) -> list[Effect]:
        """The answer to the question on screen (None: "I cannot say"), then the next question,
        the comment or (after the last) the thank-you screen with every answer recorded."""
        self._require("answer", Step.RECOMMEND, Step.STATEMENT)
        assert self._answers is not None
        try:
            more = self._answers.answer(value, now, self._language)
        except AnswerError as err:
            raise JourneyError(str(err)) from None
        if more:
            self._go(Step.STATEMENT, now)
            return []
        assert self.rules.questions is not None
        if self.rules.questions.comment and self.rules.comments:
            self._go(Step.COMMENT, now)
            return []
        return self.stop_answering(now)

    def stop_answering(self, now: float) -> list[Effect]:
        """Stop and send: the answers given so far are recorded, then the thank-you screen
        (with none given, simply back to the start)."""
        self._require("stop answering", Step.RECOMMEND, Step.STATEMENT, Step.COMMENT)
        effects = self._record_answers(self._draft if self._step is Step.COMMENT else None)
        if not effects:
            self._reset(now)
            return []
        self._draft = ""
        self._go(Step.THANKS, now)
        return effects

    def _record_answers(self, comment: str | None) -> list[Effect]:
        given = self._answers.given() if self._answers is not None else ()
        if not given:
            return []
        return [RecordAnswers(given, self._cleaned(comment), self._language)]

    def rate(self, rating: int, now: float) -> list[Effect]:
        self._require("rate", Step.RATING)
        if rating not in RATINGS:
            raise JourneyError(f"A rating is 1, 2, 3 or 4, not {rating!r}.")
        self._rating, self._rated_at, self._reason = rating, now, None
        if self.offered_reasons:
            self._go(Step.REASON, now)
            return []
        return self._after_reason(now)

    def quick_rate(self, rating: int, now: float) -> list[Effect]:
        """A rating from the button panel: recorded at once, then the thank-you screen."""
        self._require("rate", Step.START, Step.RATING, Step.THANKS)
        if rating not in RATINGS:
            raise JourneyError(f"A rating is 1, 2, 3 or 4, not {rating!r}.")
        self._rating, self._rated_at, self._reason = rating, now, None
        self._go(Step.THANKS, now)
        return [self._record(None)]

    def choose_reason(self, reason: str | None, now: float) -> list[Effect]:
        self._require("choose a reason", Step.REASON)
        if reason is not None and reason not in self.offered_reasons:
            raise JourneyError(f"The reason {reason!r} is not offered after this rating.")
        self._reason = reason
        return self._after_reason(now)

    def _after_reason(self, now: float) -> list[Effect]:
        if self.rules.comments:
            self._go(Step.COMMENT, now)
            return []
        self._go(Step.THANKS, now)
        return [self._record(None)]

    def submit_comment(self, text: str | None, now: float) -> list[Effect]:
        self._require("submit a comment", Step.COMMENT)
        self._draft = ""
        self._go(Step.THANKS, now)
        if self._answers is not None:
            return self._record_answers(text)
        return [self._record(self._cleaned(text))]

    def set_draft(self, text: str, now: float) -> list[Effect]:
        """The comment as typed so far (each key is activity): recorded with the rating if the
        visitor walks away, discarded by Back."""
        self._require("type a comment", Step.COMMENT)
        self._draft = text
        self._last_activity = now
        return []

    # --- check-in ------------------------------------------------------------------------

    def start_check_in(self, now: float) -> list[Effect]:
        self._require("start a check-in", Step.START)
        self._go(Step.SERVICE_POINT, now)
        return []

    def choose_service_point(
        self, service_point: str, now: float, *, method: CheckInMethod = "touch"
    ) -> list[Effect]:
        self._require("choose a service point", Step.SERVICE_POINT)
        self._service_point = service_point
        self._unprinted = False
        self._go(Step.TICKET, now)
        return [IssueTicket(service_point, self._language, now, method)]

    def ticket_printed(self, printed: bool, now: float) -> list[Effect]:
        """The printer's answer for the ticket on screen. A ticket that did not print stays
        until Done (up to `unprinted_ticket_s`) so the visitor can write its number down."""
        self._require("note the print", Step.TICKET)
        self._unprinted = not printed
        return []

    # --- anywhere ------------------------------------------------------------------------

    def back(self, now: float) -> list[Effect]:
        step = self._step
        if step is Step.START:
            raise JourneyError("Cannot go back from the start step.")
        if step is Step.REASON:
            self._rating, self._reason = None, None  # "I meant another face": nothing is kept
            self._go(Step.RATING, now)
        elif step is Step.RECOMMEND and self._answers is not None and self._answers.given():
            # Back past the first question after answering later ones: the visitor is done,
            # and what they answered is kept.
            return self.stop_answering(now)
        elif step in (Step.STATEMENT, Step.COMMENT) and self._answers is not None:
            # The question before, its answer shown and open to change.
            if step is Step.COMMENT:
                self._draft = ""
                self._answers.to_last()
            else:
                self._answers.back()
            self._go(Step.RECOMMEND if self._answers.on_recommendation else Step.STATEMENT, now)
        elif step is Step.COMMENT:
            self._reason, self._draft = None, ""
            self._go(Step.REASON if self.offered_reasons else Step.RATING, now)
            if self._step is Step.RATING:
                self._rating = None
        else:
            self._reset(now)
        return []

    def finish(self, now: float) -> list[Effect]:
        self._require("finish", Step.THANKS, Step.TICKET)
        self._reset(now)
        return []

    def set_language(self, language: str, now: float) -> list[Effect]:
        if language not in self.rules.languages:
            raise JourneyError(f"The language {language!r} is not offered on this kiosk.")
        self._language = language
        self._last_activity = now
        return []

    def set_assisted(self, on: bool, now: float) -> list[Effect]:
        """Speech mode on or off; like the language it lasts until the journey is back at the
        start (finished or timed out), so the next visitor starts without it."""
        self._assisted = on
        self._last_activity = now
        return []

    def set_large_text(self, on: bool, now: float) -> list[Effect]:
        """The large-text layout on or off, for this visitor (as the language)."""
        self._large_text = on
        self._last_activity = now
        return []

    @property
    def preferences(self) -> tuple[str, bool, bool]:
        """What this visitor chose for the screen: language, speech mode, large text."""
        return self._language, self._assisted, self._large_text

    def touch(self, now: float) -> None:
        self._last_activity = now

    def keep_going(self, now: float) -> list[Effect]:
        """Continue on the time warning (or a touch on it): the visitor stays where they are,
        with a fresh time."""
        self._last_activity = now
        return []

    def _timeout(self) -> float | None:
        """How long the current step may stay untouched; None on an untouched start screen."""
        if self._step is Step.START and self.preferences == (
            self.rules.default_language,
            False,
            False,
        ):
            return None
        if self._step is Step.TICKET and self._unprinted:
            timeout = self.rules.unprinted_ticket_s
        else:
            timeout = {
                Step.THANKS: self.rules.thanks_s,
                Step.TICKET: self.rules.ticket_s,
            }.get(self._step, self.rules.inactivity_s)
        return timeout * (self.rules.assisted_factor if self._assisted else 1.0)

    def deadline(self) -> float | None:
        """When the current step times out; None on an untouched start screen. A language (or
        speech mode, or large text) chosen on the start screen and left there also times out,
        for the next visitor. In speech mode every time-out is `assisted_factor` times longer."""
        timeout = self._timeout()
        return None if timeout is None else self._last_activity + timeout

    def warning_at(self) -> float | None:
        """When the "Do you need more time?" warning appears: `warning_s` before the deadline
        (longer in speech mode, at most half the time-out); None when this step has no warning
        (the thank-you screen: nothing is lost there)."""
        timeout = self._timeout()
        if timeout is None or self._step is Step.THANKS or self.rules.warning_s <= 0:
            return None
        factor = self.rules.assisted_factor if self._assisted else 1.0
        return self._last_activity + timeout - min(self.rules.warning_s * factor, timeout / 2)

    def is_warning(self, now: float) -> bool:
        """True while the warning is due: from `warning_at` until the reset."""
        at = self.warning_at()
        return at is not None and now >= at

    def tick(self, now: float) -> list[Effect]:
        deadline = self.deadline()
        if deadline is None or now < deadline:
            return []
        effects: list[Effect] = []
        if self._step is Step.REASON:
            effects.append(self._record(None))  # walked away after rating: the rating counts
        elif self._answers is not None and self._step in (
            Step.RECOMMEND,
            Step.STATEMENT,
            Step.COMMENT,
        ):
            # Walked away during the national set: each answer given counts, the comment too.
            effects += self._record_answers(self._draft if self._step is Step.COMMENT else None)
        elif self._step is Step.COMMENT:
            effects.append(self._record(self._cleaned(self._draft)))  # and what they typed
        self._reset(now)
        return effects

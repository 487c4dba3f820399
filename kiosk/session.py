"""The kiosk's application service: it turns the visitor's actions into journey effects and
carries them out (a rating recorded, a queue ticket taken and printed), then tells the screen.

No Kivy here: the UI hands in `post`, which runs a callback on its own thread, and `on_change`,
which it calls with a fresh `View` after every change the screen has to show.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from hymy_domain.national import COMMENT_QUESTION, COMMENT_SCALE
from kiosk.answer_words import AGREEMENT_WORDS
from kiosk.answers import Answer, Answers, QuestionSet
from kiosk.clock import KioskClock
from kiosk.config import KioskConfig, Questions, ServicePoint, text
from kiosk.devices.booking import BookingRule, decide
from kiosk.devices.interfaces import PrinterState, PrintResult
from kiosk.events import checkin_event, feedback_event, response_event
from kiosk.i18n import N_, text_fallbacks
from kiosk.journey import (
    Effect,
    IssueTicket,
    Journey,
    JourneyError,
    JourneyRules,
    RecordAnswers,
    RecordFeedback,
    Step,
)
from kiosk.misuse import BounceFilter, MisuseDetector, MisuseRules
from kiosk.outbox import Outbox, OutboxMeta
from kiosk.outbox_writer import OutboxWriter
from kiosk.printing import TicketPrinting
from kiosk.tickets import TicketRange, service_day

log = logging.getLogger(__name__)

NOTICE_S = 15.0  # a scanner notice on the start screen clears by itself after this long
UNKNOWN_CODE = N_("This booking code is not known here. Please choose your service on the screen.")
REFUSED_CODE = N_(
    "This code cannot be used for checking in. Please choose your service on the screen."
)


def booking_rules(config: KioskConfig) -> list[BookingRule]:
    return [
        BookingRule(p.id, p.booking_prefixes, p.booking_pattern)
        for p in config.service_points
        if p.booking_prefixes or p.booking_pattern
    ]


class WriteStatus(StrEnum):
    IDLE = "idle"
    SAVING = "saving"
    SAVED = "saved"
    FAILED = "failed"


@dataclass(frozen=True)
class Choice:
    """One button to choose from: its id, and its name in the visitor's language."""

    id: str
    name: str


@dataclass(frozen=True)
class QuestionView:
    """The national set's question on screen, its words in the visitor's language."""

    id: str
    text: str
    scale: str  # "0-10", or the statements' "agree-5"
    number: int  # 1 for the recommendation
    count: int  # the questions of the set
    answered: bool  # the visitor came back to it: `chosen` is their answer
    chosen: int | None  # the answer given (None with `answered`: "I cannot say")
    low: str = ""  # the 0-10 scale's ends
    high: str = ""
    steps: int = 5
    labels: tuple[str, ...] | None = None  # the site's names of the steps; None: the kiosk's
    cannot_say: bool = True


@dataclass(frozen=True)
class View:
    """What the screen shows now, its names already in the visitor's language."""

    step: Step
    language: str
    rating: int | None
    reasons: tuple[Choice, ...]  # the follow-up reasons offered after the rating
    service_point: str | None
    ticket: str | None
    write: WriteStatus
    printed: bool | None = None  # None: no printer, or the ticket is still printing
    notice: str | None = None  # a catalog message for the start screen (a refused barcode)
    station_name: str = ""
    message: str = ""  # the site's "You said, we did" in the visitor's language; "" for none
    service_points: tuple[Choice, ...] = ()  # every service point of the config, in its order
    service_point_name: str = ""  # the chosen service point's
    guidance: str = ""  # where to wait at the chosen service point; "" for the usual words
    comment_max_chars: int = 500
    assisted: bool = False  # speech mode: screens speak, keys move the focus
    large_text: bool = False  # the A+ layout
    warning: bool = False  # "Do you need more time?" is shown: a time-out is near
    national: bool = False  # the site asks the national set (the start screen's card says so)
    unhappy_answers: bool = False  # the set's answers tell of a poor visit: the kinder thanks
    question: QuestionView | None = None  # on its screens, the national set's question


def journey_rules(config: KioskConfig) -> JourneyRules:
    """The journey's rules from the kiosk config."""
    return JourneyRules(
        languages=config.kiosk.languages,
        default_language=config.kiosk.default_language,
        inactivity_s=config.timeouts.inactivity,
        thanks_s=config.timeouts.thanks,
        ticket_s=config.timeouts.ticket,
        reasons={r: tuple(config.reasons_for_rating(r)) for r in (1, 2, 3, 4)},
        comments=config.feedback.comments,
        comment_max_chars=config.feedback.comment_max_chars,
        assisted_factor=config.timeouts.assisted_factor,
        warning_s=config.timeouts.warning,
        unprinted_ticket_s=config.timeouts.unprinted_ticket,
        questions=question_set(config.questions) if config.questions else None,
    )


def question_set(questions: Questions) -> QuestionSet:
    """What the journey needs of the config's national set."""
    return QuestionSet(
        id=questions.id,
        version=questions.version,
        recommendation=questions.recommendation.id,
        statements=tuple(q.id for q in (*questions.statements, *questions.own)),
        steps=questions.steps,
        cannot_say=questions.cannot_say,
        comment=questions.comment,
    )


def question_view(questions: Questions, answers: Answers, language: str) -> QuestionView:
    """The question on screen as the visitor reads it."""
    question = next(q for q in questions.asked if q.id == answers.question)
    chosen = answers.chosen
    labels = questions.labels or {}
    # Five steps have the kiosk's own words in every language, so the site's count only in
    # theirs; another scale has only the site's, found as any localized text is.
    own = any(candidate in labels for candidate in text_fallbacks(language))
    language_labels = (
        text(labels, language) if own or questions.steps != len(AGREEMENT_WORDS) else None
    )
    return QuestionView(
        id=question.id,
        text=text(question.text, language),
        scale=answers.scale,
        number=answers.index + 1,
        count=len(questions.asked),
        answered=chosen is not None,
        chosen=chosen.value if chosen else None,
        low=text(questions.low, language),
        high=text(questions.high, language),
        steps=questions.steps,
        labels=tuple(language_labels) if language_labels else None,
        cannot_say=questions.cannot_say,
    )


def _call_at_once(callback: Callable[[], None]) -> None:
    """A `post` for callers without a UI thread of their own: the callback runs right here."""
    callback()


class KioskSession:
    """Drives the journey and carries out what it yields; every public method runs on the UI
    thread, and the outbox writes go to `writer`'s thread."""

    def __init__(
        self,
        config: KioskConfig,
        outbox: Outbox,
        *,
        clock: KioskClock | None = None,
        post: Callable[[Callable[[], None]], None] = _call_at_once,
        on_change: Callable[[View], None] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        printing: TicketPrinting | None = None,
    ) -> None:
        self.printing = printing
        self._printed: bool | None = None
        self._notice: str | None = None
        self._notice_at = 0.0  # monotonic, when the notice was shown
        self._noted_printer: PrinterState | None = None
        self.outbox = outbox
        self._clock = clock or KioskClock(monotonic=monotonic)
        self._post = post
        self._monotonic = monotonic
        self.on_change = on_change
        self._set_config(config)
        self.writer = OutboxWriter(outbox, post)
        self._write = WriteStatus.IDLE
        self._ticket: str | None = None
        self._warned = False  # the warning as last shown

    def _set_config(self, config: KioskConfig) -> None:
        self.config = config
        self.journey = Journey(journey_rules(config), self._monotonic())
        self._misuse = MisuseDetector(
            MisuseRules(
                max_ratings=config.misuse.max_ratings,
                window_s=config.misuse.window_seconds,
                quiet_s=config.misuse.quiet_seconds,
            )
        )
        self._bounce = BounceFilter(config.misuse.bounce_ms / 1000)

    def is_idle(self) -> bool:
        """On the start screen in the default language with no write in flight: a new config
        can be applied without anyone noticing."""
        return (
            self.journey.step is Step.START
            and self.journey.preferences == (self.config.kiosk.default_language, False, False)
            and self._write is not WriteStatus.SAVING
        )

    def replace_config(self, config: KioskConfig) -> None:
        """Run with a new config from now on (call only when `is_idle`)."""
        self._set_config(config)
        self._show_change()

    # --- the visitor's actions -------------------------------------------------------------

    def accept_touch(self, control: str, window_s: float | None = None) -> bool:
        """False for input-driver bounce: a second touch within the bounce time on one control."""
        return self._bounce.accept(control, self._monotonic(), window_s)

    def start_feedback(self) -> None:
        self._apply_action(self.journey.start_feedback)

    def rate(self, rating: int) -> None:
        self._apply_action(self.journey.rate, rating)

    def choose_reason(self, reason: str | None) -> None:
        self._apply_action(self.journey.choose_reason, reason)

    def answer(self, value: int | None) -> None:
        """An answer to the national set's question on screen (None: "I cannot say")."""
        self._apply_action(self.journey.answer, value)

    def stop_answering(self) -> None:
        """Stop and send: the national set's answers so far are sent, then the thanks."""
        self._apply_action(self.journey.stop_answering)

    def submit_comment(self, text: str | None) -> None:
        self._apply_action(self.journey.submit_comment, text)

    def start_check_in(self) -> None:
        self._apply_action(self.journey.start_check_in)

    def choose_service_point(self, service_point: str) -> None:
        self._apply_action(self.journey.choose_service_point, service_point)

    def back(self) -> None:
        self._apply_action(self.journey.back)

    def finish(self) -> None:
        self._apply_action(self.journey.finish)

    def set_language(self, language: str) -> None:
        self._apply_action(self.journey.set_language, language)

    def set_assisted(self, on: bool) -> None:
        """Speech mode on or off for this visitor (a panel key held, a keypad key)."""
        self._apply_action(self.journey.set_assisted, on)

    def set_large_text(self, on: bool) -> None:
        """The A+ control: large text on or off for this visitor."""
        self._apply_action(self.journey.set_large_text, on)

    def keep_going(self) -> None:
        """Continue on the time warning: the visitor stays on this screen with a fresh time."""
        self._apply_action(self.journey.keep_going)

    def update_draft(self, text: str) -> None:
        """The comment as typed so far: sent with the rating if the visitor walks away."""
        try:
            self.journey.set_draft(text, self._monotonic())
        except JourneyError as err:
            log.info("ignored a draft: %s", err)
            return
        self._show_if_warning_changed()

    # --- the devices' actions ----------------------------------------------------------------

    def record_printer_state(self, state: PrinterState) -> None:
        """Keep the printer's state where the sync agent's heartbeat reads it (written only
        when it changed: the printer is asked every half minute)."""
        if state is self._noted_printer:
            return
        self._noted_printer = state
        self.writer.write_soon(
            lambda: self.outbox.set_meta(OutboxMeta.PRINTER, state.value), "note the printer state"
        )

    def check_in_by_barcode(self, code: str) -> None:
        """A scanned booking code: a check-in at the service point it maps to, or a notice on
        the start screen. A code with personal data is dropped here, never stored or logged."""
        if self.journey.step not in (Step.START, Step.SERVICE_POINT):
            log.info("a scan ignored: a visitor is busy on the screen")
            return
        decision = decide(code, booking_rules(self.config))
        if decision.service_point is None:
            self._notice = REFUSED_CODE if decision.refused_personal_data else UNKNOWN_CODE
            self._notice_at = self._monotonic()
            log.info(
                "a scanned code was %s",
                "refused" if decision.refused_personal_data else "not recognised",
            )
            self._show_change()
            return
        self._notice = None
        if self.journey.step is Step.START:
            self._apply_action(self.journey.start_check_in)
        self._apply_action(
            self.journey.choose_service_point, decision.service_point, method="barcode"
        )

    def rate_from_panel(self, rating: int) -> None:
        """A press on the button panel: the same rating path as a smiley, misuse rules too."""
        if self.accept_touch(f"panel-{rating}"):
            self._apply_action(self.journey.quick_rate, rating)

    def touch(self) -> None:
        """Any activity (a key typed) that keeps the visitor's step from timing out."""
        self.journey.touch(self._monotonic())
        self._show_if_warning_changed()

    def tick(self) -> None:
        """Apply the timeouts (a scanner notice's too, and the warning before a time-out); the
        UI calls this a few times a second."""
        before = (self.journey.step, self.journey.preferences)
        now = self._monotonic()
        effects = self.journey.tick(now)
        if effects or (self.journey.step, self.journey.preferences) != before:
            self._carry_out(effects)
        elif self._notice is not None and now - self._notice_at >= NOTICE_S:
            self._notice = None
            self._show_change()
        else:
            self._show_if_warning_changed()

    def _show_if_warning_changed(self) -> None:
        if self.journey.is_warning(self._monotonic()) != self._warned:
            self._show_change()

    def seconds_left(self) -> float | None:
        """Until the current step times out (the warning's countdown); None if it does not."""
        deadline = self.journey.deadline()
        return None if deadline is None else max(0.0, deadline - self._monotonic())

    # --- what the screen shows ---------------------------------------------------------------

    @property
    def view(self) -> View:
        journey, config = self.journey, self.config
        language = journey.language
        point = config.service_point(journey.service_point) if journey.service_point else None
        return View(
            step=journey.step,
            language=language,
            rating=journey.rating,
            reasons=tuple(
                Choice(r, text(config.reason(r).name, language)) for r in journey.offered_reasons
            ),
            service_point=journey.service_point,
            ticket=self._ticket,
            write=self._write,
            printed=self._printed,
            notice=self._notice,
            station_name=text(config.kiosk.station_name, language),
            message=text(config.message, language) if config.message else "",
            service_points=tuple(
                Choice(p.id, text(p.name, language)) for p in config.service_points
            ),
            service_point_name=text(point.name, language) if point else "",
            guidance=text(point.guidance, language) if point and point.guidance else "",
            comment_max_chars=config.feedback.comment_max_chars,
            assisted=journey.assisted,
            large_text=journey.large_text,
            warning=journey.is_warning(self._monotonic()),
            national=config.questions is not None,
            unhappy_answers=journey.answers is not None and journey.answers.unhappy,
            question=(
                question_view(config.questions, journey.answers, language)
                if config.questions is not None
                and journey.answers is not None
                and journey.step in (Step.RECOMMEND, Step.STATEMENT)
                else None
            ),
        )

    def flush(self) -> None:
        """Wait until every write handed over so far is done."""
        self.writer.flush()

    def close(self) -> None:
        """Finish the writes already handed over, then stop the writer thread."""
        self.writer.close()

    # --- carrying out the journey's effects ------------------------------------------------

    def _apply_action(
        self, action: Callable[..., list[Effect]], *args: object, **kwargs: object
    ) -> None:
        """Run a journey action now and carry out its effects; a touch the journey's step no
        longer takes is logged and dropped."""
        try:
            effects = action(*args, self._monotonic(), **kwargs)
        except JourneyError as err:
            # A second tap that lands while the screen is being left: harmless, and not a rating.
            log.info("ignored a touch: %s", err)
            return
        self._carry_out(effects)

    def _carry_out(self, effects: list[Effect]) -> None:
        """Record what the journey yielded, then show the change."""
        if self.journey.step is not Step.START:
            self._notice = None
        if self.journey.step is Step.START:
            self._write, self._ticket, self._printed = WriteStatus.IDLE, None, None
        for effect in effects:
            if isinstance(effect, RecordFeedback):
                self._record_feedback(effect)
            elif isinstance(effect, RecordAnswers):
                self._record_answers(effect)
            elif isinstance(effect, IssueTicket):
                self._issue_ticket(effect)
        self._show_change()

    def _show_change(self) -> None:
        view = self.view
        self._warned = view.warning  # what the screen shows now
        if self.on_change is not None:
            self.on_change(view)

    def _record_feedback(self, effect: RecordFeedback) -> None:
        misuse = self._misuse.observe(effect.rated_at)
        event = feedback_event(
            stamp=self._clock.stamp_at(effect.rated_at),
            language=effect.language,
            rating=effect.rating,
            reason=effect.reason,
            comment=effect.comment,
            misuse=misuse,
        )

        def append() -> dict:
            self.outbox.append(event)
            return event

        if self.journey.step is Step.THANKS:
            self._write = WriteStatus.SAVING
            self.writer.write_then(append, self._feedback_written, "record a rating")
        else:
            # Abandoned by a timeout, recorded on the way back to start: no screen waits for it.
            self.writer.write_soon(append, "record a rating")

    def _record_answers(self, effect: RecordAnswers) -> None:
        """Each answer as its own response (one visit id joins them), the comment last; the
        misuse rules count the visit once, as a rating."""
        questions = self.config.questions
        assert questions is not None
        first = effect.answers[0].answered_at
        misuse = self._misuse.observe(first)
        visit = str(uuid.uuid4())

        def event(answer: Answer, **extra: str) -> dict:
            return response_event(
                stamp=self._clock.stamp_at(answer.answered_at),
                language=answer.language,
                question_set=questions.id,
                set_version=questions.version,
                question=answer.question,
                scale=answer.scale,
                value=answer.value,
                visit=visit,
                misuse=misuse,
                **extra,
            )

        events = [event(answer) for answer in effect.answers]
        if effect.comment:  # in the language it was written in, at the last answer's time
            last = effect.answers[-1].answered_at
            comment = Answer(COMMENT_QUESTION, COMMENT_SCALE, None, last, effect.language)
            events.append(event(comment, comment=effect.comment))

        def append() -> dict:
            self.outbox.append_all(events)
            return events[-1]

        if self.journey.step is Step.THANKS:
            self._write = WriteStatus.SAVING
            self.writer.write_then(append, self._feedback_written, "record the answers")
        else:
            self.writer.write_soon(append, "record the answers")

    def _issue_ticket(self, effect: IssueTicket) -> None:
        point = self.config.service_point(effect.service_point)
        stamp = self._clock.stamp_at(effect.requested_at)
        self._write, self._ticket, self._printed = WriteStatus.SAVING, None, None
        hold = self.printing is not None
        today = service_day(stamp.occurred_at, self.config.kiosk.timezone)

        def build(ticket: str) -> dict:
            return checkin_event(
                stamp=stamp,
                language=effect.language,
                service_point=point.id,
                ticket=ticket,
                method=effect.method,
                printed=False,
            )

        def check_in() -> dict:
            return self.outbox.check_in(
                ticket_range=TicketRange(point.prefix, point.first, point.last),
                build_event=build,
                today=today,
                hold=hold,
            )

        def taken(event: dict | None) -> None:
            self._ticket_taken(event["ticket"] if event else None)
            if event and self.printing is not None:
                self._print(event, point, stamp.occurred_at)

        self.writer.write_then(check_in, taken, "take a queue ticket")

    def _print(self, event: dict, point: ServicePoint, at: datetime) -> None:
        """Print on the printer's thread; then release the held check-in with `printed`."""
        assert self.printing is not None
        ticket = self.printing.ticket_text(
            self.config, point, event["language"], event["ticket"], at
        )
        future = self.printing.print(ticket)

        def printed(result: PrintResult) -> None:
            self.writer.write_soon(
                lambda: self.outbox.release(event["id"], printed=result.printed),
                "record whether the ticket printed",
            )
            self.record_printer_state(result.state)
            if self.journey.step is Step.TICKET and self._ticket == event["ticket"]:
                self._printed = result.printed
                self.journey.ticket_printed(result.printed, self._monotonic())
                self._show_change()

        future.add_done_callback(lambda f: self._post(lambda: printed(f.result())))

    def _feedback_written(self, event: dict | None) -> None:
        if self.journey.step is Step.THANKS:
            self._write = WriteStatus.SAVED if event else WriteStatus.FAILED
            self._show_change()

    def _ticket_taken(self, ticket: str | None) -> None:
        if self.journey.step is Step.TICKET:
            self._ticket = ticket
            self._write = WriteStatus.SAVED if ticket else WriteStatus.FAILED
            self._show_change()

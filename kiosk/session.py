"""The kiosk's application service: one visitor journey at a time, the misuse rules, and the
outbox writes, done on one worker thread so recording never stalls a frame.

No Kivy here: the UI hands in `post`, which runs a callback on its own thread, and `on_change`,
which it calls with a fresh `View` after every change the screen has to show.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TypeVar

from kiosk import __version__
from kiosk.clock import KioskClock
from kiosk.config import KioskConfig, ServicePoint
from kiosk.devices.booking import BookingRule, decide
from kiosk.devices.interfaces import PrinterState, PrintResult
from kiosk.events import checkin_event, feedback_event
from kiosk.i18n import N_
from kiosk.journey import (
    Effect,
    IssueTicket,
    Journey,
    JourneyError,
    JourneyRules,
    RecordFeedback,
    Step,
)
from kiosk.misuse import BounceFilter, MisuseDetector, MisuseRules
from kiosk.outbox import Outbox, OutboxError, OutboxMeta
from kiosk.printing import TicketPrinting
from kiosk.tickets import TicketRange, service_day

log = logging.getLogger(__name__)

# How long a touch waits for its write before letting the frame go on (a fraction of a frame).
ANSWER_WAIT_S = 0.012

T = TypeVar("T")
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
class View:
    """What the screen shows now."""

    step: Step
    language: str
    rating: int | None
    offered_reasons: tuple[str, ...]
    service_point: str | None
    ticket: str | None
    write: WriteStatus
    printed: bool | None = None  # None: no printer, or the ticket is still printing
    notice: str | None = None  # a catalog message for the start screen (a refused barcode)


@dataclass(frozen=True)
class AdminStatus:
    """The figures of the hidden admin screen."""

    kiosk_id: str
    site: str
    version: str
    pending: int
    quarantined: int
    oldest_pending: datetime | None
    last_sync: str | None
    free_disk_bytes: int
    outbox_path: str
    storage_failing: bool = False  # the last write to the outbox failed


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
    )


def _run_inline(callback: Callable[[], None]) -> None:
    callback()


class StorageEpisodes:
    """Failed outbox writes, told to IT once per episode rather than once per touch: the first
    failure with its cause, then nothing until a write works again, which ends the episode.

    A full or read-only data dir fails every write until someone fixes it; the kiosk keeps
    trying each write (and apologising to the visitor), so it resumes by itself.
    """

    def __init__(self, logger: logging.Logger = log) -> None:
        self._log = logger
        self.failures = 0  # in the current episode; 0 when writes work

    @property
    def failing(self) -> bool:
        return self.failures > 0

    def failed(self, what: str, path: object, err: BaseException) -> None:
        self.failures += 1
        if self.failures == 1:
            self._log.error(
                "could not %s in %s: %s Visitors are shown an apology; the kiosk tries every "
                "write again and says here when writes work again.",
                what,
                path,
                err,
            )
        self._log.debug("could not %s in %s", what, path, exc_info=err)

    def succeeded(self, path: object) -> None:
        if self.failures:
            # A warning like the failure's error: `journalctl -p warning` shows both ends.
            self._log.warning("writes to %s work again (%d failed meanwhile)", path, self.failures)
            self.failures = 0


class KioskSession:
    """Drives the journey and records what it yields; every public method runs on the UI thread."""

    def __init__(
        self,
        config: KioskConfig,
        outbox: Outbox,
        *,
        clock: KioskClock | None = None,
        post: Callable[[Callable[[], None]], None] = _run_inline,
        on_change: Callable[[View], None] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        printing: TicketPrinting | None = None,
    ) -> None:
        self.printing = printing
        self._printed: bool | None = None
        self._notice: str | None = None
        self._method = "touch"
        self._noted_printer: PrinterState | None = None
        self.outbox = outbox
        self._clock = clock or KioskClock(monotonic=monotonic)
        self._post = post
        self._monotonic = monotonic
        self.on_change = on_change
        self._set_config(config)
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox-writer")
        self.storage = StorageEpisodes()  # used on the writer thread only
        self._write = WriteStatus.IDLE
        self._ticket: str | None = None

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
        view = self.view
        return (
            view.step is Step.START
            and view.language == self.config.kiosk.default_language
            and self._write is not WriteStatus.SAVING
        )

    def replace_config(self, config: KioskConfig) -> None:
        """Run with a new config from now on (call only when `is_idle`)."""
        self._set_config(config)
        if self.on_change:
            self.on_change(self.view)

    # --- the visitor's actions -------------------------------------------------------------

    def accept_touch(self, control: str, window_s: float | None = None) -> bool:
        """False for input-driver bounce: a second touch within the bounce time on one control."""
        return self._bounce.accept(control, self._monotonic(), window_s)

    def start_feedback(self) -> None:
        self._act(self.journey.start_feedback)

    def rate(self, rating: int) -> None:
        self._act(self.journey.rate, rating)

    def choose_reason(self, reason: str | None) -> None:
        self._act(self.journey.choose_reason, reason)

    def submit_comment(self, text: str | None) -> None:
        self._act(self.journey.submit_comment, text)

    def start_check_in(self) -> None:
        self._act(self.journey.start_check_in)

    def choose_service_point(self, service_point: str) -> None:
        self._act(self.journey.choose_service_point, service_point)

    def back(self) -> None:
        self._act(self.journey.back)

    def finish(self) -> None:
        self._act(self.journey.finish)

    def set_language(self, language: str) -> None:
        self._act(self.journey.set_language, language)

    # --- the devices' actions ----------------------------------------------------------------

    def record_printer_state(self, state: PrinterState) -> None:
        """Keep the printer's state where the sync agent's heartbeat reads it (written only
        when it changed: the printer is asked every half minute)."""
        if state is self._noted_printer:
            return
        self._noted_printer = state
        self._write_later(
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
            log.info(
                "a scanned code was %s",
                "refused" if decision.refused_personal_data else "not recognised",
            )
            self._changed()
            return
        self._notice = None
        if self.journey.step is Step.START:
            self._act(self.journey.start_check_in)
        self._method = "barcode"
        try:
            self._act(self.journey.choose_service_point, decision.service_point)
        finally:
            self._method = "touch"

    def rate_from_panel(self, rating: int) -> None:
        """A press on the button panel: the same rating path as a smiley, misuse rules too."""
        if self.accept_touch(f"panel-{rating}"):
            self._act(self.journey.quick_rate, rating)

    def touch(self) -> None:
        """Any activity (a key typed) that keeps the visitor's step from timing out."""
        self.journey.touch(self._monotonic())

    def tick(self) -> None:
        """Apply the timeouts; the UI calls this a few times a second."""
        before = (self.journey.step, self.journey.language)
        effects = self.journey.tick(self._monotonic())
        if effects or (self.journey.step, self.journey.language) != before:
            self._after(effects)

    # --- what the screen shows ---------------------------------------------------------------

    @property
    def view(self) -> View:
        journey = self.journey
        return View(
            step=journey.step,
            language=journey.language,
            rating=journey.rating,
            offered_reasons=journey.offered_reasons,
            service_point=journey.service_point,
            ticket=self._ticket,
            write=self._write,
            printed=self._printed,
            notice=self._notice,
        )

    def read_admin_status(self, callback: Callable[[AdminStatus], None]) -> None:
        """Read the admin figures on the writer thread; callback gets them on the UI thread."""

        def read() -> None:
            stats = self.outbox.stats()
            status = AdminStatus(
                kiosk_id=self.config.kiosk.kiosk_id,
                site=self.config.kiosk.site,
                version=__version__,
                pending=stats.backlog,
                quarantined=stats.quarantined,
                oldest_pending=stats.oldest_pending,
                last_sync=self.outbox.get_meta(OutboxMeta.LAST_UPLOAD),
                free_disk_bytes=shutil.disk_usage(self.outbox.path.parent).free,
                outbox_path=str(self.outbox.path),
                storage_failing=self.storage.failing,
            )
            self._post(lambda: callback(status))

        self._submit(read, "read the admin status")

    def maintain(self) -> None:
        """Retention: delete sent events past their days; release check-ins held by a crash."""

        def run() -> None:
            purged = self.outbox.purge_sent(
                older_than=timedelta(days=self.config.outbox.retention_days)
            )
            released = self.outbox.release_stale_holds()
            if purged or released:
                log.info(
                    "retention: %d sent events deleted, %d held check-ins released",
                    purged,
                    released,
                )

        self._submit(run, "apply the outbox retention")

    def flush(self) -> None:
        """Wait until every write handed to the writer thread so far is done."""
        self._writer.submit(lambda: None).result()

    def close(self) -> None:
        """Finish the writes already handed over, then stop the writer thread."""
        self._writer.shutdown(wait=True)

    # --- internals ---------------------------------------------------------------------------

    def _act(self, action: Callable[..., list[Effect]], *args: object) -> None:
        try:
            effects = action(*args, self._monotonic())
        except JourneyError as err:
            # A second tap that lands while the screen is being left: harmless, and not a rating.
            log.info("ignored a touch: %s", err)
            return
        self._after(effects)

    def _after(self, effects: list[Effect]) -> None:
        if self.journey.step is not Step.START:
            self._notice = None
        if self.journey.step is Step.START:
            self._write, self._ticket, self._printed = WriteStatus.IDLE, None, None
        for effect in effects:
            if isinstance(effect, RecordFeedback):
                self._record_feedback(effect)
            elif isinstance(effect, IssueTicket):
                self._issue_ticket(effect)
        self._changed()

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change(self.view)

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

        def write() -> bool:
            return self._try(lambda: self.outbox.append(event), "record a rating")

        if self.journey.step is Step.THANKS:
            self._write = WriteStatus.SAVING
            self._write_then(write, self._write_done, "record a rating")
        else:
            # Abandoned by a timeout, recorded on the way back to start: no screen waits for it.
            self._submit(write, "record a rating")

    def _issue_ticket(self, effect: IssueTicket) -> None:
        point = self.config.service_point(effect.service_point)
        stamp = self._clock.stamp_at(effect.requested_at)
        self._write, self._ticket, self._printed = WriteStatus.SAVING, None, None
        method, hold = self._method, self.printing is not None

        def build(ticket: str) -> dict:
            return checkin_event(
                stamp=stamp,
                language=effect.language,
                service_point=point.id,
                ticket=ticket,
                method=method,
                printed=False,
            )

        def write() -> dict | None:
            result: list[dict] = []
            ok = self._try(
                lambda: result.append(
                    self.outbox.check_in(
                        ticket_range=TicketRange(point.prefix, point.first, point.last),
                        build_event=build,
                        today=service_day(stamp.occurred_at, self.config.kiosk.timezone),
                        hold=hold,
                    )
                ),
                "take a queue ticket",
            )
            return result[0] if ok else None

        def done(event: dict | None) -> None:
            self._ticket_done(event["ticket"] if event else None)
            if event and self.printing is not None:
                self._print(event, point, stamp.occurred_at)

        self._write_then(write, done, "take a queue ticket")

    def _print(self, event: dict, point: ServicePoint, at: datetime) -> None:
        """Print on the printer's thread; then release the held check-in with `printed`."""
        assert self.printing is not None
        ticket = self.printing.ticket_text(
            self.config, point, event["language"], event["ticket"], at
        )
        future = self.printing.print(ticket)

        def printed(result: PrintResult) -> None:
            self._write_later(
                lambda: self.outbox.release(event["id"], printed=result.printed),
                "record whether the ticket printed",
            )
            self.record_printer_state(result.state)
            if self.journey.step is Step.TICKET and self._ticket == event["ticket"]:
                self._printed = result.printed
                self._changed()

        future.add_done_callback(lambda f: self._post(lambda: printed(f.result())))

    def _write_then(self, job: Callable[[], T], done: Callable[[T], None], what: str) -> None:
        """Run job on the writer thread and hand its result to done on the UI thread.

        A write that answers within ANSWER_WAIT_S (nearly all do: they take about a millisecond)
        is handed over at once, so the next screen is drawn in this very frame; a slower one
        (a busy SD card) comes back through `post` while the frames go on.
        """
        try:
            future = self._writer.submit(job)
        except RuntimeError:
            log.error("could not %s: the kiosk is shutting down", what)
            return
        try:
            result = future.result(timeout=ANSWER_WAIT_S)
        except TimeoutError:
            future.add_done_callback(lambda f: self._post(lambda: done(f.result())))
            return
        done(result)

    def _write_done(self, ok: bool) -> None:
        if self.journey.step is Step.THANKS:
            self._write = WriteStatus.SAVED if ok else WriteStatus.FAILED
            self._changed()

    def _ticket_done(self, ticket: str | None) -> None:
        if self.journey.step is Step.TICKET:
            self._ticket = ticket
            self._write = WriteStatus.SAVED if ticket else WriteStatus.FAILED
            self._changed()

    def _try(self, write: Callable[[], object], what: str) -> bool:
        try:
            write()
        except OutboxError as err:
            # The visitor gets a calm apology on screen; the details are for IT, in the log.
            self.storage.failed(what, self.outbox.path, err)
            return False
        except Exception:
            log.exception("could not %s in %s", what, self.outbox.path)  # a bug: every time
            return False
        self.storage.succeeded(self.outbox.path)
        return True

    def _write_later(self, write: Callable[[], object], what: str) -> None:
        """A write on the writer thread that nobody waits for; a failure is logged."""
        self._submit(lambda: self._try(write, what), what)

    def _submit(self, job: Callable[[], object], what: str) -> None:
        try:
            self._writer.submit(job)
        except RuntimeError:
            log.error("could not %s: the kiosk is shutting down", what)

"""Speech mode's voice in the app: a screen speaks when it appears, a choice when it gets the
focus. `say` only hands the text to the speech engine's own thread and returns, so speaking never
delays a recording or a frame; a newer text cuts off the one being spoken."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping

from kivy.uix.widget import Widget

from kiosk import spoken
from kiosk.devices.interfaces import Speech
from kiosk.journey import Step
from kiosk.session import View

log = logging.getLogger(__name__)


def words_of(widget: Widget) -> str:
    """What a control says: a card's title and line, a smiley's word, a button's text."""
    title = getattr(widget, "title", "")
    if title:
        return spoken.sentences(title + ".", getattr(widget, "subtitle", ""))
    return spoken.choice(getattr(widget, "word", "") or getattr(widget, "text", ""))


class Speaker:
    """Says each screen on arrival and each focused control, when the view is in speech mode."""

    def __init__(
        self,
        speech: Speech | None,
        translate: spoken.Translate,
        rating_words: Mapping[int, str],
    ) -> None:
        self.speech = speech
        self._t = translate
        self._rating_words = rating_words
        self.source: spoken.KeySource = "panel"  # the keys the visitor uses, for the key help
        self._view: View | None = None
        self._shown: tuple | None = None  # what was last announced (see `_what_is_shown`)
        self._previous_step: Step | None = None
        self._after_rating = False
        self.said_at: float | None = None  # monotonic time of the last say(), for the benchmark

    @staticmethod
    def _what_is_shown(view: View) -> tuple:
        warning = bool(view.warning)
        question = view.question.id if view.question is not None else None
        return (view.step, view.language, view.ticket, view.write, view.printed is False,
                view.notice, warning, question)  # fmt: skip

    def screen_changed(self, view: View, *, entering: bool) -> bool:
        """Note the view; True when it shows something new to announce (or speech just
        started: `entering`). Then `announce` is called with the focused control."""
        shown = self._what_is_shown(view)
        new = entering or shown != self._shown
        if new:
            self._after_rating = self._previous_step is Step.RATING and view.step is not Step.RATING
            self._previous_step = view.step
            self._shown = shown
        self._view = view
        return new

    @property
    def language(self) -> str | None:
        """The language of the view last announced."""
        return None if self._view is None else self._view.language

    def step_changed(self, view: View) -> bool:
        """True when the view's screen (or the warning over it, or the national set's question
        on it) is another than last time."""
        question = view.question.id if view.question is not None else None
        return self._shown is None or (self._shown[0], self._shown[6], self._shown[7]) != (
            view.step,
            bool(view.warning),
            question,
        )

    def announce(self, focused: Widget | None, *, keys: bool = False) -> None:
        """The screen, then the focused control (`keys`: the key help first)."""
        view = self._view
        if view is None:
            return
        arrival = spoken.arrival(
            self._t,
            view,
            rating_words=self._rating_words,
            after_rating=self._after_rating,
            source=self.source,
        )
        help_ = spoken.key_help(self._t, view.language, self.source) if keys else ""
        warning = bool(view.warning)  # its text names its one button
        focus = "" if focused is None or warning else words_of(focused)
        self.say(spoken.sentences(help_, arrival, focus))

    def focus_moved(self, focused: Widget) -> None:
        self.say(words_of(focused))

    def repeat(self, focused: Widget | None, *, keys: bool = False) -> None:
        """The screen again, as on arrival (but without the rating's confirmation)."""
        self._after_rating = False
        self.announce(focused, keys=keys)

    def say(self, text: str) -> None:
        if self.speech is None or self._view is None or not text:
            return
        self.said_at = time.monotonic()
        self.speech.say(text, self._view.language)

    def quiet(self) -> None:
        """Speech mode ended (the next visitor): stop talking and forget the screen."""
        self._shown, self._view, self._previous_step = None, None, None
        if self.speech is not None:
            self.speech.stop()

    def close(self) -> None:
        if self.speech is not None:
            self.speech.close()

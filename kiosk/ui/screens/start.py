"""The start screen: check in, or rate the visit (one touch on a face rates, as on the feedback
terminals visitors know; on a site that asks the national set, the card opens its questions).
It shows the station's logo, the time, the site's "You said, we did" message and where to get
help when the config has them, and holds the hidden admin corner."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from kivy.clock import Clock
from kivy.properties import BooleanProperty, ColorProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from kiosk.config import KioskConfig, text
from kiosk.session import View
from kiosk.typography import keep_together
from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.widgets.buttons import BounceFilteredButton

log = logging.getLogger(__name__)

CLOCK_S = 1.0  # how often the clock looks at the time (it shows minutes)
CARD_PARTS = ("national_line", "faces")  # the feedback card's optional parts, in their order


class StartCard(BounceFilteredButton, BoxLayout):
    """One of the start screen's two large choices: its picture, title and line (what focus and
    speech read too) are its own children in start.kv."""

    bg = ColorProperty("#00504a")
    title = StringProperty("")
    subtitle = StringProperty("")


class MessagePanel(BoxLayout):
    """The site's "You said, we did" message under its heading, on a light panel of its own."""

    bg = ColorProperty("#ffffff")


class AdminCorner(Widget):
    """An invisible corner: a long press opens the admin PIN screen."""

    hold_seconds = NumericProperty(3.0)
    control = StringProperty("admin-corner")

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._pending = None

    def on_touch_down(self, touch: object) -> bool:
        if not self.collide_point(*touch.pos):
            return False
        touch.grab(self)
        self._pending = Clock.schedule_once(self._open, self.hold_seconds)
        return True

    def on_touch_up(self, touch: object) -> bool:
        if touch.grab_current is self:
            touch.ungrab(self)
            self._cancel()
            return True
        return False

    def _cancel(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None

    def _open(self, _dt: float) -> None:
        self._pending = None
        from kivy.app import App

        App.get_running_app().open_admin()


def usable_logo(config: KioskConfig) -> str:
    """The logo's path as the screen loads it, or "" when there is none or it is missing (a
    warning in the log says which file and what to do)."""
    path: Path | None = config.logo_path
    if path is None:
        return ""
    if not path.is_file():
        log.warning(
            "the logo %s in [display] logo of %s is missing; the start screen shows no logo until "
            "the file is there or the key is removed",
            path,
            config.source,
        )
        return ""
    return str(path)


class StartScreen(KioskScreen):
    help_line = StringProperty("")  # where to get help, in the visitor's language
    message = StringProperty("")  # "You said, we did" in the visitor's language; "" for none
    logo = StringProperty("")  # the logo file's path; "" for none
    clock_text = StringProperty("")  # "14.05"; "" without a clock
    national = BooleanProperty(False)  # the site asks the national set: no faces to rate with

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._config: KioskConfig | None = None
        self._parts: dict[str, Widget] = {}  # the feedback card's optional parts, held
        self._clock_event = Clock.schedule_interval(lambda _dt: self._show_time(), CLOCK_S)

    def refresh(self, view: View) -> None:
        config = self.app.kiosk_config
        help_line = config.kiosk.help_line
        self.help_line = keep_together(text(help_line, view.language)) if help_line else ""
        message = config.message
        self.message = keep_together(text(message, view.language)) if message else ""
        if config is not self._config:  # a new config: its logo is looked for once
            self._config = config
            self.logo = usable_logo(config)
        self._show_time()
        self.national = view.national
        # In large text the card is one button; on a national site there are no faces to tap.
        shown = {"national_line": view.national, "faces": not (view.large_text or view.national)}
        self._card_parts(*(name for name, on in shown.items() if on))

    def _card_parts(self, *shown: str) -> None:
        """The feedback card's optional parts (CARD_PARTS: the national set's line, the face
        buttons) on it in that order under its title, the others off it: hidden buttons would
        still take touches, and a part of no height still takes the card's spacing."""
        for name in CARD_PARTS:  # held here: off the card, only the ids' weak proxy is left
            if name not in self._parts:
                self._parts[name] = self.ids[name].__ref__()
        card = self.ids.feedback_card
        wanted = [self._parts[name] for name in CARD_PARTS if name in shown]
        if [w for w in reversed(card.children) if w in self._parts.values()] == wanted:
            return
        for widget in self._parts.values():
            if widget.parent is not None:
                widget.parent.remove_widget(widget)
        for widget in wanted:
            card.add_widget(widget, index=0)  # after the title and the part before

    def rate_at_once(self, rating: int) -> None:
        """A face on the feedback card: the rating, as if the visitor had opened the rating
        screen and touched it there."""
        session = self.app.session
        session.start_feedback()
        session.rate(rating)

    def _show_time(self) -> None:
        config = self._config
        if config is None or not config.display.clock:
            self.clock_text = ""
            return
        # As written in Finland, in Finnish and Swedish alike: 14.05, 09.30.
        self.clock_text = f"{datetime.now(config.kiosk.timezone):%H.%M}"

"""Speech mode in the app: the panel's and the keypad's keys move the focus, choose and go back;
screens and focused controls speak.

Speech mode starts without sight: a panel key held for 2 s (`PanelKeys`), or any key of a USB
numeric keypad. It lasts for one visitor (`KioskSession.set_assisted`; the journey resets it at
the start screen). Outside speech mode the panel's presses are quick ratings, as they always were.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from kivy.clock import Clock
from kivy.core.window import Keyboard
from kivy.uix.widget import Widget

from kiosk.devices.interfaces import Speech
from kiosk.devices.panel import PanelInput, PanelKeys, parse_line
from kiosk.keys import PANEL_HOLD, PANEL_KEYS, Nav, is_keypad_key, keypad_action
from kiosk.rating_words import RATING_WORDS
from kiosk.session import KioskSession, View
from kiosk.ui.focus import FocusRing
from kiosk.ui.speaker import Speaker

log = logging.getLogger(__name__)

KEY_NAMES = {code: name for name, code in Keyboard.keycodes.items()}


class AssistedUse:
    """The keys of speech mode, the focus ring and the speaker, for the app `app`."""

    def __init__(
        self, app: object, speech: Speech | None, not_for_visitors: tuple[str, ...]
    ) -> None:
        self.app = app
        self.not_for_visitors = not_for_visitors
        self.speaker = Speaker(speech, app.catalogs.gettext, RATING_WORDS)
        self.focus = FocusRing(
            screen=lambda: app.manager.current_screen if app.manager else None,
            band_px=lambda: app.u * 0.12,  # 4.8 px on the 7" display
            on_focus=self._focused,
        )
        self.panel_keys = PanelKeys()
        self._assisted = False
        self._swallow_text = False
        self._quiet_focus = False  # a focus set while announcing a screen: spoken with it
        self._warned = False  # the time warning is shown
        self._before_warning: Widget | None = None  # the screen's focus under the warning
        self.focus_drawn_at: float | None = None  # monotonic, for the benchmark

    @property
    def session(self) -> KioskSession | None:
        return self.app.session

    # --- what the screen shows -------------------------------------------------------------

    def view_shown(self, view: View) -> None:
        """After the app has put the view on screen."""
        entering = view.assisted and not self._assisted
        if self._assisted and not view.assisted:
            self.focus.clear()
            self.speaker.quiet()
        self._assisted = view.assisted
        if not view.assisted:
            return
        step_changed = self.speaker.step_changed(view)
        # A visitor who switches the language may not have understood the keys: told again.
        new_language = self.speaker.language not in (None, view.language)
        if not self.speaker.screen_changed(view, entering=entering):
            return
        first = step_changed or entering
        if view.warning and not self._warned:  # its Continue holds the focus alone
            self._before_warning = self.focus.focused
        back_from_warning = self._warned and not view.warning and not step_changed
        self._warned = view.warning
        if back_from_warning:  # where the visitor was before the warning
            focused = self._quietly(lambda: self.focus.focus_on(self._before_warning))
        else:
            focused = self._quietly(self.focus.first if first else self.focus.current)
        self.speaker.announce(focused, keys=entering or new_language)

    def _quietly(self, focus: Callable[[], Widget | None]) -> Widget | None:
        """Move the focus without speaking it: the caller speaks it with the screen."""
        self._quiet_focus = True
        try:
            return focus()
        finally:
            self._quiet_focus = False

    def overlay_changed(self) -> None:
        """An overlay came or went (the time warning: call this once it is added to the window,
        or removed): the focus moves into it, or back to the screen, and is spoken."""
        if self._assisted:
            self.speaker.announce(self._quietly(self.focus.first))

    def overlay_shown(self, widget: Widget) -> None:
        """An overlay that is not a child of the window (a widget inside the screen) is shown:
        its controls alone take the focus until `overlay_hidden`."""
        self._quietly(lambda: self.focus.focus_scope(widget))
        self.overlay_changed()

    def overlay_hidden(self) -> None:
        self._quietly(self.focus.release_scope)
        self.overlay_changed()

    def _focused(self, widget: Widget) -> None:
        self.focus_drawn_at = time.monotonic()
        if not self._quiet_focus:
            self.speaker.focus_moved(widget)

    # --- the keys ----------------------------------------------------------------------------

    def on_key_down(self, _window: object, key: int, *_: object) -> bool:
        """A key from the window: True (consumed) for a keypad key on a visitor screen."""
        name = KEY_NAMES.get(key, "")
        if not is_keypad_key(name) or not self._on_visitor_screen():
            return False
        # The key's character follows as text: not for the comment field (see on_textinput).
        self._swallow_text = name.startswith("numpad") and name != "numpadenter"
        if not self._assisted:
            self.start("keypad")
        else:
            self.speaker.source = "keypad"
            action = keypad_action(name)
            if action is not None:
                self.do(action)
        return True

    def on_textinput(self, _window: object, _text: str) -> bool:
        """The text of a keypad key just taken as a move: True (dropped), not typed."""
        swallow, self._swallow_text = self._swallow_text, False
        return swallow

    def on_key_up(self, *_: object) -> None:
        self._swallow_text = False  # SDL sends a key's text between its down and its up

    def panel_line(self, line: str) -> None:
        """A line from the button panel (on the UI thread)."""
        parsed = parse_line(line)
        if parsed is None:
            log.info("ignored a line from the button panel: %r", line[:20])
            return
        event = self.panel_keys.feed(line, time.monotonic())
        if parsed.kind == "D":  # a panel says nothing while a key stays down: look again then
            Clock.schedule_once(lambda _dt: self._poll_panel(), self.panel_keys.hold_s + 0.02)
        if event is not None:
            self.panel(event)

    def _poll_panel(self) -> None:
        event = self.panel_keys.poll(time.monotonic())
        if event is not None:
            self.panel(event)

    def panel(self, event: PanelInput) -> None:
        session = self.session
        if session is None:
            return
        if event.kind == "press" and not self._assisted:
            session.rate_from_panel(event.key)  # a quick rating, as a panel always gave
            return
        if not self._on_visitor_screen():
            return
        if event.kind == "hold":
            if self._assisted:
                self.do(PANEL_HOLD)
            else:
                self.start("panel")
        else:
            self.speaker.source = "panel"
            self.do(PANEL_KEYS[event.key])

    def start(self, source: str) -> None:
        """Speech mode on for this visitor; the screen then tells the keys."""
        log.info("speech mode switched on from the %s", source)
        self.speaker.source = source  # type: ignore[assignment]
        if self.session is not None:
            self.session.set_assisted(True)

    def do(self, action: Nav) -> None:
        session = self.session
        if session is None:
            return
        if session.view.warning:  # any key means "I am still here", as a touch beside Continue
            self.app.keep_going()
            return
        self.app.note_touch()
        moves: dict[Nav, Callable[[], object]] = {
            Nav.PREVIOUS: lambda: self.focus.move(-1),
            Nav.NEXT: lambda: self.focus.move(1),
            Nav.SELECT: self.focus.select,
            Nav.BACK: session.back,
            Nav.REPEAT: lambda: self.speaker.repeat(self._quietly(self.focus.current)),
            Nav.HELP: lambda: self.speaker.repeat(self._quietly(self.focus.current), keys=True),
        }
        moves[action]()

    def _on_visitor_screen(self) -> bool:
        manager = self.app.manager
        return manager is not None and manager.current not in self.not_for_visitors

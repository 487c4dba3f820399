"""The Kivy app: screens, sizes that follow the window, and the session's view on screen.

It routes each View to its step's screen; the config's hot reload is kiosk.ui.config_watch's job,
the admin's upkeep kiosk.maintenance's.

Without an outbox (it could not be opened at start-up) the app shows its out-of-order screen and
tries to open it again every few seconds; the session, the devices and the visitor's screens
start once it opens.
"""

from __future__ import annotations

import logging
import threading
import time
from importlib.resources import files
from pathlib import Path

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.screenmanager import NoTransition, ScreenManager
from kivy.utils import get_color_from_hex

from kiosk.central_config import ConfigSource
from kiosk.config import KioskConfig, text
from kiosk.i18n import Catalogs
from kiosk.journey import Step
from kiosk.maintenance import Maintenance
from kiosk.notify import notify, watchdog_interval_s
from kiosk.outbox import Outbox, OutboxError
from kiosk.session import KioskSession, View, WriteStatus
from kiosk.text_size import font_sizes
from kiosk.theme import PALETTE
from kiosk.ui.assisted import AssistedUse
from kiosk.ui.config_watch import ConfigWatcher
from kiosk.ui.devices import KioskDevices
from kiosk.ui.screens.admin import AdminScreen
from kiosk.ui.screens.admin_pin import AdminPinScreen
from kiosk.ui.screens.comment import CommentScreen
from kiosk.ui.screens.languages import LanguagesScreen
from kiosk.ui.screens.out_of_order import OutOfOrderScreen
from kiosk.ui.screens.rating import RatingScreen
from kiosk.ui.screens.reason import ReasonScreen
from kiosk.ui.screens.recommend import RecommendScreen
from kiosk.ui.screens.service_point import ServicePointScreen
from kiosk.ui.screens.start import StartScreen
from kiosk.ui.screens.statement import StatementScreen
from kiosk.ui.screens.thanks import ThanksScreen
from kiosk.ui.screens.ticket import TicketScreen
from kiosk.ui.screens.touch_test import TouchTestScreen
from kiosk.ui.widgets import icons, keyboard, smiley, topbar  # noqa: F401 - registers the widgets
from kiosk.ui.widgets.buttons import BounceFilteredButton
from kiosk.ui.widgets.time_warning import TimeWarning

log = logging.getLogger(__name__)

OUT_OF_ORDER = "out_of_order"
LANGUAGES = "languages"  # the language picker, over whichever visitor screen opened it
OUTBOX_RETRY_S = 15.0  # how often the out-of-order screen tries to open the outbox again
KV_FILES = (
    (
        "kiosk.ui.widgets",
        ("buttons.kv", "icons.kv", "topbar.kv", "keyboard.kv", "choices.kv", "time_warning.kv"),
    ),
    (
        "kiosk.ui.screens",
        (
            "start.kv",
            "rating.kv",
            "recommend.kv",
            "statement.kv",
            "reason.kv",
            "comment.kv",
            "thanks.kv",
            "service_point.kv",
            "ticket.kv",
            "admin_pin.kv",
            "admin.kv",
            "touch_test.kv",
            "out_of_order.kv",
            "languages.kv",
        ),
    ),
)
SCREENS = {
    Step.START.value: StartScreen,
    Step.RATING.value: RatingScreen,
    Step.RECOMMEND.value: RecommendScreen,
    Step.STATEMENT.value: StatementScreen,
    Step.REASON.value: ReasonScreen,
    Step.COMMENT.value: CommentScreen,
    Step.THANKS.value: ThanksScreen,
    Step.SERVICE_POINT.value: ServicePointScreen,
    Step.TICKET.value: TicketScreen,
    "admin_pin": AdminPinScreen,
    "admin": AdminScreen,
    "touch_test": TouchTestScreen,
    OUT_OF_ORDER: OutOfOrderScreen,
    LANGUAGES: LanguagesScreen,
}
ADMIN_SCREENS = ("admin_pin", "admin", "touch_test")
TICK_S = 0.25
MAINTAIN_S = 3600.0

Factory.register("BounceFilteredButton", cls=BounceFilteredButton)


class HymyApp(App):
    """The kiosk's touchscreen app. Sizes are properties the .kv rules bind to."""

    lang = StringProperty("fi")
    station_name = StringProperty("")
    notice = StringProperty("")  # a refused scan, shown on the start screen
    portrait = BooleanProperty(False)
    u = NumericProperty(40.0)  # layout unit: a twelfth of the window's shorter side
    touch_min = NumericProperty(63.0)  # 12 mm in pixels at the display's dpi
    font_s = NumericProperty(20.0)
    font_m = NumericProperty(26.0)
    font_l = NumericProperty(32.0)
    font_xl = NumericProperty(44.0)
    # A step down in large text, never under the normal size (kiosk.text_size.FontSizes).
    font_m_snug = NumericProperty(26.0)
    font_l_snug = NumericProperty(32.0)
    font_xl_snug = NumericProperty(44.0)
    large_text = BooleanProperty(False)  # the visitor's A+: the font sizes follow it

    def __init__(
        self,
        kiosk_config: KioskConfig,
        outbox: Outbox | Path,
        catalogs: Catalogs,
        source: ConfigSource | None = None,
    ) -> None:
        """`outbox` is the open outbox, or the path of one that could not be opened yet."""
        super().__init__()
        self.config_watcher = (
            None
            if source is None
            else ConfigWatcher(
                source,
                running=lambda: self.kiosk_config,
                at_rest=self._at_rest,
                last_touch=lambda: self._last_touch,
                apply=self._use_config,
            )
        )
        self.title = "Hymy"
        self.kiosk_config = kiosk_config
        self.catalogs = catalogs
        self.lang = kiosk_config.kiosk.default_language
        self.station_name = text(kiosk_config.kiosk.station_name, self.lang)
        self.devices = KioskDevices(kiosk_config, catalogs.gettext)
        self.assisted = AssistedUse(self, self.devices.speech, (*ADMIN_SCREENS, OUT_OF_ORDER))
        self.outbox_retry_s = OUTBOX_RETRY_S
        self._opening = False  # an attempt to open the outbox is under way on its thread
        self._last_open_attempt = time.monotonic()
        self._open_error = ""
        self.outbox: Outbox | None = None
        self.session: KioskSession | None = None
        self.maintenance: Maintenance | None = None
        if isinstance(outbox, Outbox):
            self.outbox_path = outbox.path
            self._use_outbox(outbox)
        else:
            self.outbox_path = outbox
            try:
                self._use_outbox(Outbox.open(outbox))
            except OutboxError as err:
                self._outbox_still_missing(err)
        self.manager: ScreenManager | None = None
        self.time_warning: TimeWarning | None = None  # "Do you need more time?", over any screen
        self.first_frame_at: float | None = None
        self._last_touch = time.monotonic()

    # --- building ------------------------------------------------------------------------

    def build(self) -> ScreenManager:
        for package, names in KV_FILES:
            for name in names:
                Builder.load_file(str(files(package).joinpath(name)))
        Window.clearcolor = get_color_from_hex(PALETTE.background)
        Window.bind(size=self._fit_to_window)
        # A USB keypad: speech mode's keys (bound last, so heard before a text field's).
        assisted = self.assisted
        Window.bind(
            on_key_down=assisted.on_key_down,
            on_textinput=assisted.on_textinput,
            on_key_up=assisted.on_key_up,
        )
        self.bind(large_text=lambda *_: self._fit_to_window(Window, Window.size))
        self._fit_to_window(Window, Window.size)
        self.manager = ScreenManager(transition=NoTransition())
        self.time_warning = TimeWarning(keep_going=self.keep_going)
        for name, screen_class in SCREENS.items():
            self.manager.add_widget(screen_class(name=name))
        if self.session is None:
            self.manager.current = OUT_OF_ORDER
        else:
            self.manager.current = Step.START.value
            self.show_view(self.session.view)
        return self.manager

    def on_start(self) -> None:
        Clock.schedule_interval(lambda _dt: self._tick(), TICK_S)
        if self.session is not None:
            self._start_session()
        if self.config_watcher is not None:
            self.config_watcher.start()
        Clock.schedule_once(self._first_frame, 0)
        # The watchdog is fed on the out-of-order screen too: the app is alive and showing it.
        interval = watchdog_interval_s()
        if interval:
            Clock.schedule_interval(lambda _dt: notify("WATCHDOG=1"), interval)

    # --- the outbox, and the out-of-order screen while there is none -----------------------

    def _use_outbox(self, outbox: Outbox) -> None:
        self.outbox = outbox
        session = KioskSession(
            self.kiosk_config,
            outbox,
            post=lambda callback: Clock.schedule_once(lambda _dt: callback()),
            on_change=self.show_view,
            printing=self.devices.printing,
        )
        self.session = session
        self.maintenance = Maintenance(session.writer, lambda: session.config)

    def _start_session(self) -> None:
        """The devices and the hourly outbox upkeep (once the app runs and has an outbox)."""
        assert self.session is not None and self.maintenance is not None
        maintenance = self.maintenance
        self.devices.start(self.session, on_panel=self.assisted.panel_line)
        Clock.schedule_interval(lambda _dt: maintenance.apply_retention(), MAINTAIN_S)
        maintenance.apply_retention()

    def _try_outbox_again(self) -> None:
        """Open the outbox on a thread of its own (it may wait seconds for a lock or a slow
        card) while the out-of-order screen keeps drawing and the watchdog keeps being fed."""
        if self._opening or time.monotonic() - self._last_open_attempt < self.outbox_retry_s:
            return
        self._opening = True
        self._last_open_attempt = time.monotonic()
        path = self.outbox_path

        def attempt() -> None:
            try:
                outbox = Outbox.open(path)
            except OutboxError as err:
                Clock.schedule_once(lambda _dt, e=err: self._outbox_still_missing(e))
            else:
                Clock.schedule_once(lambda _dt: self._outbox_opened(outbox))

        threading.Thread(target=attempt, name="outbox-open", daemon=True).start()

    def _outbox_still_missing(self, err: OutboxError) -> None:
        self._opening = False
        if str(err) != self._open_error:  # once per cause, not every few seconds
            self._open_error = str(err)
            log.error(
                "%s The kiosk shows its out-of-order screen and tries again every %.0f s.",
                err,
                self.outbox_retry_s,
            )

    def _outbox_opened(self, outbox: Outbox) -> None:
        self._opening = False
        self._use_outbox(outbox)
        self._start_session()
        # A warning like the failure's error: `journalctl -p warning` shows both ends.
        log.warning("the outbox %s opened: the kiosk is back in service", outbox.path)
        assert self.session is not None and self.manager is not None
        self.show_screen(Step.START.value)
        self.show_view(self.session.view)

    def _first_frame(self, _dt: float) -> None:
        self.first_frame_at = time.monotonic()
        notify("READY=1")
        log.info("kiosk %s ready", self.kiosk_config.kiosk.kiosk_id)

    def on_stop(self) -> None:
        notify("STOPPING=1")
        self.devices.close()
        if self.session is not None:
            self.session.close()
        if self.outbox is not None:
            self.outbox.close()

    def _fit_to_window(self, _window: object, size: tuple[int, int]) -> None:
        width, height = size
        self.portrait = height > width
        self.u = min(width, height) / 12
        px_per_mm = self.kiosk_config.display.dpi / 25.4
        self.touch_min = 12 * px_per_mm
        # Text is sized to the window but never below what reads at a metre on this display;
        # large text never below 0.7 degrees of arc at half a metre (kiosk.text_size).
        sizes = font_sizes(self.u, px_per_mm, self.large_text)
        self.font_s, self.font_m, self.font_l, self.font_xl = sizes.s, sizes.m, sizes.l, sizes.xl
        self.font_m_snug, self.font_l_snug = sizes.m_snug, sizes.l_snug
        self.font_xl_snug = sizes.xl_snug

    # --- helpers for the .kv rules and screens ------------------------------------------

    def t(self, message: str, language: str) -> str:
        """The message in the language (kv rules pass app.lang so they re-translate on a switch)."""
        return self.catalogs.gettext(language, message)

    def accept_touch(self, control: str, window_s: float | None = None) -> bool:
        self._last_touch = time.monotonic()
        return self.session is not None and self.session.accept_touch(control, window_s)

    def note_touch(self) -> None:
        self._last_touch = time.monotonic()
        if self.session is not None:
            self.session.touch()

    def keep_going(self) -> None:
        """Continue on the time warning: this screen again, with a fresh time-out."""
        self._last_touch = time.monotonic()
        if self.session is not None:
            self.session.keep_going()

    # --- what is on screen ---------------------------------------------------------------

    def show_view(self, view: View) -> None:
        """Switch to the screen of the view's step (called on the UI thread by the session)."""
        if self.manager is None:
            return
        self.lang = view.language
        self.large_text = view.large_text
        self.station_name = view.station_name
        self.notice = self.t(view.notice, view.language) if view.notice else ""
        self._show_warning(view.warning and self.manager.current not in ADMIN_SCREENS)
        if self.manager.current in ADMIN_SCREENS and view.step is Step.START:
            return
        if view.step in (Step.THANKS, Step.TICKET) and view.write is WriteStatus.SAVING:
            return  # stay put until the outbox answers: a few milliseconds
        screen = self.manager.get_screen(view.step.value)
        screen.refresh(view)
        if self.manager.current != screen.name:
            self.manager.current = screen.name
        self.assisted.view_shown(view)  # speech mode: the focus, and what the screen says

    def _show_warning(self, on: bool) -> None:
        warning = self.time_warning
        if warning is None or warning.shown == on:
            return
        if on and self.session is not None:
            warning.seconds_left = self.session.seconds_left() or 0.0
        warning.show(on)
        if not on and self.manager is not None:
            # The finger that pressed Continue may bounce onto the screen under it: guard it
            # as a screen just shown.
            self.manager.current_screen.shown_at = time.monotonic()

    def show_screen(self, name: str) -> None:
        self._last_touch = time.monotonic()
        if self.manager is not None:
            self.manager.current = name

    def open_languages(self) -> None:
        """The language picker (the top bar's one language button, with more than three)."""
        self.show_screen(LANGUAGES)

    def close_languages(self) -> None:
        """Back from the picker to the visitor's screen, in the language now chosen."""
        if self.session is not None:
            self.show_view(self.session.view)

    def open_admin(self) -> None:
        log.info("admin PIN pad opened by a long press")
        self.show_screen("admin_pin")

    def close_admin(self) -> None:
        self.show_screen(Step.START.value)
        if self.session is not None:
            self.show_view(self.session.view)

    def _at_rest(self) -> bool:
        """On the start screen with nobody mid-journey: a new config may come in."""
        return (
            self.session is not None
            and self.manager is not None
            and self.session.is_idle()
            and self.manager.current == Step.START.value
        )

    def _use_config(self, config: KioskConfig) -> None:
        """Run with a new config from now on (the watcher calls this when `_at_rest`)."""
        assert self.session is not None
        self.kiosk_config = config
        self.session.replace_config(config)

    def _tick(self) -> None:
        if self.session is None:
            self._try_outbox_again()
            return
        self.session.tick()
        if self.time_warning is not None and self.time_warning.shown:
            self.time_warning.seconds_left = self.session.seconds_left() or 0.0
        if (
            self.manager is not None
            and self.manager.current == LANGUAGES
            and time.monotonic() - self._last_touch > self.kiosk_config.timeouts.inactivity
        ):
            self.close_languages()  # left open, the picker gives way like any visitor screen
        # The admin screens time out like every other: left open, they must not offer "close
        # the app" to the next visitor.
        if (
            self.manager is not None
            and self.manager.current in ADMIN_SCREENS
            and time.monotonic() - self._last_touch > self.kiosk_config.timeouts.admin
        ):
            log.info(
                "admin screen %s closed after %.0f s untouched",
                self.manager.current,
                self.kiosk_config.timeouts.admin,
            )
            self.close_admin()

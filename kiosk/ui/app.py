"""The Kivy app: screens, sizes that follow the window, and the session's view on screen."""

from __future__ import annotations

import logging
import time
from importlib.resources import files

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.screenmanager import NoTransition, ScreenManager
from kivy.utils import get_color_from_hex

from kiosk.central_config import ConfigSource
from kiosk.config import ConfigError, KioskConfig, text
from kiosk.i18n import Catalogs
from kiosk.journey import Step
from kiosk.notify import notify, watchdog_interval_s
from kiosk.outbox import Outbox
from kiosk.session import KioskSession, View, WriteStatus
from kiosk.theme import PALETTE
from kiosk.ui.devices import KioskDevices
from kiosk.ui.screens.admin import AdminScreen
from kiosk.ui.screens.admin_pin import AdminPinScreen
from kiosk.ui.screens.comment import CommentScreen
from kiosk.ui.screens.rating import RatingScreen
from kiosk.ui.screens.reason import ReasonScreen
from kiosk.ui.screens.service_point import ServicePointScreen
from kiosk.ui.screens.start import StartScreen
from kiosk.ui.screens.thanks import ThanksScreen
from kiosk.ui.screens.ticket import TicketScreen
from kiosk.ui.screens.touch_test import TouchTestScreen
from kiosk.ui.widgets import icons, keyboard, smiley, topbar  # noqa: F401 - registers the widgets
from kiosk.ui.widgets.buttons import BounceFilteredButton, KioskButton

log = logging.getLogger(__name__)

KV_FILES = (
    ("kiosk.ui.widgets", ("buttons.kv", "icons.kv", "topbar.kv", "keyboard.kv")),
    (
        "kiosk.ui.screens",
        (
            "start.kv",
            "rating.kv",
            "reason.kv",
            "comment.kv",
            "thanks.kv",
            "service_point.kv",
            "ticket.kv",
            "admin_pin.kv",
            "admin.kv",
            "touch_test.kv",
        ),
    ),
)
SCREENS = {
    Step.START.value: StartScreen,
    Step.RATING.value: RatingScreen,
    Step.REASON.value: ReasonScreen,
    Step.COMMENT.value: CommentScreen,
    Step.THANKS.value: ThanksScreen,
    Step.SERVICE_POINT.value: ServicePointScreen,
    Step.TICKET.value: TicketScreen,
    "admin_pin": AdminPinScreen,
    "admin": AdminScreen,
    "touch_test": TouchTestScreen,
}
ADMIN_SCREENS = ("admin_pin", "admin", "touch_test")
ADMIN_IDLE_S = 120.0
TICK_S = 0.25
MAINTAIN_S = 3600.0
CONFIG_CHECK_S = 5.0
CONFIG_IDLE_S = 10.0  # untouched this long on the start screen: a new config may come in

Factory.register("BounceFilteredButton", cls=BounceFilteredButton)


class HymyApp(App):
    """The kiosk's touchscreen app. Sizes are properties the .kv rules bind to."""

    lang = StringProperty("fi")
    station_name = StringProperty("")
    notice = StringProperty("")  # a refused scan, shown on the start screen
    test_print = StringProperty("")  # the admin's test ticket: "", "printed" or "failed"
    portrait = BooleanProperty(False)
    u = NumericProperty(40.0)  # layout unit: a twelfth of the window's shorter side
    touch_min = NumericProperty(63.0)  # 12 mm in pixels at the display's dpi
    font_s = NumericProperty(20.0)
    font_m = NumericProperty(26.0)
    font_l = NumericProperty(32.0)
    font_xl = NumericProperty(44.0)

    def __init__(
        self,
        kiosk_config: KioskConfig,
        outbox: Outbox,
        catalogs: Catalogs,
        source: ConfigSource | None = None,
    ) -> None:
        super().__init__()
        self.source = source
        self.config_idle_s = CONFIG_IDLE_S
        self._config_stamp = source.central_stamp() if source else None
        self.title = "Hymy"
        self.kiosk_config = kiosk_config
        self.outbox = outbox
        self.catalogs = catalogs
        self.lang = kiosk_config.kiosk.default_language
        self.devices = KioskDevices(kiosk_config, catalogs.gettext)
        self.session = KioskSession(
            kiosk_config,
            outbox,
            post=lambda callback: Clock.schedule_once(lambda _dt: callback()),
            on_change=self.show_view,
            printing=self.devices.printing,
        )
        self.manager: ScreenManager | None = None
        self.first_frame_at: float | None = None
        self._last_touch = time.monotonic()

    # --- building ------------------------------------------------------------------------

    def build(self) -> ScreenManager:
        for package, names in KV_FILES:
            for name in names:
                Builder.load_file(str(files(package).joinpath(name)))
        Window.clearcolor = get_color_from_hex(PALETTE.background)
        Window.bind(size=self._fit_to_window)
        self._fit_to_window(Window, Window.size)
        self.manager = ScreenManager(transition=NoTransition())
        for name, screen_class in SCREENS.items():
            self.manager.add_widget(screen_class(name=name))
        self.manager.current = Step.START.value
        self.show_view(self.session.view)
        return self.manager

    def on_start(self) -> None:
        Clock.schedule_interval(lambda _dt: self._tick(), TICK_S)
        self.devices.start(self.session)
        Clock.schedule_interval(lambda _dt: self.session.maintain(), MAINTAIN_S)
        if self.source is not None:
            Clock.schedule_interval(lambda _dt: self.apply_new_config(), CONFIG_CHECK_S)
        self.session.maintain()
        Clock.schedule_once(self._first_frame, 0)
        interval = watchdog_interval_s()
        if interval:
            Clock.schedule_interval(lambda _dt: notify("WATCHDOG=1"), interval)

    def _first_frame(self, _dt: float) -> None:
        self.first_frame_at = time.monotonic()
        notify("READY=1")
        log.info("kiosk %s ready", self.kiosk_config.kiosk.kiosk_id)

    def on_stop(self) -> None:
        notify("STOPPING=1")
        self.devices.close()
        self.session.close()
        self.outbox.close()

    def _fit_to_window(self, _window: object, size: tuple[int, int]) -> None:
        width, height = size
        self.portrait = height > width
        self.u = min(width, height) / 12
        px_per_mm = self.kiosk_config.display.dpi / 25.4
        self.touch_min = 12 * px_per_mm
        # Text is sized to the window but never below what reads at a metre on this display.
        self.font_s = max(self.u * 0.5, 3.6 * px_per_mm)
        self.font_m = max(self.u * 0.62, 4.4 * px_per_mm)
        self.font_l = max(self.u * 0.8, 5.5 * px_per_mm)
        self.font_xl = max(self.u * 1.1, 7.0 * px_per_mm)

    # --- helpers for the .kv rules and screens ------------------------------------------

    def t(self, message: str, language: str) -> str:
        """The message in the language (kv rules pass app.lang so they re-translate on a switch)."""
        return self.catalogs.gettext(language, message)

    def accept_touch(self, control: str, window_s: float | None = None) -> bool:
        self._last_touch = time.monotonic()
        return self.session.accept_touch(control, window_s)

    def note_touch(self) -> None:
        self._last_touch = time.monotonic()
        self.session.touch()

    def style_primary(self, button: KioskButton) -> None:
        button.bg = get_color_from_hex(PALETTE.primary)
        button.fg = get_color_from_hex(PALETTE.on_primary)
        button.border_color = [0, 0, 0, 0]

    def style_secondary(self, button: KioskButton) -> None:
        button.bg = get_color_from_hex(PALETTE.surface)
        button.fg = get_color_from_hex(PALETTE.text)
        button.border_color = get_color_from_hex(PALETTE.outline)

    # --- what is on screen ---------------------------------------------------------------

    def show_view(self, view: View) -> None:
        """Switch to the screen of the view's step (called on the UI thread by the session)."""
        if self.manager is None:
            return
        self.lang = view.language
        self.station_name = text(self.kiosk_config.kiosk.station_name, view.language)
        self.notice = self.t(view.notice, view.language) if view.notice else ""
        if self.manager.current in ADMIN_SCREENS and view.step is Step.START:
            return
        if view.step in (Step.THANKS, Step.TICKET) and view.write is WriteStatus.SAVING:
            return  # stay put until the outbox answers: a few milliseconds
        screen = self.manager.get_screen(view.step.value)
        screen.refresh(view)
        if self.manager.current != screen.name:
            self.manager.current = screen.name

    def show_screen(self, name: str) -> None:
        self._last_touch = time.monotonic()
        if self.manager is not None:
            self.manager.current = name

    def open_admin(self) -> None:
        log.info("admin PIN pad opened by a long press")
        self.show_screen("admin_pin")

    def close_admin(self) -> None:
        self.show_screen(Step.START.value)
        self.show_view(self.session.view)

    def print_test_ticket(self) -> None:
        self._last_touch = time.monotonic()
        self.test_print = ""
        self.devices.print_test(
            self.lang, lambda ok: setattr(self, "test_print", "printed" if ok else "failed")
        )

    def apply_new_config(self) -> bool:
        """Take the central's new config at an idle moment (never under a visitor's finger);
        True when one was applied. A config that does not load keeps the one running."""
        if self.source is None or self.manager is None:
            return False
        stamp = self.source.central_stamp()
        if stamp == self._config_stamp:
            return False
        idle = time.monotonic() - self._last_touch > self.config_idle_s
        if not (idle and self.session.is_idle() and self.manager.current == Step.START.value):
            return False
        self._config_stamp = stamp
        try:
            config = self.source.load()
        except ConfigError as err:
            log.error("new config not applied: %s", err)
            return False
        if config == self.kiosk_config:
            return False
        self.kiosk_config = config
        self.manager.get_screen(Step.SERVICE_POINT.value).rebuild()
        self.session.replace_config(config)
        log.info("applied a new config from the central")
        return True

    def _tick(self) -> None:
        self.session.tick()
        if (
            self.manager is not None
            and self.manager.current in ADMIN_SCREENS
            and time.monotonic() - self._last_touch > ADMIN_IDLE_S
        ):
            self.close_admin()

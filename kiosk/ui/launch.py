"""Start the Kivy app (`hymy-kiosk`): Kivy's settings must be made before its window module is
first imported."""

from __future__ import annotations

import logging
from pathlib import Path

from kiosk.central_config import ConfigSource
from kiosk.config import KioskConfig
from kiosk.i18n import Catalogs
from kiosk.outbox import Outbox


def configure_kivy(window: tuple[int, int] | None, fullscreen: bool) -> None:
    """Set Kivy's environment and config; call before anything imports kivy.core.window."""
    from kivy.config import Config  # kiosk.ui's __init__ has set Kivy's environment

    if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
        Config.set("kivy", "log_level", "warning")  # Kivy's start-up chatter is for --verbose
    Config.set("kivy", "exit_on_escape", "0")
    Config.set("kivy", "keyboard_mode", "system")  # our own keyboard; never Kivy's docked one
    Config.set("graphics", "resizable", "1")
    if window is not None:
        # A desktop or test window: the mouse (or simulated touches) only. Fullscreen on the Pi
        # the input providers come from its own Kivy config (deploy/raspberrypi): exactly one
        # per touch device and no mouse, so a touch never arrives twice.
        Config.set("input", "mouse", "mouse,disable_multitouch")  # no red dots on a right click
        if Config.has_option("input", "%(name)s"):
            Config.remove_option("input", "%(name)s")
        Config.set("graphics", "fullscreen", "0")
        Config.set("graphics", "width", str(window[0]))
        Config.set("graphics", "height", str(window[1]))
    else:
        Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    Config.set("graphics", "show_cursor", "0" if fullscreen and window is None else "1")


def build_app(
    config: KioskConfig,
    outbox: Outbox | Path,
    *,
    window: tuple[int, int] | None = None,
    catalogs: Catalogs | None = None,
    source: ConfigSource | None = None,
):  # -> HymyApp; kiosk.ui.app is imported only after Kivy is configured
    """The kiosk app, ready to `run()`. Given the outbox's path, the app opens it; while it
    cannot, the app shows its out-of-order screen and tries again by itself."""
    configure_kivy(window, config.display.fullscreen)
    from kiosk.ui.app import HymyApp

    return HymyApp(config, outbox, catalogs or Catalogs(config.kiosk.languages), source)

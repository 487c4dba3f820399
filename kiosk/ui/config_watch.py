"""Config hot reload: looks every few seconds whether the central sent the kiosk a new config,
and hands it to the app at an idle moment, never under a visitor's finger."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from kivy.clock import Clock

from kiosk.central_config import ConfigSource
from kiosk.config import ConfigError, KioskConfig

log = logging.getLogger(__name__)

CONFIG_CHECK_S = 5.0
CONFIG_IDLE_S = 10.0  # untouched this long on the start screen: a new config may come in


class ConfigWatcher:
    """Watches `source` for the central's config. `at_rest` says whether the kiosk could take a
    new one now (on the start screen, nobody mid-journey); `last_touch` is the monotonic time of
    the last touch; `running` is the config in use and `apply` puts a new one in its place."""

    def __init__(
        self,
        source: ConfigSource,
        *,
        running: Callable[[], KioskConfig],
        at_rest: Callable[[], bool],
        last_touch: Callable[[], float],
        apply: Callable[[KioskConfig], None],
    ) -> None:
        self.source = source
        self.idle_s = CONFIG_IDLE_S
        self._running = running
        self._at_rest = at_rest
        self._last_touch = last_touch
        self._apply = apply
        self._stamp = source.central_stamp()

    def start(self) -> None:
        """Check every CONFIG_CHECK_S from now on (once the app runs)."""
        Clock.schedule_interval(lambda _dt: self.apply_new_config(), CONFIG_CHECK_S)

    def apply_new_config(self) -> bool:
        """Take the central's new config at an idle moment; True when one was applied. A config
        that does not load keeps the one running."""
        stamp = self.source.central_stamp()
        if stamp == self._stamp:
            return False
        idle = time.monotonic() - self._last_touch() > self.idle_s
        if not (idle and self._at_rest()):
            return False
        self._stamp = stamp
        try:
            config = self.source.load()
        except ConfigError as err:
            log.error("new config not applied: %s", err)
            return False
        if config == self._running():
            return False
        self._apply(config)
        log.info("applied a new config from the central")
        return True

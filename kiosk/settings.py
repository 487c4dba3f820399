"""`hymy-kiosk`'s settings: its flags and environment variables, read once into one object.

A flag wins over its variable, the variable over the default:

| setting     | flag         | variable        | default                 |
|-------------|--------------|-----------------|-------------------------|
| config_path | `--config`   | `HYMY_CONFIG`   | /etc/hymy/kiosk.toml    |
| data_dir    | `--data-dir` | `HYMY_DATA_DIR` | /var/lib/hymy           |
| window      | `--window`   | (none)          | fullscreen              |

Everything the app derives from them (the outbox's path, the central's config file, the layered
config source) is a property here, so no other module joins these paths again.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from kiosk.central_config import CENTRAL_CONFIG_FILE, ConfigSource
from kiosk.outbox import DEFAULT_DATA_DIR, OUTBOX_FILE

DEFAULT_CONFIG = Path("/etc/hymy/kiosk.toml")
CONFIG_VARIABLE = "HYMY_CONFIG"
DATA_DIR_VARIABLE = "HYMY_DATA_DIR"
MIN_SIDE, MAX_SIDE = 200, 8000  # pixels


class SettingsError(ValueError):
    """A flag or a variable with a value the kiosk cannot use; the message says which and why."""


def parse_window(value: str | None, *, name: str = "--window") -> tuple[int, int] | None:
    """'1280x720' -> (1280, 720); None -> None (fullscreen).

    Raises SettingsError naming `name` for anything else.
    """
    if value is None:
        return None
    try:
        width, height = (int(part) for part in value.lower().split("x"))
    except ValueError:
        raise SettingsError(f"{name} {value!r} is not WIDTHxHEIGHT, e.g. 1280x720.") from None
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        raise SettingsError(
            f"{name} {value!r}: width and height must be {MIN_SIDE} to {MAX_SIDE} pixels."
        )
    return width, height


def _path(flag: Path | None, variable: str, default: Path, environ: Mapping[str, str]) -> Path:
    if flag is not None:
        return flag
    value = environ.get(variable, "").strip()
    return Path(value) if value else default


@dataclass(frozen=True)
class KioskSettings:
    """Where the kiosk's config and data live, and its window (None: fullscreen)."""

    config_path: Path = DEFAULT_CONFIG
    data_dir: Path = DEFAULT_DATA_DIR
    window: tuple[int, int] | None = None

    @classmethod
    def read(
        cls,
        *,
        config_path: Path | None = None,
        data_dir: Path | None = None,
        window: str | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> KioskSettings:
        """The settings from the flags given (None: not given) and the environment, read once.

        Raises SettingsError for a window that is not WIDTHxHEIGHT within 200 to 8000 pixels.
        """
        env = os.environ if environ is None else environ
        return cls(
            config_path=_path(config_path, CONFIG_VARIABLE, DEFAULT_CONFIG, env),
            data_dir=_path(data_dir, DATA_DIR_VARIABLE, DEFAULT_DATA_DIR, env),
            window=parse_window(window),
        )

    @property
    def outbox_path(self) -> Path:
        return self.data_dir / OUTBOX_FILE

    @property
    def central_config_path(self) -> Path:
        """The central's part of the config, written by the sync agent into the data dir."""
        return self.data_dir / CENTRAL_CONFIG_FILE

    def config_source(self, available_languages: Collection[str]) -> ConfigSource:
        """The local TOML with the central's part laid over it."""
        return ConfigSource(
            self.config_path,
            self.central_config_path,
            available_languages=available_languages,
        )

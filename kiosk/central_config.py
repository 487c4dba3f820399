"""The kiosk's config as the central sends it (written by the sync agent as
`central-config.json` in the data directory) laid over the local TOML file: the central owns the
station's name, service points and follow-up reasons; the file keeps everything of this Pi
(devices, PIN, display, timeouts) and extra keys of a service point (its booking codes, say)."""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from kiosk.config import (
    SUPPORTED_LANGUAGES,
    ConfigError,
    KioskConfig,
    parse_toml,
    read_config_file,
    validate_config,
)

log = logging.getLogger(__name__)
CENTRAL_CONFIG_FILE = "central-config.json"  # in the data directory; the sync agent writes it
CENTRAL_KIOSK_KEYS = ("site", "kiosk_id", "station_name", "timezone")


def merge_central(local: Mapping[str, Any], central: Mapping[str, Any]) -> dict[str, Any]:
    """The local config's data with the central's on top (pure; neither input changes)."""
    merged = copy.deepcopy(dict(local))
    kiosk = merged.setdefault("kiosk", {})
    for key in CENTRAL_KIOSK_KEYS:
        if key in central.get("kiosk", {}):
            kiosk[key] = central["kiosk"][key]
    if "service_points" in central:
        own = {p.get("id"): p for p in local.get("service_points", []) if isinstance(p, Mapping)}
        merged["service_points"] = [
            {**own.get(point.get("id"), {}), **point} for point in central["service_points"]
        ]
    if "reasons" in central.get("feedback", {}):
        merged.setdefault("feedback", {})["reasons"] = central["feedback"]["reasons"]
    return merged


class ConfigSource:
    """Where the kiosk's config comes from: the TOML file and, once enrolled, the central's."""

    def __init__(
        self,
        path: Path,
        central_path: Path | None = None,
        *,
        available_languages: Collection[str] = SUPPORTED_LANGUAGES,
    ) -> None:
        self.path = path
        self.central_path = central_path
        self.available_languages = available_languages

    def central_stamp(self) -> int | None:
        """Changes whenever the central's file is replaced (its mtime in ns)."""
        try:
            return self.central_path.stat().st_mtime_ns if self.central_path else None
        except OSError:
            return None

    def _central(self) -> Mapping[str, Any] | None:
        if self.central_path is None or not self.central_path.exists():
            return None
        try:
            data = json.loads(self.central_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            log.error("ignoring the central's config %s: %s", self.central_path, err)
            return None
        return data if isinstance(data, Mapping) else None

    def load(self) -> KioskConfig:
        """The config to run with. A central config that does not fit is logged and left out,
        so a mistake at the central never stops a kiosk.

        Raises ConfigError when the local file is missing or wrong (with or without the
        central's part).
        """
        local = parse_toml(read_config_file(self.path), source=self.path)
        central = self._central()
        if central is not None:
            try:
                config = validate_config(
                    merge_central(local, central),
                    source=self.path,
                    available_languages=self.available_languages,
                )
            except ConfigError as err:
                log.error("the central's config does not fit, using %s alone: %s", self.path, err)
            else:
                return config
        return validate_config(
            local, source=self.path, available_languages=self.available_languages
        )

"""The kiosk's config as the central sends it (sync.protocol.KioskConfigAnswer, written by the
sync agent as hymy_domain.facts.CENTRAL_CONFIG_FILE in the data directory) laid over the local
TOML file: the central owns the station's name, service points, follow-up reasons, the
start screen's message ("You said, we did": none when the central sends none) and the question
set (the national model's `questions`; none for a site on the smileys); the file
keeps everything of this Pi (devices, PIN, display, timeouts) and extra keys of a service point
(its booking codes, say). The kiosk does not import the wire format (sync.protocol): it checks
the file's shape here and validates the merged config as its own."""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from hymy_domain.facts import CENTRAL_CONFIG_FILE as CENTRAL_CONFIG_FILE  # the file read here
from hymy_domain.facts import CENTRAL_KIOSK_KEYS
from kiosk.config import (
    SUPPORTED_LANGUAGES,
    ConfigError,
    KioskConfig,
    parse_toml,
    read_config_file,
    validate_config,
)

log = logging.getLogger(__name__)


def central_shape_problem(central: Any) -> str | None:
    """What makes the central's config unusable before any key of it is looked at (pure): it
    must be an object whose `kiosk` and `feedback` are objects, `service_points` a list of
    objects and `feedback.reasons` a list, where given. None when it has that shape."""
    if not isinstance(central, Mapping):
        return f"it is not an object but {type(central).__name__}"
    feedback = central.get("feedback", {})
    points = central.get("service_points", [])
    for key, ok in (
        ("kiosk", isinstance(central.get("kiosk", {}), Mapping)),
        ("message", isinstance(central.get("message") or {}, Mapping)),
        ("questions", isinstance(central.get("questions") or {}, Mapping)),
        ("feedback", isinstance(feedback, Mapping)),
        ("service_points", isinstance(points, list)),
        (
            "feedback.reasons",
            not isinstance(feedback, Mapping) or isinstance(feedback.get("reasons", []), list),
        ),
    ):
        if not ok:
            return f"its {key} has the wrong type"
    if not all(isinstance(point, Mapping) for point in points):
        return "one of its service_points is not an object"
    return None


def merge_central(local: Mapping[str, Any], central: Mapping[str, Any]) -> dict[str, Any]:
    """The local config's data with the central's on top (pure; neither input changes). The
    central's must have its shape (`central_shape_problem`); a local part of the wrong type is
    left as it is, for the config's validation to name."""
    merged = copy.deepcopy(dict(local))
    kiosk = merged.setdefault("kiosk", {})
    for key in CENTRAL_KIOSK_KEYS:
        if key in central.get("kiosk", {}) and isinstance(kiosk, dict):
            kiosk[key] = central["kiosk"][key]
    if "service_points" in central:
        points = local.get("service_points")
        own = {
            p.get("id"): p
            for p in (points if isinstance(points, list) else [])
            if isinstance(p, Mapping)
        }
        merged["service_points"] = [
            {**own.get(point.get("id"), {}), **point} for point in central["service_points"]
        ]
    feedback = merged.setdefault("feedback", {})
    if "reasons" in central.get("feedback", {}) and isinstance(feedback, dict):
        feedback["reasons"] = central["feedback"]["reasons"]
    # The site's message is the central's: one it no longer sends is gone from the screen.
    merged.pop("message", None)
    if central.get("message"):
        merged["message"] = dict(central["message"])
    # So is its question set: a site back on the smileys sends none, and its kiosks ask those.
    merged.pop("questions", None)
    if central.get("questions"):
        merged["questions"] = copy.deepcopy(dict(central["questions"]))
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
        except (OSError, ValueError, RecursionError) as err:
            log.error("ignoring the central's config %s: %s", self.central_path, err)
            return None
        problem = central_shape_problem(data)
        if problem:
            log.error("ignoring the central's config %s: %s", self.central_path, problem)
            return None
        return data

    def load(self) -> KioskConfig:
        """The config to run with. A central config that does not fit is logged and left out,
        so a mistake at the central never stops a kiosk.

        Raises ConfigError when the local file is missing or wrong (with or without the
        central's part).
        """
        local = parse_toml(read_config_file(self.path), source=self.path)
        central = self._central()
        if central is not None:
            merged = merge_central(local, central)
            try:
                return self._validate(merged)
            except ConfigError as err:
                parts = {p.key.split(".")[0].split("[")[0] for p in err.problems}
                if parts <= {"message", "questions"}:
                    # Only the message or the question set does not fit (a newer central's
                    # rule): the rest does, and without a set the kiosk asks the smileys.
                    log.error("the central's %s left out: %s", " and ".join(sorted(parts)), err)
                    for part in parts:
                        merged.pop(part, None)
                    return self._validate(merged)
                log.error("the central's config does not fit, using %s alone: %s", self.path, err)
        return self._validate(local)

    def _validate(self, data: Mapping[str, Any]) -> KioskConfig:
        return validate_config(data, source=self.path, available_languages=self.available_languages)

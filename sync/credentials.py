"""The device's enrolment on the Pi: its id, token and central, in `device.json` (mode 0600) in
the data directory, and the central's config for the kiosk beside it."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from hymy_domain.facts import CENTRAL_CONFIG_FILE
from sync.atomic import write_atomic
from sync.client import AnswerError

DEVICE_FILE = "device.json"


class NotEnrolledError(Exception):
    """The data directory holds no enrolment; the message says how to make one."""


@dataclass(frozen=True)
class Credentials:
    central: str  # base URL, e.g. https://hymy.example.fi
    device_id: str
    token: str
    site: str
    kiosk_id: str
    ca_file: str | None = None
    insecure: bool = False


def save_credentials(data_dir: Path, credentials: Credentials) -> Path:
    """Store the enrolment readable by its owner only; returns the file's path."""
    path = data_dir / DEVICE_FILE
    write_atomic(path, json.dumps(asdict(credentials), indent=2).encode(), mode=0o600)
    return path


def load_credentials(data_dir: Path) -> Credentials:
    """The stored enrolment.

    Raises NotEnrolledError when there is none or it cannot be read.
    """
    path = data_dir / DEVICE_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Credentials(**data)
    except FileNotFoundError:
        raise NotEnrolledError(
            f"This kiosk is not enrolled ({path} is missing); run "
            "`hymy-sync enroll --central URL --code CODE` with a code from "
            "`hymy-central enroll-code`."
        ) from None
    except (OSError, ValueError, TypeError) as err:
        raise NotEnrolledError(
            f"Cannot read the enrolment in {path}: {err}. Enrol the kiosk again with "
            "`hymy-sync enroll --central URL --code CODE`."
        ) from None


def _is_point(point: dict[str, Any]) -> bool:
    number_range = point.get("range")
    return (
        isinstance(point.get("id"), str)
        and isinstance(point.get("prefix"), str)
        and isinstance(number_range, list)
        and len(number_range) == 2
        and all(type(n) is int for n in number_range)
    )


def check_kiosk_config(config: Any, site: str) -> dict[str, Any]:
    """The central's config for a kiosk of `site`, as `central.sites.kiosk_config` makes it: an
    object with `kiosk` (of this site), `service_points` (each with an id, a prefix and its
    number range) and `feedback.reasons` (each with an id). The kiosk checks the rest when it
    lays the config over its own file, and ignores one that does not fit; this check keeps a
    page from a proxy or a garbled answer from replacing a good config in the first place.

    Raises AnswerError for anything else.
    """
    part = config if isinstance(config, dict) else {}
    kiosk, points, feedback = (part.get(k) for k in ("kiosk", "service_points", "feedback"))
    # "feedback": null is not "no feedback section": the kiosk could not lay it over its own.
    feedback = feedback if "feedback" in part else {}
    reasons = feedback.get("reasons", []) if isinstance(feedback, dict) else None
    if not (
        isinstance(kiosk, dict)
        and kiosk.get("site") == site
        and isinstance(kiosk.get("kiosk_id"), str)
        and isinstance(points, list)
        and all(isinstance(p, dict) and _is_point(p) for p in points)
        and isinstance(reasons, list)
        and all(isinstance(r, dict) and isinstance(r.get("id"), str) for r in reasons)
    ):
        raise AnswerError(
            f"The central's answer is not a kiosk config of site {site} ({str(config)[:80]!r}); "
            "it was not written."
        )
    return part


def save_central_config(data_dir: Path, config: dict[str, Any]) -> Path:
    """Replace the kiosk's config from the central at once (the kiosk applies it when idle)."""
    path = data_dir / CENTRAL_CONFIG_FILE
    body = json.dumps(config, indent=2, ensure_ascii=False, sort_keys=True)
    write_atomic(path, body.encode(), mode=0o644)
    return path

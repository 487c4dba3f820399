"""The device's enrolment on the Pi: its id, token and central, in `device.json` (mode 0600) in
the data directory, and the central's config for the kiosk beside it."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from kiosk.central_config import CENTRAL_CONFIG_FILE
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


def check_kiosk_config(config: Any, site: str) -> dict[str, Any]:
    """The central's config for a kiosk of `site`, as `central.sites.kiosk_config` makes it: an
    object with `kiosk` (of this site) and a list of `service_points`, each with an id. The
    kiosk checks the rest when it lays the config over its own file.

    Raises AnswerError for anything else (a page from a proxy, another site's config).
    """
    kiosk = config.get("kiosk") if isinstance(config, dict) else None
    points = config.get("service_points") if isinstance(config, dict) else None
    if (
        not isinstance(kiosk, dict)
        or kiosk.get("site") != site
        or not isinstance(points, list)
        or not all(isinstance(p, dict) and isinstance(p.get("id"), str) for p in points)
    ):
        raise AnswerError(
            f"The central's answer is not a kiosk config of site {site} ({str(config)[:80]!r}); "
            "the config in use is kept and asked for again later."
        )
    return config


def save_central_config(data_dir: Path, config: dict[str, Any]) -> Path:
    """Replace the kiosk's config from the central at once (the kiosk applies it when idle)."""
    path = data_dir / CENTRAL_CONFIG_FILE
    body = json.dumps(config, indent=2, ensure_ascii=False, sort_keys=True)
    write_atomic(path, body.encode(), mode=0o644)
    return path

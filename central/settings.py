"""The central's one settings object: every value from a flag or a HYMY_CENTRAL_* variable."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from central.db import default_url


def _default_data_dir() -> Path:
    return Path(os.environ.get("HYMY_CENTRAL_DATA_DIR", "/var/lib/hymy-central"))


@dataclass(frozen=True)
class Settings:
    data_dir: Path = field(default_factory=_default_data_dir)
    db_url: str = ""  # empty: a SQLite file in the data dir
    host: str = "127.0.0.1"
    port: int = 8080
    enroll_code_ttl: timedelta = timedelta(hours=24)
    clock_tolerance: timedelta = timedelta(minutes=5)  # a kiosk clock this far off is "wrong"
    max_concurrent_ingests: int = 8  # batches stored at once per worker; more wait their turn
    ingest_wait_s: float = 10.0  # then 429 + Retry-After (well under the agent's 30 s timeout)
    # Failed enrolments (unknown, used or expired codes) allowed within the window, then 429.
    enroll_failures_per_address: int = 10
    enroll_failures_per_site: int = 30
    enroll_failure_window: timedelta = timedelta(minutes=15)
    # retention (docs/central.md, "Retention"); 0 keeps for ever
    comment_retention_days: int = 90  # free-text comments: long enough to read and act on
    event_retention_months: int = 24  # raw events: two years for year-over-year comparison
    retention_check_every: timedelta = timedelta(hours=1)  # serve: is the day's run due?

    @property
    def database_url(self) -> str:
        return self.db_url or default_url(self.data_dir)

    def environment(self) -> dict[str, str]:
        """The variables from which `from_env` builds these settings again (for worker
        processes)."""
        return {
            "HYMY_CENTRAL_DATA_DIR": str(self.data_dir),
            "HYMY_CENTRAL_DB": self.database_url,
            "HYMY_CENTRAL_HOST": self.host,
            "HYMY_CENTRAL_PORT": str(self.port),
        }

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Settings from HYMY_CENTRAL_DATA_DIR, HYMY_CENTRAL_DB, HYMY_CENTRAL_HOST and _PORT,
        with the given (non-None) overrides on top."""
        values: dict[str, object] = {}
        if "HYMY_CENTRAL_DB" in os.environ:
            values["db_url"] = os.environ["HYMY_CENTRAL_DB"]
        if "HYMY_CENTRAL_HOST" in os.environ:
            values["host"] = os.environ["HYMY_CENTRAL_HOST"]
        if "HYMY_CENTRAL_PORT" in os.environ:
            values["port"] = int(os.environ["HYMY_CENTRAL_PORT"])
        values.update(_retention_env())
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


RETENTION_ENV = {
    "HYMY_CENTRAL_COMMENT_RETENTION_DAYS": "comment_retention_days",
    "HYMY_CENTRAL_EVENT_RETENTION_MONTHS": "event_retention_months",
}


def _retention_env() -> dict[str, object]:
    """The retention settings given as HYMY_CENTRAL_* variables; a value that is not a whole
    number of 0 or more is a RetentionSettingError naming the variable."""
    values: dict[str, object] = {}
    for name, key in RETENTION_ENV.items():
        raw = os.environ.get(name)
        if raw is None:
            continue
        try:
            number = int(raw.strip())
        except ValueError:
            number = -1
        if number < 0:
            raise RetentionSettingError(
                f"{name}={raw!r} is not a whole number of 0 or more: give e.g. {name}=90, "
                "or 0 to keep for ever."
            )
        values[key] = number
    return values


class RetentionSettingError(ValueError):
    """A HYMY_CENTRAL_* value that cannot be used; the message names it and the fix."""

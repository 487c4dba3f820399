"""The central's one settings object: every value from a flag or a HYMY_CENTRAL_* variable."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from central.db import default_url


def _default_data_dir() -> Path:
    return Path(os.environ.get("HYMY_CENTRAL_DATA_DIR", "/var/lib/hymy-central"))


# ops: variables read as text into these fields
_OPS_VARIABLES = {
    "HYMY_CENTRAL_LOG_FORMAT": "log_format",
    "HYMY_CENTRAL_FORWARDED_ALLOW_IPS": "forwarded_allow_ips",
    "HYMY_CENTRAL_METRICS_ALLOW_IPS": "metrics_allow_ips",
}


@dataclass(frozen=True)
class Settings:
    data_dir: Path = field(default_factory=_default_data_dir)
    db_url: str = ""  # empty: a SQLite file in the data dir
    host: str = "127.0.0.1"
    port: int = 8080
    enroll_code_ttl: timedelta = timedelta(hours=24)
    clock_tolerance: timedelta = timedelta(minutes=5)  # a kiosk clock this far off is "wrong"
    max_concurrent_ingests: int = 8  # batches stored at once per database; more wait their turn
    ingest_wait_s: float = 10.0  # then 429 + Retry-After (well under the agent's 30 s timeout)
    # Failed enrolments (unknown, used or expired codes) allowed within the window, then 429.
    enroll_failures_per_address: int = 10
    enroll_failures_per_site: int = 30
    enroll_failure_window: timedelta = timedelta(minutes=15)
    # ops
    log_format: str = "text"  # or "json": one JSON object a line (journald, log collectors)
    # Proxies whose X-Forwarded-For/-Proto are believed (uvicorn's forwarded_allow_ips): the
    # address of nginx, so the client address (enrolment rate limit, audit log) is the kiosk's.
    forwarded_allow_ips: str = "127.0.0.1"
    # Who may read /metrics: addresses or networks, comma-separated, or "*" (Prometheus' host).
    metrics_allow_ips: str = "127.0.0.1,::1"

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
            "HYMY_CENTRAL_LOG_FORMAT": self.log_format,
            "HYMY_CENTRAL_FORWARDED_ALLOW_IPS": self.forwarded_allow_ips,
            "HYMY_CENTRAL_METRICS_ALLOW_IPS": self.metrics_allow_ips,
            "HYMY_CENTRAL_MAX_CONCURRENT_INGESTS": str(self.max_concurrent_ingests),
            "HYMY_CENTRAL_INGEST_WAIT_S": str(self.ingest_wait_s),
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
        for name, key in _OPS_VARIABLES.items():  # ops
            if name in os.environ:
                values[key] = os.environ[name]
        if "HYMY_CENTRAL_MAX_CONCURRENT_INGESTS" in os.environ:
            slots = os.environ["HYMY_CENTRAL_MAX_CONCURRENT_INGESTS"]
            values["max_concurrent_ingests"] = int(slots)
        if "HYMY_CENTRAL_INGEST_WAIT_S" in os.environ:
            values["ingest_wait_s"] = float(os.environ["HYMY_CENTRAL_INGEST_WAIT_S"])
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

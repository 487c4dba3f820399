"""The central's logs: text for people, or JSON (`serve --log-format json`,
HYMY_CENTRAL_LOG_FORMAT=json) for journald and log collectors, one object a line:

    {"time": "2026-12-02T05:01:02.123+00:00", "level": "INFO", "logger": "central.audit",
     "message": "kiosk enrolled", "event": "enrolled", "site": "kaleva", ...}

uvicorn's access log is in the same format, with the fields client, method, path, status.

The audit trail (logger `central.audit`, see `audit`) has a line of its own for each enrolment,
failed enrolment, device revocation, refused sign-in (401: unknown or revoked device token or
API key, with the client address and the reason, never the token) and API-key use.
"""

from __future__ import annotations

import json
import logging
import logging.config
from datetime import UTC, datetime
from typing import Any

FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Attributes every LogRecord has: the rest were given as `extra` and are the structured fields.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
_ACCESS_FIELDS = ("client", "method", "path", "http_version", "status")

audit_log = logging.getLogger("central.audit")


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, then the record's own fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        args = record.args
        if record.name == "uvicorn.access" and isinstance(args, tuple) and len(args) == 5:
            entry.update(zip(_ACCESS_FIELDS, args, strict=True))
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_") and key != "color_message":
                plain = value is None or isinstance(value, str | int | float | bool)
                entry[key] = value if plain else str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """The text format, with an audit line's fields after its message (key=value)."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = {
            k: v
            for k, v in vars(record).items()
            if k not in _STANDARD and not k.startswith("_") and v is not None
        }
        fields.pop("color_message", None)
        if fields:
            line += " " + " ".join(f"{k}={v}" for k, v in fields.items())
        return line


def logging_config(log_format: str = "text", level: str = "INFO") -> dict[str, Any]:
    """A logging.config dict for the central's and uvicorn's loggers (given to uvicorn as its
    log_config, so every worker process is set up alike).

    Raises ValueError for a format other than text or json.
    """
    if log_format not in FORMATS:
        raise ValueError(f"Log format {log_format!r}: use text or json.")
    formatter = (
        {"()": "central.logs.JsonFormatter"}
        if log_format == "json"
        else {"()": "central.logs.TextFormatter"}
    )
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "central",
        "stream": "ext://sys.stderr",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"central": formatter},
        "handlers": {"default": handler},
        "root": {"handlers": ["default"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.error": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.access": {"handlers": [], "level": level, "propagate": True},
            "alembic": {"level": "WARNING"},  # its chatter on every start
        },
    }


def configure(log_format: str = "text", level: str = "INFO") -> None:
    """Set up this process's logging (see logging_config)."""
    logging.config.dictConfig(logging_config(log_format, level))


def audit(event: str, message: str, *, level: int = logging.INFO, **fields: Any) -> None:
    """One line of the audit trail: `event` names what happened (enrolled, enrol_refused,
    revoked, sign_in_refused, api_key_used); the fields say who and where. Never pass a token,
    code or key itself."""
    audit_log.log(level, message, extra={"event": event, **fields})


def client_address(request: Any) -> str:
    """The client's address as uvicorn saw it (behind nginx: from X-Forwarded-For, when nginx
    is in --forwarded-allow-ips)."""
    client = getattr(request, "client", None)
    return client.host if client else "unknown"


def audit_key_refused(request: Any) -> None:
    """The audit line of a request whose API key is unknown or revoked (never the key)."""
    audit(
        "sign_in_refused",
        "API sign-in refused: unknown or revoked API key",
        level=logging.WARNING,
        credential="api key",
        reason="unknown or revoked API key",
        client=client_address(request),
        path=request.url.path,
    )


def audit_key_used(request: Any, caller: Any) -> None:
    """The audit line of a request made with an API key (central.access.Caller)."""
    audit(
        "api_key_used",
        f"API key {caller.key_id} ({caller.role}) used: {request.method} {request.url.path}",
        key_id=caller.key_id,
        role=caller.role,
        method=request.method,
        path=request.url.path,
        client=client_address(request),
    )

"""The central's one settings object: every value from a flag or a HYMY_CENTRAL_* variable.

A value that cannot be used raises SettingsError, whose message names the variable (or the
folder) and says what to give instead; the CLI prints it as one line. The env_* readers and
prepare_directory are meant for every setting and folder the central adds.
"""

from __future__ import annotations

import ipaddress
import os
import pwd
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from central.db import default_url


class SettingsError(ValueError):
    """A setting (a HYMY_CENTRAL_* variable, a flag, a folder) cannot be used; the message says
    what to give instead."""


def env_text(name: str) -> str | None:
    """The variable's value without surrounding blanks; None when unset or empty (a unit's
    `Environment=HYMY_CENTRAL_PORT=` means "the default", as if it were not there)."""
    value = os.environ.get(name, "").strip()
    return value or None


def env_int(name: str, *, minimum: int, maximum: int, meaning: str, example: int) -> int | None:
    """The variable as a whole number from minimum to maximum, or None when unset.

    Raises SettingsError for anything else, e.g. "HYMY_CENTRAL_PORT is 'abc', not a port number:
    give a whole number from 1 to 65535, e.g. HYMY_CENTRAL_PORT=8080 (or unset it for the
    default)."
    """
    value = env_text(name)
    if value is None:
        return None
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or not minimum <= number <= maximum:
        raise SettingsError(
            f"{name} is {value!r}, not {meaning}: give a whole number from {minimum} to "
            f"{maximum}, e.g. {name}={example} (or unset it for the default)."
        )
    return number


def env_float(
    name: str, *, minimum: float, maximum: float, meaning: str, example: float
) -> float | None:
    """The variable as a number from minimum to maximum (decimals allowed), or None when unset.

    Raises SettingsError for anything else.
    """
    value = env_text(name)
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is None or not minimum <= number <= maximum:  # also refuses nan
        raise SettingsError(
            f"{name} is {value!r}, not {meaning}: give a number from {minimum:g} to "
            f"{maximum:g}, e.g. {name}={example:g} (or unset it for the default)."
        )
    return number


def env_choice(name: str, choices: tuple[str, ...]) -> str | None:
    """The variable as one of `choices` (case-insensitive), or None when unset.

    Raises SettingsError for anything else.
    """
    value = env_text(name)
    if value is None:
        return None
    if value.lower() not in choices:
        raise SettingsError(
            f"{name} is {value!r}: give one of {', '.join(choices)} (or unset it for the default)."
        )
    return value.lower()


def check_addresses(value: str, name: str, *, example: str) -> str:
    """`value` as a comma-separated list of addresses and networks (127.0.0.1, ::1,
    10.0.0.0/8) or "*", each part checked now, at start, so that a typo is not first found by
    the first request that reads the list. Blanks and empty parts (a trailing comma) are
    dropped.

    Raises SettingsError naming `name` (a variable or a flag) and the part it cannot read.
    """
    parts = [part.strip() for part in value.split(",") if part.strip()]
    for part in parts or [value]:
        if part == "*":
            continue
        try:
            ipaddress.ip_network(part, strict=False)
        except ValueError:
            raise SettingsError(
                f"{part!r} in {name} is not an address or network: give addresses or networks "
                f"separated by commas, or * for any, e.g. {name}={example}."
            ) from None
    return ",".join(parts)


def env_addresses(name: str, *, example: str) -> str | None:
    """The variable as a checked list of addresses and networks (check_addresses), or None
    when unset or empty."""
    value = env_text(name)
    return None if value is None else check_addresses(value, name, example=example)


def _user() -> str:
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return str(os.geteuid())


def prepare_directory(path: Path, *, what: str, option: str) -> Path:
    """Make sure `path` is a directory this process can write in, creating it (and its parents)
    when missing. `what` names it in the message ("The data dir") and `option` says how to give
    another ("--data-dir or HYMY_CENTRAL_DATA_DIR").

    Raises SettingsError when it is a file, cannot be created or is not writable.
    """
    user = _user()
    if path.exists() and not path.is_dir():
        raise SettingsError(
            f"{what} {path} is a file, not a directory: give a directory with {option}."
        )
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        reason = err.strerror or type(err).__name__
        if isinstance(err, FileExistsError | NotADirectoryError):
            reason = "a file is in the way"
        raise SettingsError(
            f"{what} {path} cannot be created ({reason}): create it for the user {user} "
            f"(e.g. sudo install -d -o {user} {path}) or give another one with {option}."
        ) from None
    try:  # a real write: os.access says yes to root on a read-only file system
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as err:
        raise SettingsError(
            f"{what} {path} is not writable by the user {user} ({err.strerror}): make it "
            f"theirs (e.g. sudo chown {user} {path}) or give another one with {option}."
        ) from None
    return path


def _env_path(name: str) -> Path | None:
    value = env_text(name)
    return None if value is None else Path(value)


DEFAULT_DATA_DIR = Path("/var/lib/hymy-central")


@dataclass(frozen=True)
class Settings:
    data_dir: Path = DEFAULT_DATA_DIR  # from_env: HYMY_CENTRAL_DATA_DIR
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
    # retention (docs/central.md, "Retention"); 0 keeps for ever
    comment_retention_days: int = 90  # free-text comments: long enough to read and act on
    event_retention_months: int = 24  # raw events: two years for year-over-year comparison
    retention_check_every: timedelta = timedelta(hours=1)  # serve: is the day's run due?
    report_check_minutes: int = 5  # serve: are scheduled reports due? (0: none are sent)
    # E-mail (central.deliveries): the SMTP server the central hands its e-mails to; None: they
    # wait in the queue (the console's deliveries page says so) until one is set.
    smtp_host: str | None = None
    smtp_port: int = 587  # submission with STARTTLS; 465 is TLS from the start
    smtp_username: str | None = None  # None: no AUTH
    smtp_password: str | None = None  # from HYMY_CENTRAL_SMTP_PASSWORD_FILE (or _PASSWORD)
    smtp_password_file: Path | None = None
    smtp_starttls: bool = True  # False only for a relay on this machine or a closed network
    smtp_ca_file: Path | None = None  # a CA the SMTP server's certificate is checked against
    mail_from: str = "hymy@localhost"
    public_url: str = ""  # the console's address as people open it, for links in e-mails
    delivery_check_seconds: int = 30  # serve: look for due deliveries at least this often
    alert_check_seconds: int = 60  # serve: the alerts' timer (quiet kiosks...; 0: only on arrival)
    # ops
    log_format: str = "text"  # or "json": one JSON object a line (journald, log collectors)
    # Proxies whose X-Forwarded-For/-Proto are believed (uvicorn's forwarded_allow_ips): the
    # address of nginx, so the client address (enrolment rate limit, audit log) is the kiosk's.
    forwarded_allow_ips: str = "127.0.0.1"
    # Who may read /metrics: addresses or networks, comma-separated, or "*" (Prometheus' host).
    metrics_allow_ips: str = "127.0.0.1,::1"
    # Single sign-on to the console: the [oidc] TOML file (central.oidc_config); None: passwords
    # only.
    oidc_file: Path | None = None

    @property
    def database_url(self) -> str:
        return self.db_url or default_url(self.data_dir)

    def environment(self) -> dict[str, str]:
        """The variables from which `from_env` builds these settings again (for worker
        processes)."""
        # Always named, empty when unset: a worker must not find another file in the
        # environment than the one serve checked.
        oidc = {"HYMY_CENTRAL_OIDC_FILE": str(self.oidc_file) if self.oidc_file else ""}
        return {
            **oidc,
            **self._mail_environment(),
            "HYMY_CENTRAL_DATA_DIR": str(self.data_dir),
            "HYMY_CENTRAL_DB": self.database_url,
            "HYMY_CENTRAL_HOST": self.host,
            "HYMY_CENTRAL_PORT": str(self.port),
            "HYMY_CENTRAL_LOG_FORMAT": self.log_format,
            "HYMY_CENTRAL_FORWARDED_ALLOW_IPS": self.forwarded_allow_ips,
            "HYMY_CENTRAL_METRICS_ALLOW_IPS": self.metrics_allow_ips,
            "HYMY_CENTRAL_MAX_CONCURRENT_INGESTS": str(self.max_concurrent_ingests),
            "HYMY_CENTRAL_INGEST_WAIT_S": str(self.ingest_wait_s),
            "HYMY_CENTRAL_COMMENT_RETENTION_DAYS": str(self.comment_retention_days),
            "HYMY_CENTRAL_EVENT_RETENTION_MONTHS": str(self.event_retention_months),
            "HYMY_CENTRAL_REPORT_CHECK_MINUTES": str(self.report_check_minutes),
        }

    def _mail_environment(self) -> dict[str, str]:
        password = (
            {"HYMY_CENTRAL_SMTP_PASSWORD_FILE": str(self.smtp_password_file)}
            if self.smtp_password_file
            else {"HYMY_CENTRAL_SMTP_PASSWORD": self.smtp_password or ""}
        )
        return {
            **password,
            "HYMY_CENTRAL_SMTP_HOST": self.smtp_host or "",
            "HYMY_CENTRAL_SMTP_PORT": str(self.smtp_port),
            "HYMY_CENTRAL_SMTP_USERNAME": self.smtp_username or "",
            "HYMY_CENTRAL_SMTP_STARTTLS": "true" if self.smtp_starttls else "false",
            "HYMY_CENTRAL_SMTP_CA_FILE": str(self.smtp_ca_file) if self.smtp_ca_file else "",
            "HYMY_CENTRAL_MAIL_FROM": self.mail_from,
            "HYMY_CENTRAL_PUBLIC_URL": self.public_url,
            "HYMY_CENTRAL_DELIVERY_CHECK_SECONDS": str(self.delivery_check_seconds),
            "HYMY_CENTRAL_ALERT_CHECK_SECONDS": str(self.alert_check_seconds),
        }

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Settings from HYMY_CENTRAL_DATA_DIR, HYMY_CENTRAL_DB, HYMY_CENTRAL_HOST and _PORT
        (and the other HYMY_CENTRAL_* variables: HYMY_CENTRAL_OIDC_FILE names the single
        sign-on file, read by central.oidc_config), with the given (non-None) overrides on
        top. An empty variable counts as unset. This is the one place the variables are read:
        the CLI's flags are the overrides (central.cli.pass_settings), never a second reading
        of the variables.

        Raises SettingsError for a value that cannot be used (HYMY_CENTRAL_PORT=abc).
        """
        values: dict[str, object] = {
            "data_dir": _env_path("HYMY_CENTRAL_DATA_DIR"),
            "db_url": env_text("HYMY_CENTRAL_DB"),
            "host": env_text("HYMY_CENTRAL_HOST"),
            "port": env_int(
                "HYMY_CENTRAL_PORT", minimum=1, maximum=65535, meaning="a port number", example=8080
            ),
            "comment_retention_days": env_int(
                "HYMY_CENTRAL_COMMENT_RETENTION_DAYS",
                minimum=0,
                maximum=100 * 366,
                meaning="a number of days (0 keeps comments for ever)",
                example=90,
            ),
            "event_retention_months": env_int(
                "HYMY_CENTRAL_EVENT_RETENTION_MONTHS",
                minimum=0,
                maximum=100 * 12,
                meaning="a number of months (0 keeps events for ever)",
                example=24,
            ),
            "report_check_minutes": env_int(
                "HYMY_CENTRAL_REPORT_CHECK_MINUTES",
                minimum=0,
                maximum=24 * 60,
                meaning="a number of minutes (0 sends no scheduled reports)",
                example=5,
            ),
            **_mail_from_env(),
            "alert_check_seconds": env_int(
                "HYMY_CENTRAL_ALERT_CHECK_SECONDS",
                minimum=0,
                maximum=3600,
                meaning="a number of seconds (0: alerts are checked only when data arrives)",
                example=60,
            ),
            "log_format": env_choice("HYMY_CENTRAL_LOG_FORMAT", ("text", "json")),
            "oidc_file": _env_path("HYMY_CENTRAL_OIDC_FILE"),
            "forwarded_allow_ips": env_addresses(
                "HYMY_CENTRAL_FORWARDED_ALLOW_IPS", example="127.0.0.1"
            ),
            "metrics_allow_ips": env_addresses(
                "HYMY_CENTRAL_METRICS_ALLOW_IPS", example="127.0.0.1,::1,10.0.0.5"
            ),
            "max_concurrent_ingests": env_int(
                "HYMY_CENTRAL_MAX_CONCURRENT_INGESTS",
                minimum=1,
                maximum=1000,
                meaning="a number of batches",
                example=8,
            ),
            "ingest_wait_s": env_float(
                "HYMY_CENTRAL_INGEST_WAIT_S",
                minimum=0,
                maximum=25,
                meaning="a number of seconds (under the agent's 30 s timeout)",
                example=10,
            ),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**{k: v for k, v in values.items() if v is not None})


def _secret_file(name: str) -> tuple[Path | None, str | None]:
    """A variable naming a file that holds a secret (mode 0600, one line): the path and the
    secret. Raises SettingsError when it cannot be read or is empty."""
    path = _env_path(name)
    if path is None:
        return None, None
    try:
        secret = path.read_text(encoding="utf-8").strip()
    except OSError as err:
        raise SettingsError(
            f"{name} is {str(path)!r}, which cannot be read ({err.strerror}): give a file the "
            f"user {_user()} can read, holding the password on one line."
        ) from None
    if not secret:
        raise SettingsError(f"{name} is {str(path)!r}, which is empty: put the password in it.")
    return path, secret


def _mail_from_env() -> dict[str, object]:
    """The e-mail settings from HYMY_CENTRAL_SMTP_* , _MAIL_FROM and _PUBLIC_URL."""
    password_file, password = _secret_file("HYMY_CENTRAL_SMTP_PASSWORD_FILE")
    starttls = env_choice("HYMY_CENTRAL_SMTP_STARTTLS", ("true", "false", "yes", "no", "1", "0"))
    public_url = env_text("HYMY_CENTRAL_PUBLIC_URL")
    if public_url is not None and not public_url.startswith(("https://", "http://")):
        raise SettingsError(
            f"HYMY_CENTRAL_PUBLIC_URL is {public_url!r}: give the console's address as people "
            "open it, e.g. HYMY_CENTRAL_PUBLIC_URL=https://hymy.example.fi"
        )
    mail_from = env_text("HYMY_CENTRAL_MAIL_FROM")
    if mail_from is not None and "@" not in mail_from:
        raise SettingsError(
            f"HYMY_CENTRAL_MAIL_FROM is {mail_from!r}, not an e-mail address: give the address "
            "the e-mails come from, e.g. HYMY_CENTRAL_MAIL_FROM=hymy@hyvinvointialue.fi"
        )
    return {
        "smtp_host": env_text("HYMY_CENTRAL_SMTP_HOST"),
        "smtp_port": env_int(
            "HYMY_CENTRAL_SMTP_PORT", minimum=1, maximum=65535, meaning="a port number", example=587
        ),
        "smtp_username": env_text("HYMY_CENTRAL_SMTP_USERNAME"),
        "smtp_password": password or env_text("HYMY_CENTRAL_SMTP_PASSWORD"),
        "smtp_password_file": password_file,
        "smtp_starttls": None if starttls is None else starttls in ("true", "yes", "1"),
        "smtp_ca_file": _env_path("HYMY_CENTRAL_SMTP_CA_FILE"),
        "mail_from": mail_from,
        "public_url": public_url.rstrip("/") if public_url else None,
        "delivery_check_seconds": env_int(
            "HYMY_CENTRAL_DELIVERY_CHECK_SECONDS",
            minimum=1,
            maximum=3600,
            meaning="a number of seconds",
            example=30,
        ),
    }

"""`hymy-central serve`: the API under uvicorn, with one worker or several."""

from __future__ import annotations

import dataclasses
import errno
import logging
import os
import socket
from pathlib import Path

import click

from central.cli import main, open_engine, pass_settings
from central.logs import FORMATS, configure, logging_config
from central.settings import Settings, SettingsError, check_addresses

METRICS_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"
log = logging.getLogger(__name__)


def prepare_metrics_dir(settings: Settings) -> Path:
    """An empty directory for the workers' metric files (prometheus-client's multiprocess
    mode), exported as PROMETHEUS_MULTIPROC_DIR before the app or any worker imports
    prometheus-client: the one the admin set, else `metrics-PORT` in systemd's
    RuntimeDirectory or else in the data dir. It is emptied here, at start (the counts of an
    earlier run would be added again), not at exit: uvicorn ends the process by its signal."""
    given = os.environ.get(METRICS_DIR_ENV)
    runtime = os.environ.get("RUNTIME_DIRECTORY", "").split(":")[0]
    path = Path(given or Path(runtime or settings.data_dir) / f"metrics-{settings.port}")
    try:
        path.mkdir(parents=True, exist_ok=True)
        for old in path.glob("*.db"):
            old.unlink()
    except OSError as err:
        raise click.ClickException(
            f"Cannot use {path} for the metrics of the workers ({err.strerror}): make the data "
            f"dir writable for the service or set {METRICS_DIR_ENV} to a writable directory."
        ) from None
    os.environ[METRICS_DIR_ENV] = str(path)
    return path


def check_listen(settings: Settings) -> None:
    """Bind the address once before uvicorn does, so that a port in use, a host that is not
    an address of this machine or a port this user may not open is one line that says what to
    do (uvicorn logs the bare OS error after "Application startup complete")."""
    try:
        infos = socket.getaddrinfo(
            settings.host, settings.port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except (socket.gaierror, UnicodeError) as err:
        reason = getattr(err, "strerror", None) or str(err)
        raise click.ClickException(
            f"Cannot listen on {settings.host}:{settings.port} ({reason}): give an address of "
            "this machine with --host or HYMY_CENTRAL_HOST (127.0.0.1 behind nginx, 0.0.0.0 "
            "for every address)."
        ) from None
    family, kind, proto, _, address = infos[0]
    try:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
            probe.bind(address)
    except OSError as err:
        if err.errno == errno.EADDRINUSE:
            advice = (
                "another program (perhaps another hymy-central) listens there: stop it or give "
                "another --port or HYMY_CENTRAL_PORT"
            )
        elif err.errno in (errno.EACCES, errno.EPERM):
            advice = "a port under 1024 needs root: give a port from 1024 up (nginx takes 443)"
        else:
            advice = "give an address of this machine with --host or HYMY_CENTRAL_HOST"
        raise click.ClickException(
            f"Cannot listen on {settings.host}:{settings.port} ({err.strerror}): {advice}."
        ) from None


def check_schema(settings: Settings) -> None:
    """Create the schema of an empty database; refuse an older or newer one, or a database that
    cannot be used, in one line (central.cli.open_engine)."""
    open_engine(settings).dispose()


def check_oidc(settings: Settings) -> None:
    """Read the single sign-on file now, so that a mistake in it is one line at start and not
    a refused sign-in later (central.oidc_config). The provider itself is not asked: the
    central starts while it is down. A site its map names that the central does not have is
    a warning, not a stop (the kiosks' ingest does not wait for it); people mapped to it are
    refused at sign-in until it is fixed."""
    if settings.oidc_file is None:
        return
    from central.oidc_config import load_oidc_file
    from central.site_store import missing_sites

    try:
        config = load_oidc_file(settings.oidc_file)
    except SettingsError as err:
        raise click.ClickException(str(err)) from None
    engine = open_engine(settings)
    try:
        with engine.connect() as conn:
            unknown = missing_sites(conn, list(config.sites))
    finally:
        engine.dispose()
    if unknown:
        log.warning(
            "%s: [[oidc.map]] names the site %s, which this central does not have: people "
            "mapped to it are refused at sign-in until the site is added (`hymy-central site "
            "add`) or the id is fixed",
            config.path,
            ", ".join(repr(site) for site in unknown),
        )


def _addresses(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--forwarded-allow-ips (or its variable) checked at start (central.settings)."""
    if value is None or not value.strip():
        return None
    try:
        return check_addresses(value, "--forwarded-allow-ips", example="127.0.0.1")
    except SettingsError as err:
        raise click.BadParameter(str(err)) from None


@main.command()
@click.option("--host", default=None, help="Address to listen on (default 127.0.0.1).")
# The range of HYMY_CENTRAL_PORT: a bare int let 70000 bind port 4464 (70000 - 65536) and 0 a
# random one, each "running" as if it were the port given.
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Port (default 8080).")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Worker processes (they share the busy limit and the metrics).",
)
@click.option(
    "--log-format",
    type=click.Choice(FORMATS),
    default=None,  # else HYMY_CENTRAL_LOG_FORMAT, read and checked by Settings
    help="text (default) or json: one JSON object a line, for journald and log collectors.",
)
@click.option(
    "--forwarded-allow-ips",
    default=None,  # else HYMY_CENTRAL_FORWARDED_ALLOW_IPS, read and checked by Settings
    callback=_addresses,
    help="Proxies whose X-Forwarded-For/-Proto are believed, comma-separated (default "
    "127.0.0.1: nginx on this machine); the client address behind them is then the real one.",
)
@click.option(
    "--oidc-file",
    type=click.Path(path_type=Path),
    default=None,  # else HYMY_CENTRAL_OIDC_FILE, read by Settings
    help="Single sign-on to the console: the [oidc] TOML file (docs/operations.md, "
    '"Single sign-on").',
)
@pass_settings
def serve(
    base: Settings,
    host: str | None,
    port: int | None,
    workers: int,
    log_format: str | None,
    forwarded_allow_ips: str | None,
    oidc_file: Path | None,
) -> None:
    """Serve the API with uvicorn.

    An empty database gets the schema; on an older one serve refuses to start: back it up and
    run `hymy-central db upgrade` first (docs/operations.md).

    Example: hymy-central serve --db postgresql://hymy@localhost/hymy --host 0.0.0.0 --workers 4
    """
    import uvicorn

    given = {
        "host": host,
        "port": port,
        "log_format": log_format,
        "forwarded_allow_ips": forwarded_allow_ips,
        "oidc_file": oidc_file,
    }
    settings = dataclasses.replace(base, **{k: v for k, v in given.items() if v is not None})
    configure(settings.log_format)
    check_schema(settings)  # once here: the workers then find it ready
    check_oidc(settings)
    check_listen(settings)  # after: an old schema is the first thing to hear of
    prepare_metrics_dir(settings)
    os.environ.update(settings.environment())
    options = {
        "host": settings.host,
        "port": settings.port,
        "log_config": logging_config(settings.log_format),
        "proxy_headers": True,
        "forwarded_allow_ips": settings.forwarded_allow_ips,
    }
    if workers == 1:
        from central.app import create_app  # after PROMETHEUS_MULTIPROC_DIR is set

        uvicorn.run(create_app(settings), **options)
    else:
        # Each worker process builds its own app from the environment set above.
        uvicorn.run("central.app:app_from_env", factory=True, workers=workers, **options)

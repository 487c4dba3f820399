"""`hymy-central`: the central's commands. They parse arguments; the library does the work."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click
from sqlalchemy import Connection

from central import db
from central.enrollment import NotFoundError, create_enroll_code, revoke_device, save_site
from central.settings import Settings
from central.sites import SiteError, parse_site

pass_settings = click.make_pass_decorator(Settings)
T = TypeVar("T")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "db_url",
    envvar="HYMY_CENTRAL_DB",
    help="Database URL: sqlite:///PATH (default: central.sqlite in the data dir) or "
    "postgresql://USER@HOST/DB.",
)
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path),
    envvar="HYMY_CENTRAL_DATA_DIR",
    help="Where the central keeps its files (default /var/lib/hymy-central).",
)
@click.pass_context
def main(ctx: click.Context, db_url: str | None, data_dir: Path | None) -> None:
    """Hymy central: ingest, enrolment and reports for a wellbeing services county's kiosks.

    Example: hymy-central --data-dir /var/lib/hymy-central serve --port 8080
    """
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)  # its chatter on every command
    ctx.obj = Settings.from_env(db_url=db_url, data_dir=data_dir)


def _engine(settings: Settings):  # -> Engine
    try:
        engine = db.make_engine(settings.database_url)
    except db.DatabaseError as err:
        raise click.ClickException(str(err)) from None
    db.upgrade(engine)
    return engine


def _write(settings: Settings, work: Callable[[Connection], T]) -> T:
    """`work(conn)` in one write transaction that waits for a running central's writers
    instead of failing (central.db.in_write_transaction)."""
    engine = _engine(settings)
    try:
        return db.in_write_transaction(engine, work)
    finally:
        engine.dispose()


@main.command()
@click.option("--host", default=None, help="Address to listen on (default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default 8080).")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Worker processes; with more than one the migrations run once before they start.",
)
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None, workers: int) -> None:
    """Serve the API with uvicorn.

    Example: hymy-central --db postgresql://hymy@localhost/hymy serve --host 0.0.0.0 --workers 4
    """
    import uvicorn

    from central.app import create_app

    base: Settings = ctx.obj
    settings = Settings(
        **{**base.__dict__, **{k: v for k, v in (("host", host), ("port", port)) if v}}
    )
    try:
        db.normalize_url(settings.database_url)
    except db.DatabaseError as err:
        raise click.ClickException(str(err)) from None
    options = {"host": settings.host, "port": settings.port, "log_level": "info"}
    if workers == 1:
        uvicorn.run(create_app(settings), proxy_headers=True, **options)
        return
    # Each worker process builds its own app from the environment; the schema is brought up to
    # date here first, so the workers never race in the migrations.
    engine = _engine(settings)
    engine.dispose()
    os.environ.update(settings.environment())
    uvicorn.run(
        "central.app:app_from_env", factory=True, workers=workers, proxy_headers=True, **options
    )


@main.group("db")
def db_group() -> None:
    """The database schema."""


@db_group.command("upgrade")
@pass_settings
def db_upgrade(settings: Settings) -> None:
    """Apply the database migrations (serve does this on start too).

    Example: hymy-central --db postgresql://hymy@localhost/hymy db upgrade
    """
    from central.enrollment import sites_in_unsupported_zones

    engine = _engine(settings)
    with engine.connect() as conn:
        unsupported = sites_in_unsupported_zones(conn)
    engine.dispose()
    click.echo(f"The database {settings.database_url.split('@')[-1]} is up to date.")
    for site, problem in unsupported.items():
        click.echo(f"Site {site} is not reported until its time zone changes: {problem}.")


@main.group()
def site() -> None:
    """Sites (health stations) and their service points."""


@site.command("add")
@click.argument("site_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_settings
def site_add(settings: Settings, site_file: Path) -> None:
    """Add a site, or update it, from a TOML site file (see docs/central.md).

    Example: hymy-central site add assets/config/example-site.toml
    """
    try:
        definition = parse_site(site_file.read_text(encoding="utf-8"), str(site_file))
    except SiteError as err:
        raise click.ClickException(str(err)) from None
    new = _write(settings, lambda conn: save_site(conn, definition))
    points = ", ".join(f"{p.prefix} {p.id}" for p in definition.service_points)
    click.echo(
        f"{'Added' if new else 'Updated'} site {definition.site.id} "
        f"({definition.site.timezone}; {points})."
    )


@main.command("enroll-code")
@click.option("--site", "site_id", required=True, help="The site the new kiosk belongs to.")
@pass_settings
def enroll_code(settings: Settings, site_id: str) -> None:
    """Print a one-time code that enrols one kiosk of the site (valid 24 hours).

    Example: hymy-central enroll-code --site kaleva
    """
    try:
        code = _write(
            settings, lambda conn: create_enroll_code(conn, site_id, settings.enroll_code_ttl)
        )
    except NotFoundError as err:
        raise click.ClickException(str(err)) from None
    hours = int(settings.enroll_code_ttl.total_seconds() // 3600)
    click.echo(
        f"{code}\nOn the kiosk: hymy-sync enroll --central URL --code {code}  "
        f"(valid {hours} hours, once)"
    )


@main.group("api-key")
def api_key() -> None:
    """API keys for people: admins, IT staff and managers."""


@api_key.command("create")
@click.option("--role", type=click.Choice(["admin", "it", "manager"]), required=True)
@click.option("--site", "sites", multiple=True, help="A site the key may read (repeat).")
@pass_settings
def api_key_create(settings: Settings, role: str, sites: tuple[str, ...]) -> None:
    """Print a new API key (shown once; only its hash is kept).

    Example: hymy-central api-key create --role manager --site kaleva
    """
    from central.access import ApiKeyError, create_api_key

    try:
        key, key_id = _write(settings, lambda conn: create_api_key(conn, role, list(sites)))
    except ApiKeyError as err:
        raise click.ClickException(str(err)) from None
    scope = ", ".join(sites) if sites else "every site"
    click.echo(f"{key}\n(key {key_id}, role {role}, {scope}; keep it safe: it is shown once)")


@main.command("report")
@click.argument("kind", type=click.Choice(["feedback", "checkins"]))
@click.option("--site", "sites", multiple=True, required=True, help="Site id (repeat).")
@click.option("--from", "first", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--to", "last", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option(
    "--by",
    type=click.Choice(["hour", "day", "week", "month", "service-point"]),
    default="day",
    show_default=True,
)
@click.option("--service-point", help="Only this service point.")
@click.option("--include-misuse", is_flag=True, help="Count ratings flagged as misuse too.")
@click.option(
    "--include-implausible",
    is_flag=True,
    help="Count events whose kiosk time was implausible (at the time they reached the central).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
@pass_settings
def report_command(
    settings: Settings,
    kind: str,
    sites: tuple[str, ...],
    first,
    last,
    by: str,
    service_point: str | None,
    include_misuse: bool,
    include_implausible: bool,
    fmt: str,
) -> None:
    """Print a feedback or check-in report of local days FROM..TO.

    Example: hymy-central report feedback --site kaleva --from 2026-11-01 --to 2026-11-30 --by week
    """
    import json

    from central.enrollment import NotFoundError
    from central.limits import LimitError
    from central.reports import ReportError, report, to_csv, to_table

    engine = _engine(settings)
    try:
        with engine.connect() as conn:
            answer = report(
                conn,
                kind,
                list(sites),
                first.date(),
                last.date(),
                by,
                include_misuse,
                service_point,
                include_implausible,
            )
    except (ReportError, LimitError, NotFoundError) as err:
        raise click.ClickException(str(err)) from None
    if fmt == "json":
        click.echo(json.dumps(answer, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        click.echo(to_csv(answer), nl=False)
    else:
        click.echo(to_table(answer))


@main.command("devices")
@click.option("--site", "sites", multiple=True, help="Only kiosks of this site (repeat).")
@pass_settings
def devices_command(settings: Settings, sites: tuple[str, ...]) -> None:
    """List every kiosk with when it was last seen, its status in words and, below, whether
    all its events arrived ("all 1210 events received", "7 events missing (seq 1200-1206)").

    Example: hymy-central devices --site kaleva
    """
    from central.enrollment import missing_sites
    from central.fleet import fleet

    engine = _engine(settings)
    with engine.connect() as conn:
        unknown = missing_sites(conn, list(sites))
        kiosks = fleet(conn, sites)
    if unknown:  # a typo would read as "no kiosks enrolled yet"
        raise click.ClickException(
            f"No site {', '.join(repr(s) for s in unknown)}: check the id "
            "(`hymy-central devices` lists every site's kiosks)."
        )
    if not kiosks:
        click.echo("No kiosks enrolled yet: make a code with `hymy-central enroll-code`.")
        return
    for d in kiosks:
        seen = d.last_seen.strftime("%Y-%m-%d %H:%M UTC") if d.last_seen else "never"
        click.echo(f"{d.site:<12} {d.kiosk_id:<20} {seen:<22} {d.status}   {d.device_id}")
        if d.completeness:
            click.echo(f"{'':<12} {d.completeness.words()}")


@main.group()
def device() -> None:
    """Enrolled kiosks."""


@device.command("revoke")
@click.argument("device_id")
@pass_settings
def device_revoke(settings: Settings, device_id: str) -> None:
    """End a device's token: its uploads are refused until it is enrolled again.

    Example: hymy-central device revoke 4f0c2a9e-...
    """
    try:
        _write(settings, lambda conn: revoke_device(conn, device_id))
    except NotFoundError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"Revoked device {device_id}; the kiosk keeps its events until enrolled again.")


if __name__ == "__main__":
    main()

"""`hymy-central db ...`: the database schema."""

from __future__ import annotations

import click

from central.cli import describe_database, main, open_engine, pass_settings
from central.settings import Settings


@main.group("db")
def db_group() -> None:
    """The database schema."""


@db_group.command("upgrade")
@pass_settings
def db_upgrade(settings: Settings) -> None:
    """Apply the database migrations, under a lock (after a backup: docs/operations.md).

    serve creates the schema of an empty database but refuses an older one: this migrates it.

    Example: hymy-central --db postgresql://hymy@localhost/hymy db upgrade
    """
    from central.site_store import sites_in_unsupported_zones

    engine = open_engine(settings, migrate=True)
    with engine.connect() as conn:
        unsupported = sites_in_unsupported_zones(conn)
    engine.dispose()
    described = describe_database(settings.database_url)  # never the password
    click.echo(f"{described[0].upper()}{described[1:]} is up to date.")
    for site, problem in unsupported.items():
        click.echo(f"Site {site} is not reported until its time zone changes: {problem}.")

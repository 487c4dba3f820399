"""`hymy-central`: the central's commands. They parse arguments; the library does the work.

The group and what every command shares live here; each family of commands has a module of its
own (serve, db, sites, kiosks, keys, reports), registered at the bottom.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from sqlalchemy import Connection, Engine

from central import db
from central.settings import Settings

T = TypeVar("T")
DB_HELP = (
    "Database URL: sqlite:///PATH (default: central.sqlite in the data dir) or "
    "postgresql://USER@HOST/DB."
)
DATA_DIR_HELP = "Where the central keeps its files (default /var/lib/hymy-central)."


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", "db_url", envvar="HYMY_CENTRAL_DB", help=DB_HELP)
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path),
    envvar="HYMY_CENTRAL_DATA_DIR",
    help=DATA_DIR_HELP,
)
@click.pass_context
def main(ctx: click.Context, db_url: str | None, data_dir: Path | None) -> None:
    """Hymy central: ingest, enrolment and reports for a wellbeing services county's kiosks.

    --db and --data-dir may be given before the command or after it.

    Example: hymy-central --data-dir /var/lib/hymy-central serve --port 8080
    """
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)  # its chatter on every command
    ctx.obj = Settings.from_env(db_url=db_url, data_dir=data_dir)


def pass_settings(command: Callable[..., Any]) -> Callable[..., Any]:
    """Give `command` the Settings as its first argument, and the options --db and --data-dir
    of its own, which win over the group's (`hymy-central serve --db URL` works as printed)."""

    @click.option("--db", "db_url", default=None, help=DB_HELP)
    @click.option("--data-dir", type=click.Path(path_type=Path), default=None, help=DATA_DIR_HELP)
    @click.pass_context
    @functools.wraps(command)
    def wrapper(
        ctx: click.Context, *args: Any, db_url: str | None, data_dir: Path | None, **kwargs: Any
    ) -> Any:
        base: Settings = ctx.find_object(Settings) or Settings.from_env()
        given = {k: v for k, v in (("db_url", db_url), ("data_dir", data_dir)) if v is not None}
        return command(dataclasses.replace(base, **given), *args, **kwargs)

    return wrapper


def open_engine(settings: Settings) -> Engine:
    """The database's engine with the schema brought up to date; a bad URL is a ClickException."""
    try:
        engine = db.make_engine(settings.database_url)
    except db.DatabaseError as err:
        raise click.ClickException(str(err)) from None
    db.upgrade(engine)
    return engine


def write(settings: Settings, work: Callable[[Connection], T]) -> T:
    """`work(conn)` in one write transaction that waits for a running central's writers
    instead of failing (central.db.in_write_transaction)."""
    engine = open_engine(settings)
    try:
        return db.in_write_transaction(engine, work)
    finally:
        engine.dispose()


# The command families register themselves on `main` when imported.
from central.cli import (  # noqa: E402
    data,
    db_commands,
    examples,
    keys,
    kiosks,
    reports,
    serve,
    sites,
)

__all__ = [
    "data",
    "db_commands",
    "examples",
    "keys",
    "kiosks",
    "main",
    "reports",
    "serve",
    "sites",
]

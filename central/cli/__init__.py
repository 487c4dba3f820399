"""`hymy-central`: the central's commands. They parse arguments; the library does the work.

The group and what every command shares live here; each family of commands has a module of its
own (serve, db, sites, kiosks, keys, reports), registered at the bottom.

A command never ends in a traceback for a mistake at its edges: settings_from_env (a bad
HYMY_CENTRAL_* value), prepare_database_folder (a data dir that is a file, cannot be created or is
not writable) and open_engine (those, a bad URL, a database that cannot be reached or refuses the
user, a schema from a newer version; explain_database_error words it) raise click.ClickException
with one line that says what to do.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
from alembic.util.exc import CommandError
from sqlalchemy import Connection, Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from central import db
from central.settings import Settings, SettingsError, prepare_directory
from hymy_entry import version

T = TypeVar("T")
DB_HELP = (
    "Database URL: sqlite:///PATH (default: central.sqlite in the data dir) or "
    "postgresql://USER@HOST/DB."
)
DATA_DIR_HELP = "Where the central keeps its files (default /var/lib/hymy-central)."
_GROUP_OPTIONS = "hymy_central.group_options"  # the group's --db and --data-dir, in ctx.meta


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="hymy", prog_name="hymy-central", message="%(prog)s %(version)s")
# No envvar= here: HYMY_CENTRAL_DB and HYMY_CENTRAL_DATA_DIR are read once, by Settings.from_env.
@click.option("--db", "db_url", help=DB_HELP)
@click.option("--data-dir", type=click.Path(path_type=Path), help=DATA_DIR_HELP)
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
    # The HYMY_CENTRAL_* variables are read when a command runs (pass_settings), so that
    # `hymy-central site add --help` answers even while one of them is wrong.
    ctx.meta[_GROUP_OPTIONS] = {"db_url": db_url or None, "data_dir": data_dir or None}


def settings_from_env(**overrides: object) -> Settings:
    """Settings.from_env, with a value that cannot be used as a ClickException (one line, exit
    status 1) that says what to give instead."""
    try:
        return Settings.from_env(**overrides)
    except SettingsError as err:
        raise click.ClickException(str(err)) from None


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
        group = ctx.meta.get(_GROUP_OPTIONS, {})
        given = {k: v for k, v in (("db_url", db_url), ("data_dir", data_dir)) if v}
        return command(settings_from_env(**{**group, **given}), *args, **kwargs)

    return wrapper


def _in_memory(url: str) -> bool:
    """Whether a sqlite: URL names no file (sqlite://, sqlite:///, sqlite:///:memory:,
    ?mode=memory). Raises click.ClickException for a URL that cannot be read."""
    try:
        parsed = make_url(db.check_url(url))
    except db.DatabaseError as err:
        raise click.ClickException(str(err)) from None
    name = parsed.database or ""
    return name in ("", ":memory:") or parsed.query.get("mode") == "memory"


def prepare_database_folder(settings: Settings) -> None:
    """For a SQLite database, its folder (the data dir by default) made ready: created when
    missing, refused with a sentence when it is a file or not writable. PostgreSQL needs none.

    Raises click.ClickException.
    """
    url = settings.database_url
    if url.startswith("sqlite:") and _in_memory(url):
        # Each command (and each worker) would get an empty database of its own: "Added site"
        # or a new API key, then nothing stored once the command ends.
        raise click.ClickException(
            f"--db {url} is a SQLite database in memory: it keeps nothing once the command "
            "ends. Give a file (sqlite:///PATH) or leave --db out for central.sqlite in the "
            "data dir."
        )
    if not url.startswith("sqlite:///"):
        return
    path = Path(url.removeprefix("sqlite:///"))
    if path.is_dir():
        raise click.ClickException(
            f"The database file {path} is a directory: give the path of a file in it, e.g. "
            f"--db sqlite:///{path / 'central.sqlite'}."
        )
    folder = path.parent
    if settings.db_url:
        what, option = "The folder of the database file", "--db or HYMY_CENTRAL_DB"
    else:
        what, option = "The data dir", "--data-dir or HYMY_CENTRAL_DATA_DIR"
    try:
        prepare_directory(folder, what=what, option=option)
    except SettingsError as err:
        raise click.ClickException(str(err)) from None


def describe_database(url: str) -> str:
    """The database for messages, without the password: "the PostgreSQL database hymy at
    db.example.fi:5432 as hymy" or "the SQLite database /var/lib/hymy-central/central.sqlite"."""
    try:
        parsed = make_url(db.normalize_url(url))
    except (db.DatabaseError, ArgumentError, ValueError):
        return "the database"
    if parsed.get_backend_name() == "sqlite":
        return f"the SQLite database {parsed.database or ':memory:'}"

    # libpq takes host and port from the query too (?host=/run/postgresql: a socket folder), and
    # with no host at all it uses the local socket, not localhost.
    def query(name: str) -> str | None:
        value = parsed.query.get(name)
        value = value[0] if isinstance(value, tuple) else value
        return value or None

    host = parsed.host or query("host")
    port = parsed.port or query("port") or 5432
    if host is None:
        where = f"the local socket (port {port})"
    elif host.startswith("/"):
        where = f"the socket {host}/.s.PGSQL.{port}"
    else:
        where = f"{host}:{port}"
    return f"the PostgreSQL database {parsed.database} at {where} as {parsed.username}"


# What PostgreSQL (or SQLite) says -> what the person should do, for the usual set-up mistakes.
_DATABASE_ADVICE = (
    (
        ("file is not a database",),
        "it is not a SQLite database (another kind of file, or damaged): point --db at the "
        "central's database file, or restore it from the backup (docs/operations.md)",
    ),
    (
        ("password authentication failed", "no password supplied", "authentication failed"),
        "the user or the password is wrong: correct them in the URL "
        "(postgresql://USER:PASSWORD@HOST/DB) or in ~/.pgpass",
    ),
    (
        ("no pg_hba.conf entry",),
        "the server does not let this user connect from here: add a line for it to pg_hba.conf "
        "and reload PostgreSQL",
    ),
    (
        ('role "',),
        "no such user: create it (sudo -u postgres createuser --pwprompt USER) or correct the URL",
    ),
    (
        ('database "',),
        "no such database: create it (sudo -u postgres createdb --owner USER DB) or correct the "
        "URL",
    ),
    (
        ("permission denied",),
        "the user may not create the central's tables: make it the owner of the database "
        "(ALTER DATABASE DB OWNER TO USER)",
    ),
    (
        (
            "failed to resolve host",
            "name or service not known",
            "could not translate host name",
            "temporary failure in name resolution",
        ),
        "no such host: correct the host name in the URL",
    ),
    (
        ("connection refused", "could not connect", "timeout expired", "no route to host"),
        "is PostgreSQL running there? Start it, or correct the host and port in the URL",
    ),
    (
        ("unable to open database file", "readonly database", "disk i/o error"),
        "give a file in a folder the central's user can write in",
    ),
)


def explain_database_error(url: str, err: BaseException) -> str:
    """One line for a database that cannot be used: which one (without the password), what it
    said and what to do (--db or HYMY_CENTRAL_DB)."""
    orig = getattr(err, "orig", None) or err
    # psycopg's own hint ("Is the server running on that host...?") follows on a line of its own.
    lines = [line.strip() for line in str(orig).splitlines() if line.strip()]
    said = " ".join(lines[0].split()) if lines else type(orig).__name__
    advice = next(
        (text for needles, text in _DATABASE_ADVICE if any(n in said.lower() for n in needles)),
        "check the URL and the database server",
    )
    return f"Cannot use {describe_database(url)} ({said}): {advice} (--db or HYMY_CENTRAL_DB)."


@contextmanager
def database_errors(settings: Settings) -> Iterator[None]:
    """The CLI's edge for the database: an error of the database or its driver (it cannot be
    reached, refuses the user, went away during the command) becomes one line that says which
    database (never the password) and what to do, never a traceback (click.ClickException)."""
    try:
        yield
    except DBAPIError as err:
        raise click.ClickException(explain_database_error(settings.database_url, err)) from None


def open_engine(settings: Settings, *, migrate: bool = False) -> Engine:
    """The database's engine, its schema checked. Only `serve` and `db upgrade` migrate: an
    empty database gets the newest schema, an older one is migrated only with `migrate`
    (`hymy-central db upgrade`, its own step after a backup) and refused otherwise with the one
    sentence that names `hymy-central db upgrade`, so a read-only command (report, devices, site
    list ...) or one run beside servers of the old version never changes the schema under them.

    Raises click.ClickException (one line that says what to do) for a bad URL, a data dir that
    is a file or not writable, a database that cannot be reached or refuses the user, an older
    schema without `migrate` and a schema newer than this version knows.
    """
    prepare_database_folder(settings)
    try:
        engine = db.make_engine(settings.database_url)
    except db.DatabaseError as err:
        raise click.ClickException(str(err)) from None
    try:
        with database_errors(settings):
            if migrate:
                db.upgrade(engine)
            else:
                db.ensure_schema(engine)
    except db.SchemaError as err:
        engine.dispose()
        raise click.ClickException(str(err)) from None
    except CommandError as err:
        engine.dispose()
        described = describe_database(settings.database_url)
        raise click.ClickException(
            f"{described[0].upper()}{described[1:]} has a schema this "
            f"hymy-central {version()} does not know ({err}): it was upgraded by a newer "
            "version; run that version, or restore the backup made before the upgrade."
        ) from None
    except click.ClickException:
        engine.dispose()
        raise
    return engine


def read(settings: Settings, work: Callable[[Connection], T]) -> T:
    """`work(conn)` on one connection for reading, the engine disposed of afterwards."""
    engine = open_engine(settings)
    try:
        with database_errors(settings), engine.connect() as conn:
            return work(conn)
    finally:
        engine.dispose()


def write(settings: Settings, work: Callable[[Connection], T]) -> T:
    """`work(conn)` in one write transaction that waits for a running central's writers
    instead of failing (central.db.in_write_transaction)."""
    engine = open_engine(settings)
    try:
        with database_errors(settings):
            return db.in_write_transaction(engine, work)
    finally:
        engine.dispose()


# The command families register themselves on `main` when imported.
from central.cli import (  # noqa: E402
    data,
    db_commands,
    examples,
    export,
    keys,
    kiosks,
    mail,
    people,
    reports,
    serve,
    sites,
)

__all__ = [
    "data",
    "db_commands",
    "examples",
    "export",
    "keys",
    "kiosks",
    "mail",
    "main",
    "people",
    "reports",
    "serve",
    "sites",
]

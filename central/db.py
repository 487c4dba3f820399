"""The central's database: an engine for SQLite (the default) or PostgreSQL, and its migrations."""

from __future__ import annotations

import fcntl
import logging
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError

log = logging.getLogger(__name__)
T = TypeVar("T")
RETRY_ATTEMPTS = 6
# PostgreSQL's serialization failure and deadlock: the transaction was rolled back whole and may
# simply be run again.
RETRYABLE_SQLSTATES = {"40001", "40P01"}


# PostgreSQL advisory lock held while the schema is checked or migrated (one bigint key, "hymy"
# and 1): every worker and every server of one database takes it, so migrations run once.
MIGRATION_LOCK_KEY = 0x68796D79_00000001
UPGRADE_COMMAND = "hymy-central db upgrade"


class DatabaseError(RuntimeError):
    """The database URL is unusable; the message says what to give instead."""


class SchemaError(RuntimeError):
    """The database's schema is not the one this code serves; the message says what to do."""


def normalize_url(url: str) -> str:
    """postgresql://... is served by psycopg 3; sqlite:///path stays as it is.

    Raises DatabaseError for any other kind of database.
    """
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith(("postgresql+psycopg://", "sqlite:///", "sqlite://")):
        return url
    raise DatabaseError(
        f"Unsupported database {url!r}: use sqlite:///PATH or postgresql://USER@HOST/DB."
    )


def default_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'central.sqlite'}"


def check_url(url: str) -> str:
    """The normalized URL, checked that SQLAlchemy can read it (a port that is not a number, an
    unclosed [ of an IPv6 address, a password with an unencoded @ or /).

    Raises DatabaseError that says how to write it, without the password.
    """
    given, url = url, normalize_url(url)
    try:
        parsed = make_url(url)
        _ = parsed.port  # read lazily by some versions
    except (ArgumentError, ValueError, TypeError) as err:
        scheme = given.split("://", 1)[0]
        raise DatabaseError(
            f"The database URL ({scheme}://...) cannot be read ({type(err).__name__}: the host, "
            "port or password is malformed): write it as postgresql://USER:PASSWORD@HOST:PORT/DB "
            "or sqlite:///PATH, with the characters @ : / [ ] % of a password percent-encoded "
            "(e.g. %40 for @), in --db or HYMY_CENTRAL_DB."
        ) from None
    return url


def make_engine(url: str) -> Engine:
    """An engine with the settings each database needs.

    Raises DatabaseError for a URL that is not of a supported database or cannot be read.
    """
    url = check_url(url)
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection, _record) -> None:
            connection.isolation_level = None  # transactions are begun below, not by sqlite3
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode = WAL")
            # An acknowledged batch must outlive a power cut: the kiosk has let it go.
            cursor.execute("PRAGMA synchronous = FULL")
            cursor.execute("PRAGMA foreign_keys = ON")
            # 64 MiB of page cache: the events' id index is random (UUIDs) and grows large.
            cursor.execute("PRAGMA cache_size = -65536")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(connection) -> None:
            # A writer that reads first takes the write lock up front (write_lock=True): else
            # it fails when another writer commits between its read and its write (WAL).
            immediate = connection.get_execution_options().get("write_lock")
            connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def writing(engine: Engine) -> Connection:
    """A connection for a read-then-write transaction: `with writing(engine) as c, c.begin():`
    (on SQLite it takes the write lock at BEGIN; PostgreSQL needs nothing special)."""
    return engine.connect().execution_options(write_lock=True)


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """`with write_transaction(engine) as conn:` one write transaction, committed at the end
    (rolled back on an error), holding SQLite's write lock from BEGIN; no retries (for those:
    in_write_transaction). For scripts and tests that write beside the central's workers: a
    plain `engine.begin()` that reads before it writes fails at once while a worker writes."""
    with writing(engine) as conn, conn.begin():
        yield conn


def is_transient(err: DBAPIError) -> bool:
    """Whether the failed transaction may simply be run again: a PostgreSQL serialization failure
    or deadlock, or SQLite still locked after its busy timeout."""
    sqlstate = getattr(err.orig, "sqlstate", None)
    if sqlstate in RETRYABLE_SQLSTATES:
        return True
    return isinstance(err, OperationalError) and "database is locked" in str(err.orig)


def in_write_transaction(
    engine: Engine, work: Callable[[Connection], T], *, attempts: int = RETRY_ATTEMPTS
) -> T:
    """Run `work(conn)` in one write transaction (write lock at BEGIN on SQLite), committed before
    this returns; a transient failure (see is_transient) rolls back and runs it again, up to
    `attempts` times with a short random pause, so a caller never sees a deadlock.

    `work` must have no effects outside the transaction. Raises the last error when every attempt
    failed, and any other error at once.
    """
    for attempt in range(1, attempts + 1):
        try:
            with writing(engine) as conn, conn.begin():
                return work(conn)
        except DBAPIError as err:
            if attempt == attempts or not is_transient(err):
                raise
            pause = random.uniform(0, 0.02 * 2**attempt)
            log.info("transaction retried (%s) after %.3f s", type(err.orig).__name__, pause)
            time.sleep(pause)
    raise AssertionError("unreachable")


def sqlite_path(engine: Engine) -> Path | None:
    """The file of a SQLite database (None for PostgreSQL or an in-memory SQLite)."""
    if engine.dialect.name != "sqlite":
        return None
    name = engine.url.database
    return Path(name) if name and name != ":memory:" else None


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[Connection]:
    """A connection on which nobody else checks or migrates the schema until this ends: a
    PostgreSQL session advisory lock on that same connection (MIGRATION_LOCK_KEY), or on SQLite
    an exclusive lock (flock) on a file next to the database. Both wait as long as it takes; a
    process that dies frees them."""
    path = sqlite_path(engine)
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.exec_driver_sql(f"SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})")
            conn.commit()
            try:
                yield conn
            finally:
                conn.rollback()
                conn.exec_driver_sql(f"SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})")
                conn.commit()
        return
    if path is None:
        with engine.connect() as conn:
            yield conn
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".migrate.lock"), "a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            with engine.connect() as conn:
                yield conn
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", "central:migrations")
    config.attributes["connection"] = connection
    return config


def _migrate(conn: Connection) -> None:
    with conn.begin():
        command.upgrade(_alembic_config(conn), "head")


def schema_problem(conn: Connection) -> str | None:
    """Why this code cannot serve the database as it is, or None when its schema is the newest
    (or the database is empty: see ensure_schema). Reads only, and ends its transaction."""
    try:
        return _schema_problem(conn)
    finally:
        conn.rollback()


def _schema_problem(conn: Connection) -> str | None:
    scripts = ScriptDirectory.from_config(_alembic_config(conn))
    head = scripts.get_current_head()
    current = MigrationContext.configure(conn).get_current_revision()
    if current == head:
        return None
    if current is None:
        if not inspect(conn).get_table_names():
            return None  # empty: ensure_schema creates it
        return (
            "The database has tables but no Hymy schema version: it is not a Hymy central's "
            "database, or its alembic_version table was lost. Point --db at the right database."
        )
    known = {script.revision for script in scripts.walk_revisions()}
    if current not in known:
        return (
            f"The database's schema ({current}) is newer than this hymy-central knows "
            f"({head}): a newer version has migrated it. Install that version (or newer) "
            "here, or restore the backup taken before that upgrade."
        )
    return (
        f"The database's schema ({current}) is older than this hymy-central's ({head}): "
        f"stop the central, back up the database and run `{UPGRADE_COMMAND}` "
        "(see docs/operations.md, Upgrades), then start it again."
    )


def ensure_schema(engine: Engine) -> None:
    """What `serve` does before it answers: an empty database gets the newest schema (under the
    migration lock, so workers and servers that start together create it once); a database at
    the newest schema is used as it is.

    Raises SchemaError for an older schema (migrating is `hymy-central db upgrade`, its own step
    after a backup) or a newer one than this code knows.
    """
    with _migration_lock(engine) as conn:
        problem = schema_problem(conn)
        if problem:
            raise SchemaError(problem)
        if MigrationContext.configure(conn).get_current_revision() is None:
            conn.rollback()
            log.info("empty database: creating the schema")
            _migrate(conn)
        else:
            conn.rollback()


def upgrade(engine: Engine) -> None:
    """Apply every migration not yet applied (idempotent), under the migration lock: of
    several processes that upgrade at once, one migrates and the others then find nothing to
    do.

    Raises SchemaError when the database's schema is newer than this code (or not Hymy's):
    nothing to apply, and alembic could not even tell.
    """
    with _migration_lock(engine) as conn:
        problem = schema_problem(conn)
        if problem and UPGRADE_COMMAND not in problem:  # newer, or not a Hymy database
            raise SchemaError(problem)
        _migrate(conn)
    log.debug("database schema is up to date")

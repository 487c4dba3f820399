"""The central's database: an engine for SQLite (the default) or PostgreSQL, and its migrations."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, OperationalError

log = logging.getLogger(__name__)
T = TypeVar("T")
RETRY_ATTEMPTS = 6
# PostgreSQL's serialization failure and deadlock: the transaction was rolled back whole and may
# simply be run again.
RETRYABLE_SQLSTATES = {"40001", "40P01"}


class DatabaseError(RuntimeError):
    """The database URL is unusable; the message says what to give instead."""


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


def make_engine(url: str) -> Engine:
    """An engine with the settings each database needs."""
    url = normalize_url(url)
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


def upgrade(engine: Engine) -> None:
    """Apply every migration not yet applied (idempotent)."""
    config = Config()
    config.set_main_option("script_location", "central:migrations")
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    log.debug("database schema is up to date")

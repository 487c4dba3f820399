"""Many rows in one statement, on SQLite and on PostgreSQL: how ingest writes a batch.

PostgreSQL gets one statement per table whatever the number of rows. New events are COPYed into
a temporary table and moved by one INSERT ... SELECT ... ON CONFLICT DO NOTHING RETURNING; the
rollup upserts send one array per column, which `unnest` turns back into rows. (A multi-row
VALUES list of 19,000 placeholders costs the driver more to parse than the server needs to store
the rows.) SQLite, in-process, gets one prepared statement run for every row (executemany), its
fastest path.

Rows are written in the order of their key, so that concurrent writers take row locks in one
global order and never deadlock on each other.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any, Literal

from sqlalchemy import Boolean, Column, Connection, Date, DateTime, Integer, Table
from sqlalchemy.exc import DBAPIError

Combine = Literal["add", "min", "max"]


def _postgresql_array(column: Column) -> str:
    """The array type a column's values are sent as: the base type, never a length-limited
    one (a cast to varchar(n)[] would cut a long value silently, the column refuses it)."""
    kind = column.type
    if isinstance(kind, DateTime):
        return "timestamptz[]" if kind.timezone else "timestamp[]"
    if isinstance(kind, Date):
        return "date[]"
    if isinstance(kind, Boolean):
        return "bool[]"
    if isinstance(kind, Integer):
        return "int8[]"
    return "text[]"


def _sqlite_time(value: datetime) -> str:
    if value.tzinfo is UTC:  # most are: cut "+00:00" off the text rather than convert
        return value.isoformat(" ", "microseconds")[:-6]
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(" ", "microseconds")


def _sqlite_converter(column: Column) -> Callable[[Any], Any] | None:
    """How a column's values are given to sqlite3 so they read back as SQLAlchemy's SQLite
    types store them (times as UTC text without an offset); None for as they are."""
    if isinstance(column.type, DateTime):
        return _sqlite_time
    if isinstance(column.type, Date):
        return date.isoformat
    return None


def _columns(table: Table, rows: Sequence[Mapping[str, Any]]) -> list[Column]:
    return [column for column in table.columns if column.name in rows[0]]


def _sorted(rows: Sequence[Mapping[str, Any]], keys: Sequence[str]) -> list[Mapping[str, Any]]:
    return sorted(rows, key=lambda row: tuple(row[k] for k in keys))


def _values_clause(conn: Connection, columns: list[Column], rows: Sequence[Mapping[str, Any]]):
    """The row source and the parameters of an INSERT for this dialect."""
    if conn.dialect.name == "postgresql":
        arrays = ", ".join(f"%(c{i})s::{_postgresql_array(c)}" for i, c in enumerate(columns))
        params: Any = {f"c{i}": [row[c.name] for row in rows] for i, c in enumerate(columns)}
        return f"SELECT * FROM unnest({arrays})", params
    marks = ", ".join("?" * len(columns))
    values = []
    for column in columns:
        given = [row[column.name] for row in rows]
        convert = _sqlite_converter(column)
        values.append(given if convert is None else [v if v is None else convert(v) for v in given])
    return f"VALUES ({marks})", list(zip(*values, strict=True))


Rows = Sequence[Mapping[str, Any]]


def _postgresql_insert_new(
    conn: Connection, table: Table, columns: list[Column], rows: Rows, key: str
) -> set:
    """COPY into a temporary table of the same columns, then one INSERT ... SELECT in key order
    that skips keys already there: the least work for driver and server alike."""
    import psycopg  # only where PostgreSQL is used

    quote = conn.dialect.identifier_preparer.quote
    names = ", ".join(quote(c.name) for c in columns)
    staging = quote(f"{table.name}_in")
    steps = [
        f"CREATE TEMP TABLE IF NOT EXISTS {staging} (LIKE {quote(table.name)}) "
        "ON COMMIT DELETE ROWS",
        f"COPY {staging} ({names}) FROM STDIN",
        f"WITH moved AS (DELETE FROM {staging} RETURNING {names}) "
        f"INSERT INTO {quote(table.name)} ({names}) SELECT {names} FROM moved "
        f"ORDER BY {quote(key)} ON CONFLICT ({quote(key)}) DO NOTHING RETURNING {quote(key)}",
    ]
    cursor = conn.connection.driver_connection.cursor()
    step = steps[0]
    try:
        cursor.execute(step)
        step = steps[1]
        with cursor.copy(step) as copy:
            for row in rows:
                copy.write_row([row[c.name] for c in columns])
        step = steps[2]
        cursor.execute(step)
        return {found[0] for found in cursor.fetchall()}
    except psycopg.Error as err:  # as SQLAlchemy would raise it: DataError, OperationalError...
        raise DBAPIError.instance(step, None, err, psycopg.Error) from err
    finally:
        cursor.close()


def insert_new(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]], key: str) -> set:
    """Insert the rows in key order; returns the keys of the rows this call stored.

    On PostgreSQL a row whose key exists already is skipped (concurrent writers may have stored
    it meanwhile). On SQLite the caller must know that none exists: it holds the write lock
    since it looked (central.db.writing). Raises what the driver raises for a value it refuses
    (as SQLAlchemy's DBAPIError subclasses, or UnicodeError and OverflowError).
    """
    if not rows:
        return set()
    rows = _sorted(rows, [key])
    columns = _columns(table, rows)
    if conn.dialect.name == "postgresql":
        return _postgresql_insert_new(conn, table, columns, rows, key)
    quote = conn.dialect.identifier_preparer.quote
    names = ", ".join(quote(c.name) for c in columns)
    source, params = _values_clause(conn, columns, rows)
    conn.exec_driver_sql(f"INSERT INTO {quote(table.name)} ({names}) {source}", params)
    return {row[key] for row in rows}


def upsert(
    conn: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    keys: Sequence[str],
    combine: Mapping[str, Combine],
) -> None:
    """Insert the rows, or combine them with the row of the same key: "add" adds the values,
    "min" and "max" keep the smaller or larger one; other columns keep their first value.
    The keys must be unique among `rows`."""
    if not rows:
        return
    rows = _sorted(rows, keys)
    columns = _columns(table, rows)
    quote = conn.dialect.identifier_preparer.quote
    if conn.dialect.name == "postgresql":
        functions = {"min": "LEAST", "max": "GREATEST"}
    else:
        functions = {"min": "min", "max": "max"}  # SQLite's with two arguments
    updates = []
    for name, how in combine.items():
        mine, theirs = f"{quote(table.name)}.{quote(name)}", f"excluded.{quote(name)}"
        if how == "add":
            updates.append(f"{quote(name)} = {mine} + {theirs}")
        else:
            updates.append(f"{quote(name)} = {functions[how]}({mine}, {theirs})")
    names = ", ".join(quote(c.name) for c in columns)
    source, params = _values_clause(conn, columns, rows)
    conn.exec_driver_sql(
        f"INSERT INTO {quote(table.name)} ({names}) {source} "
        f"ON CONFLICT ({', '.join(quote(k) for k in keys)}) DO UPDATE SET {', '.join(updates)}",
        params,
    )

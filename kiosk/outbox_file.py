"""The outbox's file on disk: what a file at the outbox's path must be before it is opened, and
how a new one is made (under a temporary name, migrated, fsynced, then linked into place, so a
0-byte or half-made outbox.sqlite is never a legitimate state). Helpers of `Outbox.open`."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk import schema

if TYPE_CHECKING:
    from kiosk.outbox import Outbox

SQLITE_HEADER = b"SQLite format 3\x00"
OUTBOX_TABLES = ("events", "meta", "ticket_counters")
STALE_NEW_FILE_S = 3600.0  # a half-made new outbox this old was left by a crash
LOW_SPACE_BYTES = 256 * 1024  # less free than this: "the disk is full" (SQLite needs pages)


class OutboxError(Exception):
    """The outbox could not do what was asked; the message says what to do."""


class SchemaTooNewError(OutboxError):
    """The file was written by a newer Hymy; it is left untouched."""


class NotAnOutboxError(OutboxError):
    """The file at the outbox's path is not an outbox (garbage, 0 bytes, another database); it
    is left untouched and never replaced."""


def not_an_outbox(path: Path, what: str) -> NotAnOutboxError:
    return NotAnOutboxError(
        f"The outbox {path} cannot be used: {what}. It was left as it is. Move it aside, with "
        f"any {path.name}-wal and {path.name}-shm beside it (e.g. `mv {path} {path}.broken`); "
        "a new, empty outbox is then made at the next start (the kiosk tries again by itself). "
        "Events that were in it may still be recoverable from the moved file "
        f"(`sqlite3 {path}.broken .recover`)."
    )


def unreadable(err: sqlite3.DatabaseError) -> bool:
    """SQLite's answer for a file that is damaged or not a database at all."""
    code = getattr(err, "sqlite_errorcode", None)
    return code in (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT) or "not a database" in str(err)


def check_header(path: Path) -> None:
    """Refuse, before SQLite sees it, a file that cannot be an SQLite database."""
    try:
        with path.open("rb") as file:
            header = file.read(100)
    except OSError as err:
        raise OutboxError(
            f"Cannot read the outbox {path}: {err}. Check that it is readable by the kiosk's user."
        ) from err
    if not header:
        raise not_an_outbox(
            path, "it is empty (0 bytes): it was cut short, or an older Hymy stopped making it"
        )
    if not header.startswith(SQLITE_HEADER) or len(header) < 100:
        raise not_an_outbox(path, "it is not an SQLite database (overwritten or damaged)")
    expected, actual = _size_in_header(header), _size(path)
    # With a write-ahead log beside it the file may lag behind its header until a checkpoint.
    if expected and actual < expected and not _size(path.with_name(f"{path.name}-wal")):
        raise not_an_outbox(path, f"it is cut short ({actual} of its {expected} bytes are there)")


def _size_in_header(header: bytes) -> int | None:
    """The database's size as its header gives it, when the header says the figure is valid."""
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    valid = header[24:28] == header[92:96]  # the change counter matches "version valid for"
    return page_size * pages if valid and pages else None


def check_schema(path: Path, connection: sqlite3.Connection) -> None:
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    if version > schema.LATEST:
        raise SchemaTooNewError(
            f"The outbox {path} has schema version {version}, newer than this Hymy "
            f"knows ({schema.LATEST}); install the newer Hymy again. The file was not "
            "changed."
        )
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    missing = [table for table in OUTBOX_TABLES if table not in tables]
    if version < 1 or missing:
        # Every outbox is migrated before it takes its name: version 0 is another database.
        raise not_an_outbox(
            path,
            "it is an SQLite database, but not a Hymy outbox (it has no "
            + (f"{' or '.join(missing)} table" if missing else "Hymy schema version")
            + ")",
        )


def make_new_outbox(cls: type[Outbox], path: Path, busy_timeout_ms: int) -> None:
    """A new, migrated outbox at path, unless another process makes one there first.

    Raises NotAnOutboxError when a write-ahead log of a removed outbox is still there,
    OutboxError when the folder or the file cannot be made.
    """
    wal = path.with_name(f"{path.name}-wal")
    if _size(wal) and not path.exists():  # re-checked: the other process links before its WAL
        raise NotAnOutboxError(
            f"The outbox {path} is missing but its write-ahead log {wal} is still there; it "
            "may hold events. Move it aside too (or put the outbox back) and start again."
        )
    new = path.with_name(f".{path.name}.new-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_new_files(path)
        connection = sqlite3.connect(str(new), isolation_level=None, timeout=busy_timeout_ms / 1000)
        try:
            # WAL from the start: switching a file that others have open would need an exclusive
            # lock, which two processes opening it at once can refuse each other.
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = FULL")
            cls(new, connection)._migrate()
        finally:
            connection.close()  # the last connection: checkpointed, its -wal and -shm removed
        _fsync(new)
        # Unlike a rename, a link never replaces what another process linked a moment ago
        # (the sync agent, or the kiosk): then that one is opened.
        with contextlib.suppress(FileExistsError):
            os.link(new, path)
        _fsync(path.parent)
    except (OSError, sqlite3.Error, OutboxError) as err:
        cause = err.__cause__ if isinstance(err, OutboxError) and err.__cause__ else err
        raise OutboxError(
            f"Cannot make a new outbox {path}: {diagnose(path.parent) or cause}. Check that the "
            f"data directory {path.parent} exists, is writable by the kiosk's user and that the "
            "disk is not full."
        ) from err
    finally:
        for leftover in (new, *(new.with_name(f"{new.name}-{end}") for end in ("wal", "shm"))):
            with contextlib.suppress(OSError):
                leftover.unlink()


def diagnose(directory: Path) -> str | None:
    """Why SQLite could not write in the directory, where that can be told ("unable to open
    database file" says nothing)."""
    try:
        stats = os.statvfs(directory)
    except OSError:
        return None
    if stats.f_flag & os.ST_RDONLY:
        return f"{directory} is on a read-only file system"
    if stats.f_bavail * stats.f_frsize < LOW_SPACE_BYTES:
        return f"the disk of {directory} is full"
    if not os.access(directory, os.W_OK):
        return f"this user ({os.geteuid()}) may not write in {directory}"
    return None


def _remove_stale_new_files(path: Path) -> None:
    cutoff = time.time() - STALE_NEW_FILE_S
    for leftover in path.parent.glob(f".{path.name}.new-*"):
        with contextlib.suppress(OSError):  # gone already, or cannot be: it does no harm
            if leftover.stat().st_mtime < cutoff:
                leftover.unlink()


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

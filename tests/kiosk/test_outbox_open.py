"""Opening the outbox file: a file that is not an outbox (garbage, 0 bytes, cut short, another
database) is refused with a sentence that says what to do and is never replaced by a new, empty
outbox; a new outbox comes into place whole (made under a temporary name, then linked), also when
the kiosk and the sync agent start at once. `hymy-sync` says so in a sentence, not a traceback."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from kiosk.outbox import NotAnOutboxError, Outbox, OutboxError
from tests.support.paths import ROOT, child_pythonpath
from tests.support.storage import bind_mount, set_read_only, small_filesystem


def event() -> dict:
    return {"id": str(uuid.uuid4()), "type": "feedback", "rating": 3}


def garbage(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(os.urandom(20_000))
    return path.read_bytes()


def zero_bytes(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")
    return b""


def other_database(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE events (x)")  # one of ours by name, but nothing else
        conn.execute("INSERT INTO events VALUES (1)")
    return path.read_bytes()


def other_database_with_a_version(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE photos (name TEXT)")
        conn.execute("PRAGMA user_version = 1")
    return path.read_bytes()


def empty_database(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as conn:  # a database file with no tables: version 0
        conn.execute("CREATE TABLE t (x)")
        conn.execute("DROP TABLE t")
    return path.read_bytes()


def cut_short(path: Path) -> bytes:
    with Outbox.open(path) as outbox:
        for _ in range(300):
            outbox.append({**event(), "comment": "x" * 300})
    os.truncate(path, 8192)
    return path.read_bytes()


def sqlite_header_then_garbage(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"SQLite format 3\x00" + os.urandom(8000))
    return path.read_bytes()


BROKEN = {
    "garbage": (garbage, "not an SQLite database"),
    "zero bytes": (zero_bytes, "empty (0 bytes)"),
    "another database": (other_database, "not a Hymy outbox"),
    "another database with a version": (other_database_with_a_version, "not a Hymy outbox"),
    "an empty database": (empty_database, "not a Hymy outbox"),
    "cut short": (cut_short, "cut short"),
    "an SQLite header, then garbage": (sqlite_header_then_garbage, "cannot"),
}


@pytest.mark.parametrize("kind", list(BROKEN))
def test_a_file_that_is_not_an_outbox_is_refused_and_left_as_it_is(tmp_path, kind):
    make, says = BROKEN[kind]
    path = tmp_path / "data" / "outbox.sqlite"
    before = make(path)
    for _ in range(2):  # and again: the first refusal must not have "repaired" anything
        with pytest.raises(NotAnOutboxError) as caught:
            Outbox.open(path)
        message = str(caught.value)
        assert str(path) in message and says in message, message
        assert "Move it aside" in message and "recoverable" in message
        assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["outbox.sqlite"]


def test_after_moving_the_file_aside_a_new_outbox_is_made(tmp_path):
    path = tmp_path / "outbox.sqlite"
    garbage(path)
    with pytest.raises(NotAnOutboxError):
        Outbox.open(path)
    path.rename(tmp_path / "outbox.sqlite.broken")
    with Outbox.open(path) as outbox:
        outbox.append(event())
        assert outbox.stats().pending == 1


def test_a_new_outbox_is_whole_and_leaves_nothing_else(tmp_path):
    path = tmp_path / "new" / "dir" / "outbox.sqlite"
    with Outbox.open(path) as outbox:
        assert outbox.path == path
        outbox.append(event())
    assert sorted(p.name for p in path.parent.iterdir()) == ["outbox.sqlite"]
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] >= 1
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_write_ahead_log_without_its_outbox_is_not_overwritten(tmp_path):
    path = tmp_path / "outbox.sqlite"
    wal = tmp_path / "outbox.sqlite-wal"
    wal.write_bytes(b"\x37\x7f\x06\x82" + os.urandom(4000))
    with pytest.raises(NotAnOutboxError, match="write-ahead log"):
        Outbox.open(path)
    assert not path.exists() and wal.stat().st_size == 4004


ROUNDS = 25


def _open_and_append(path: str, barrier) -> None:
    barrier.wait()
    with Outbox.open(Path(path)) as outbox:
        outbox.append(event())


def test_processes_that_start_at_once_make_one_outbox(tmp_path):
    """The kiosk and the sync agent start together on a fresh Pi: one outbox, every event in it
    (a rename into place would have let the second replace the first, events and all)."""
    context = multiprocessing.get_context("fork")
    writers = 4
    for round_ in range(ROUNDS):
        path = tmp_path / f"round-{round_}" / "outbox.sqlite"
        barrier = context.Barrier(writers)
        processes = [
            context.Process(target=_open_and_append, args=(str(path), barrier))
            for _ in range(writers)
        ]
        for process in processes:
            process.start()
        for process in processes:
            process.join(60)
            assert process.exitcode == 0
        with Outbox.open(path) as outbox:
            assert outbox.stats().pending == writers, f"round {round_}"
        assert [p.name for p in path.parent.iterdir() if p.name.startswith(".")] == []


def test_a_full_disk_never_leaves_a_half_made_outbox(tmp_path):
    """Too little room for even an empty outbox: an error that says so, and no outbox.sqlite
    (0 bytes or half made) that a later start would take for a real one."""
    with small_filesystem(tmp_path / "tiny", size="8k") as data:
        path = data / "outbox.sqlite"
        with pytest.raises(OutboxError, match="is full") as caught:
            Outbox.open(path)
        assert not isinstance(caught.value, NotAnOutboxError)
        assert "Cannot make a new outbox" in str(caught.value)
        assert list(data.iterdir()) == []


def test_a_read_only_data_dir_is_a_clear_error(tmp_path):
    with bind_mount(tmp_path / "data", tmp_path / "ro") as data:
        set_read_only(data, True)
        with pytest.raises(OutboxError, match="writable") as caught:
            Outbox.open(data / "outbox.sqlite")
        assert "read-only file system" in str(caught.value)
        set_read_only(data, False)
        with Outbox.open(data / "outbox.sqlite") as outbox:
            outbox.append(event())


def hymy_sync(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sync.cli", "--data-dir", str(data_dir), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": child_pythonpath()},
    )


@pytest.mark.parametrize("kind", ["garbage", "zero bytes", "another database"])
@pytest.mark.parametrize("command", [("status",), ("once",)])
def test_hymy_sync_says_what_to_do_without_a_traceback(tmp_path, kind, command):
    make, says = BROKEN[kind]
    data = tmp_path / "data"
    before = make(data / "outbox.sqlite")
    done = hymy_sync(data, *command)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert says in done.stderr and "Move it aside" in done.stderr, done.stderr
    assert (data / "outbox.sqlite").read_bytes() == before

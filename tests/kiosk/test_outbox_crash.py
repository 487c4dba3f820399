"""A process killed with SIGKILL mid-append loses no event whose append had returned, and the file
stays sound; writers in several processes at once lose nothing."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from kiosk.outbox import Outbox
from tests.support.paths import ROOT

# Appends in a loop and prints each id right after its append returned.
APPENDER = """
import sys, uuid
from pathlib import Path
from kiosk.clock import KioskClock
from kiosk.events import feedback_event
from kiosk.outbox import Outbox
outbox, clock = Outbox.open(Path(sys.argv[1])), KioskClock()
count = int(sys.argv[2]) if len(sys.argv) > 2 else 10**9
for i in range(count):
    e = feedback_event(stamp=clock.now(), language="fi", rating=1 + i % 4, reason=None,
                       comment="x" * (i % 200), misuse=False)
    outbox.append(e)
    sys.stdout.write(e["id"] + "\\n")
    sys.stdout.flush()
"""


def start_appender(path, count: int | None = None) -> subprocess.Popen[str]:
    args = [sys.executable, "-c", APPENDER, str(path)] + ([str(count)] if count else [])
    return subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, text=True)


@pytest.mark.parametrize("round_", range(3))
def test_sigkill_mid_append_loses_nothing_that_was_acknowledged(tmp_path, round_):
    path = tmp_path / "outbox.sqlite"
    child = start_appender(path)
    acknowledged: list[str] = []
    stop_after = random.Random(round_).randint(150, 600)
    while len(acknowledged) < stop_after:
        line = child.stdout.readline()
        assert line, "the appender stopped by itself"
        acknowledged.append(line.strip())
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    acknowledged += [line.strip() for line in child.stdout.read().splitlines() if line.strip()]

    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = {row[0] for row in conn.execute("SELECT id FROM events")}
    conn.close()
    assert set(acknowledged) <= stored
    with Outbox.open(path) as outbox:  # reopens cleanly after the crash
        assert len(outbox.pending(limit=10_000)) == len(stored)


def test_writers_and_a_sync_reader_in_several_processes_at_once(tmp_path):
    path = tmp_path / "outbox.sqlite"
    Outbox.open(path).close()
    writers = [start_appender(path, count=300) for _ in range(3)]
    sent: set[str] = set()
    with Outbox.open(path) as reader:  # plays the sync agent: read, mark sent, repeat
        deadline = time.monotonic() + 120
        while any(w.poll() is None for w in writers) and time.monotonic() < deadline:
            batch = reader.pending(limit=100)
            reader.mark_sent([e.id for e in batch])
            sent |= {e.id for e in batch}
        outputs = [w.communicate(timeout=60)[0].split() for w in writers]
        assert all(w.returncode == 0 for w in writers), "a writer failed (database locked?)"
        rest = reader.pending(limit=10_000)
        sent |= {e.id for e in rest}
        stats = reader.stats()
    written = {i for out in outputs for i in out}
    assert len(written) == 900
    assert written == sent
    assert stats.sent + stats.pending == 900

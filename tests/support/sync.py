"""The sync agent: `hymy-sync` as a command, a fast agent in-process, the exactly-once check."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlite_utils

from hymy_dev.local_central import LocalCentral
from kiosk import schema
from kiosk.outbox import OUTBOX_FILE, Outbox
from sync.agent import AgentSettings, SyncAgent
from sync.protocol import decode_batch
from tests.support.events import feedback
from tests.support.faultproxy import FaultProxy
from tests.support.paths import ROOT

SYNC = [sys.executable, "-m", "sync.cli"]


# Short waits so a test's retries take seconds, not the minutes of a real outage.
FAST_RETRY = {"HYMY_SYNC_RETRY_BASE_S": "0.05", "HYMY_SYNC_RETRY_CAP_S": "0.5"}


def sync_env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), **FAST_RETRY, **extra}


def hymy_sync(kiosk_dir: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*SYNC, "--data-dir", str(kiosk_dir), *args],
        capture_output=True,
        text=True,
        env=sync_env(),
        timeout=timeout,
    )


def start_agent(kiosk_dir: Path, *args: str, heartbeat_s: float | None = None) -> subprocess.Popen:
    """`hymy-sync run` in the background, its log in agent.log (heartbeats every
    `heartbeat_s` if given)."""
    extra = {"HYMY_SYNC_HEARTBEAT_S": str(heartbeat_s)} if heartbeat_s else {}
    with (kiosk_dir / "agent.log").open("ab") as log:
        return subprocess.Popen(
            [*SYNC, "--data-dir", str(kiosk_dir), "run", *args],
            stdout=subprocess.DEVNULL,
            stderr=log,
            env=sync_env(**extra),
        )


def enroll(kiosk_dir: Path, central_url: str, code: str) -> None:
    done = hymy_sync(
        kiosk_dir, "enroll", "--central", central_url, "--code", code, "--kiosk-id", "aula-1"
    )
    assert done.returncode == 0, done.stderr


def append(kiosk_dir: Path, n: int, **extra) -> list[str]:
    """n feedback events appended as the kiosk does; their ids."""
    events = [feedback(1 + i % 4, **extra) for i in range(n)]
    with Outbox.open(kiosk_dir / OUTBOX_FILE) as outbox:
        for event in events:
            outbox.append(event)
    return [e["id"] for e in events]


def assert_exactly_once(kiosk_dir: Path, central: LocalCentral) -> int:
    """Every event appended on the kiosk is in the central exactly once, counted once in the
    rollups, and nothing is left pending on the kiosk. Returns the number of events."""
    kiosk = sqlite3.connect(kiosk_dir / OUTBOX_FILE)
    states = dict(kiosk.execute("SELECT state, count(*) FROM events GROUP BY state").fetchall())
    ids = {row[0] for row in kiosk.execute("SELECT id FROM events WHERE state = 'sent'")}
    kiosk.close()
    assert states.get("pending", 0) == 0, f"left pending on the kiosk: {states}"
    assert states.get("held", 0) == 0
    db = sqlite3.connect(central.data_dir / "central.sqlite")
    stored = [row[0] for row in db.execute("SELECT id FROM events")]
    total = "SELECT coalesce(sum(r1 + r2 + r3 + r4 + m1 + m2 + m3 + m4), 0) FROM "
    hourly = db.execute(total + "rollups").fetchone()[0]
    daily = db.execute(total + "daily_rollups").fetchone()[0]
    db.close()
    assert len(stored) == len(set(stored))
    assert set(stored) == ids, (
        f"{len(ids - set(stored))} sent events missing in the central, "
        f"{len(set(stored) - ids)} unknown there"
    )
    assert hourly == daily == len(ids), f"rollups count {hourly}/{daily}, not {len(ids)}"
    return len(ids)


def wait_for(condition: Callable[[], Any], timeout_s: float = 60) -> Any:
    """Poll until `condition()` is truthy (or the deadline passes); its last value, for the
    test to assert on. Waiting has a deadline; nothing asserts how long it took."""
    deadline = time.monotonic() + timeout_s
    while not (value := condition()) and time.monotonic() < deadline:
        time.sleep(0.1)
    return value


def states(kiosk_dir: Path) -> dict[str, int]:
    """How many events of the kiosk's outbox are in each state."""
    with sqlite3.connect(kiosk_dir / OUTBOX_FILE) as db:
        return dict(db.execute("SELECT state, count(*) FROM events GROUP BY state").fetchall())


def heartbeat_at_central(central: LocalCentral, device_id: str) -> dict | None:
    """The last heartbeat the central stored for the device, as it stored it."""
    with sqlite3.connect(central.data_dir / "central.sqlite") as db:
        row = db.execute("SELECT heartbeat FROM devices WHERE id = ?", (device_id,)).fetchone()
    return json.loads(row[0]) if row and row[0] else None


def fast_agent(kiosk_dir: Path, batch_size: int = 100) -> SyncAgent:
    return SyncAgent(
        AgentSettings(
            data_dir=kiosk_dir, batch_size=batch_size, backoff_base_s=0.05, backoff_cap_s=0.5
        )
    )


def sent_events(proxy: FaultProxy) -> list[dict]:
    return [event for body in proxy.bodies for event in decode_batch(body)[1]]


def schema_1_outbox(path: Path, states: list[str]) -> None:
    """An outbox as Hymy with schema 1 left it: the v1 migration alone, then its events."""
    db = sqlite_utils.Database(path)
    schema.MIGRATIONS[0](db)
    db.execute("PRAGMA user_version = 1")
    now = time.time()
    for state in states:
        event = feedback(3)
        db.execute(
            "INSERT INTO events (id, type, state, payload, created_at, sent_at, error) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                event["id"],
                "feedback",
                state,
                json.dumps(event),
                now,
                now if state == "sent" else None,
                "rejected by the central: x" if state == "quarantined" else None,
            ],
        )
    db.conn.commit()
    db.close()

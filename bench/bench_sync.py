"""Sync benchmark: a backlog of 100,000 events drained by `hymy-sync once` to a local central
(`hymy-central serve`, SQLite, 127.0.0.1): events per second end to end, bytes on the wire per
event (the gzip bodies as the agent builds them), and the CPU the agent (`hymy-sync run`) uses
while idle for 60 s, and how soon the idle agent picks up a new event (sent at the central).

    .venv/bin/python bench/bench_sync.py [--events 100000] [--idle 60]

Prints figures; asserts nothing. Targets: >= 10,000 events/s, <= 40 bytes/event, idle CPU <= 1 %,
pickup < 1 s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil
from _common import ROOT, scratch

from hymy_dev.local_central import LocalCentral
from kiosk.outbox import OUTBOX_FILE, Outbox
from sync.protocol import encode_batch
from sync.uploader import DEFAULT_BATCH

REASONS = ("waiting-time", "waiting-time", None, None)


def kiosk_events(n: int) -> list[dict]:
    """A week of one busy lobby's events, as the kiosk writes them."""
    rng = random.Random(1)
    start = datetime.now(UTC) - timedelta(days=7)
    boot = str(uuid.uuid4())
    events = []
    for i in range(n):
        moment = start + timedelta(seconds=i * 6 + rng.random())
        common = {
            "id": str(uuid.uuid4()),
            "occurred_at": moment.isoformat(timespec="milliseconds"),
            "boot_id": boot,
            "monotonic_ms": 1000 + i * 6000 + rng.randrange(1000),
            "language": rng.choice(("fi", "fi", "fi", "sv", "en")),
        }
        if i % 3 == 0:
            events.append(
                {
                    **common,
                    "type": "checkin",
                    "service_point": "laboratorio",
                    "ticket": f"L{1 + i % 100:03d}",
                    "method": "touch",
                    "printed": True,
                }
            )
        else:
            rating = rng.choice((1, 2, 3, 3, 4, 4, 4))
            events.append(
                {
                    **common,
                    "type": "feedback",
                    "service_point": None,
                    "rating": rating,
                    "reason": rng.choice(REASONS) if rating < 3 else None,
                    "comment": None,
                    "misuse": False,
                }
            )
    return events


def fill_outbox(path: Path, events: list[dict]) -> None:
    """The backlog in one transaction (the kiosk appends one at a time; that is not measured)."""
    Outbox.open(path).close()
    with sqlite3.connect(path) as db:
        db.executemany(
            "INSERT INTO events (id, type, state, payload, created_at) "
            "VALUES (?, ?, 'pending', ?, ?)",
            [
                (e["id"], e["type"], json.dumps(e, separators=(",", ":")), time.time())
                for e in events
            ],
        )


def wire_bytes(events: list[dict], batch: int, outbox_id: str) -> int:
    """The gzip bodies as the agent sends them: each event with its outbox id and seq."""
    sent = [{**e, "outbox_id": outbox_id, "seq": seq} for seq, e in enumerate(events, 1)]
    return sum(
        len(
            encode_batch(
                sent[i : i + batch],
                batch_id=str(uuid.uuid4()),
                sent_at=datetime.now(UTC),
                boot_id=events[0]["boot_id"],
                monotonic_ms=10**9,
            )
        )
        for i in range(0, len(events), batch)
    )


def pickup_seconds(kiosk_dir: Path, timeout_s: float = 30.0) -> float:
    """One event appended while `hymy-sync run` idles: seconds until the outbox marks it sent."""
    event = {**kiosk_events(1)[0], "id": str(uuid.uuid4())}
    with Outbox.open(kiosk_dir / OUTBOX_FILE) as outbox:
        started = time.perf_counter()
        outbox.append(event)
        while outbox.stats().pending and time.perf_counter() - started < timeout_s:
            time.sleep(0.01)
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--idle", type=float, default=60.0)
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH)
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory(dir=scratch()) as tmp:
        kiosk_dir = Path(tmp) / "kiosk"
        central = LocalCentral(Path(tmp) / "central")
        central.data_dir.mkdir(parents=True)
        central.add_site(ROOT / "assets" / "config" / "example-site.toml")
        central.start()
        sync = [sys.executable, "-m", "sync.cli", "--data-dir", str(kiosk_dir)]
        try:
            subprocess.run(
                [
                    *sync,
                    "enroll",
                    "--central",
                    central.url,
                    "--code",
                    central.enroll_code("kaleva"),
                ],
                check=True,
                env=env,
                capture_output=True,
            )
            events = kiosk_events(args.events)
            fill_outbox(kiosk_dir / OUTBOX_FILE, events)
            started = time.perf_counter()
            subprocess.run(
                [*sync, "once", "--batch-size", str(args.batch_size)],
                check=True,
                env=env,
                capture_output=True,
            )
            elapsed = time.perf_counter() - started
            with Outbox.open(kiosk_dir / OUTBOX_FILE) as outbox:
                assert outbox.stats().pending == 0
                outbox_id = outbox.outbox_id
            size = wire_bytes(events, args.batch_size, outbox_id)

            agent = subprocess.Popen([*sync, "run"], env=env, stderr=subprocess.DEVNULL)
            time.sleep(3)  # started, first heartbeat sent
            process = psutil.Process(agent.pid)
            before = process.cpu_times()
            time.sleep(args.idle)
            after = process.cpu_times()
            pickup = pickup_seconds(kiosk_dir)
            agent.terminate()
            agent.wait(timeout=20)
        finally:
            central.stop()
    cpu = (after.user + after.system - before.user - before.system) / args.idle * 100
    sys.stdout.write(
        f"sync benchmark: {args.events} events backlog, batches of {args.batch_size}, "
        f"{os.cpu_count()} cores, central on SQLite\n"
        f"drain (hymy-sync once, process start included): {args.events / elapsed:,.0f} events/s "
        f"({elapsed:.1f} s)   (target >= 10,000)\n"
        f"wire: {size / args.events:.1f} bytes/event of gzip body   (target <= 40)\n"
        f"idle agent (hymy-sync run, {args.idle:.0f} s): {cpu:.2f} % CPU   (target <= 1 %)\n"
        f"pickup (one new event on an idle agent, until sent): {pickup:.2f} s   (target < 1 s)\n"
    )


if __name__ == "__main__":
    main()

"""Ingest benchmark: events per second through POST /api/v1/events (gzip batches of 1000, the real
central under uvicorn on 127.0.0.1), next to the raw insert rate of the same database measured in
the same run; on SQLite and, where PostgreSQL is installed, on a throwaway cluster.

    .venv/bin/python bench/bench_ingest.py [--events 50000] [--rounds 3]

Each round measures the API and then the raw inserts on fresh databases; with several rounds
the median ratio is printed too (on a shared machine single runs swing by a third). Prints
figures; asserts nothing. Targets on a 2-core machine: >= 20,000 events/s on SQLite; on
PostgreSQL the API at >= 50 % of the raw insert rate.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
from _common import ROOT, scratch
from sqlalchemy import insert

from central.db import make_engine, upgrade
from central.tables import devices, events, sites
from hymy_dev.local_central import free_port
from sync.protocol import encode_batch
from tests.support.events import feedback
from tests.support.paths import EXAMPLE_SITE
from tests.support.postgres import PostgresCluster, postgres_bin


def make_events(n: int) -> list[dict]:
    return [
        feedback(1 + i % 4, monotonic_ms=i, reason="waiting-time" if i % 4 < 2 else None)
        for i in range(n)
    ]


def raw_insert_rate(db_url: str, n: int) -> float:
    """Plain executemany INSERTs of the same rows, batches of 1000, one transaction each."""
    engine = make_engine(db_url)
    upgrade(engine)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(insert(sites).values(id="raw", timezone="UTC", config="{}", created_at=now))
        conn.execute(
            insert(devices).values(
                id="d", site_id="raw", kiosk_id="k", token_hash="x", range_slot=0, enrolled_at=now
            )
        )
    rows = [
        {
            "id": str(uuid.uuid4()),
            "site_id": "raw",
            "device_id": "d",
            "type": "feedback",
            "occurred_at": now,
            "corrected_at": now,
            "clock_suspect": False,
            "rating": 3,
            "misuse": False,
            "content": "{}",
            "received_at": now,
            "batch_id": "b",
        }
        for _ in range(n)
    ]
    started = time.perf_counter()
    for i in range(0, n, 1000):
        with engine.begin() as conn:
            conn.execute(insert(events), rows[i : i + 1000])
    rate = n / (time.perf_counter() - started)
    engine.dispose()
    return rate


def api_rate(db_url: str, data_dir: Path, n: int) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cli = [sys.executable, "-m", "central.cli", "--data-dir", str(data_dir), "--db", db_url]
    subprocess.run(
        [*cli, "site", "add", str(EXAMPLE_SITE)], check=True, env=env, capture_output=True
    )
    code = subprocess.run(
        [*cli, "enroll-code", "--site", "kaleva"],
        check=True,
        env=env,
        capture_output=True,
        text=True,
    ).stdout.split()[0]
    port = free_port()
    server = subprocess.Popen(
        [*cli, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(f"{url}/healthz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        token = httpx.post(f"{url}/api/v1/enroll", json={"code": code, "kiosk_id": "bench"}).json()[
            "token"
        ]
        items = make_events(n)
        bodies = [
            encode_batch(
                items[i : i + 1000],
                batch_id=str(uuid.uuid4()),
                sent_at=datetime.now(UTC),
                boot_id="boot-1",
                monotonic_ms=n + 1,
            )
            for i in range(0, n, 1000)
        ]
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/gzip"}
        with httpx.Client(timeout=60) as client:
            started = time.perf_counter()
            accepted = sum(
                client.post(f"{url}/api/v1/events", content=b, headers=headers).json()["accepted"]
                for b in bodies
            )
            elapsed = time.perf_counter() - started
        assert accepted == n, f"only {accepted} of {n} accepted"
        return n / elapsed
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=1)
    options = parser.parse_args()
    n = options.events
    lines = [
        f"ingest benchmark: {n} events in gzip batches of 1000, one client, {os.cpu_count()} cores"
    ]
    with tempfile.TemporaryDirectory(dir=scratch()) as tmp:
        cluster = PostgresCluster(postgres_bin()) if postgres_bin() else None
        if cluster:
            cluster.start()
        try:
            for name in ["SQLite", "PostgreSQL"] if cluster else ["SQLite"]:
                ratios = []
                for round_ in range(options.rounds):
                    if name == "SQLite":
                        api_db = f"sqlite:///{tmp}/api-{round_}.sqlite"
                        raw_db = f"sqlite:///{tmp}/raw-{round_}.sqlite"
                    else:
                        api_db, raw_db = cluster.create_database(), cluster.create_database()
                    api = api_rate(api_db, Path(tmp) / f"{name}-{round_}", n)
                    raw = raw_insert_rate(raw_db, n)
                    ratios.append(api / raw)
                    lines.append(
                        f"{name:<10}: API {api:>8,.0f} events/s   raw INSERT {raw:>9,.0f} "
                        f"rows/s   ratio {api / raw:.2f}"
                    )
                if options.rounds > 1:
                    lines.append(f"{name:<10}: median ratio {statistics.median(ratios):.2f}")
        finally:
            if cluster:
                cluster.stop()
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()

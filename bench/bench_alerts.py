"""Alert benchmark: how soon an alert's e-mail reaches the SMTP server while a region's kiosks
catch up (bench_fleet's load), and what the rule evaluation costs per ingested batch.

    .venv/bin/python bench/bench_alerts.py [--kiosks 500] [--events 300] [--workers 3]
        [--probes 20] [--batches 200]

1. Latency: `hymy-central serve --workers N` on PostgreSQL (durable) with a local SMTP server
   (aiosmtpd on 127.0.0.1). bench_fleet's kiosks are released at once with their backlogs;
   meanwhile probe kiosks, one per probe site, send five ratings of 1 each, a few seconds
   apart. A probe's latency runs from the start of the request whose answer accepted its
   ratings (the events' arrival) to the SMTP server receiving the site manager's e-mail.
   Without the delivery queue (central.deliveries not there yet) it runs to the alert's row
   instead, and says so.
2. Cost: in-process on PostgreSQL, batches of a site's 50 kiosks through central.ingest, each
   followed by central.alerts.evaluate_site of the site (what the watcher does after a batch,
   without its coalescing of batches that arrive together): evaluation time over ingest time.

Prints figures; asserts nothing. Targets: p95 latency <= 30 s; evaluation < 10 % of ingest.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import multiprocessing
import os
import queue
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from _common import ROOT, percentile, scratch
from bench_fleet import (
    KIOSKS_PER_SITE,
    add_sites_and_codes,
    client_process,
    fill_outboxes,
    site_files,
    stored_counts,
)
from sqlalchemy import select

from central.alert_store import add_person as add_recipient
from central.alerts import AFTER_BATCH, SETTLE_S, evaluate_site
from central.db import in_write_transaction, make_engine, upgrade
from central.enrollment import create_enroll_code, device_for_token, enroll
from central.fleet import record_heartbeat
from central.ingest import check_events, ingest
from central.people import add_person
from central.settings import Settings
from central.site_store import load_site, save_site
from central.sites import parse_site
from central.tables import alerts
from hymy_dev.local_central import free_port
from sync.enrollment import enroll_kiosk
from sync.protocol import Heartbeat, decode_batch, encode_batch
from tests.support.events import feedback
from tests.support.paths import EXAMPLE_SITE
from tests.support.postgres import PostgresCluster, postgres_bin

log = logging.getLogger("bench_alerts")
PROBE_GAP_S = 1.5  # between two probes
ENROL_THREADS = 8


def has_deliveries() -> bool:
    try:
        import central.deliveries  # noqa: F401
    except ImportError:
        return False
    return True


class Mailbox:
    """The SMTP server's side: when each recipient's message arrived."""

    def __init__(self) -> None:
        self.arrivals: list[tuple[float, list[str]]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.arrivals.append((time.time(), list(envelope.rcpt_tos)))
        return "250 OK"

    def first_for(self, address: str, after: float) -> float | None:
        times = [t for t, to in self.arrivals if address in to and t >= after]
        return min(times) if times else None


# --- 1. latency under the fleet's catch-up --------------------------------------------------


def probe_sites(db_url: str, folder: Path, probes: int) -> list[tuple[str, str, str]]:
    """Probe sites with a manager each who gets their alerts: (site, code, manager's address)."""
    engine = make_engine(db_url)
    out = []
    with engine.begin() as conn:
        for n in range(1, probes + 1):
            site = f"probe-{n:02d}"
            text = EXAMPLE_SITE.read_text().replace('id = "kaleva"', f'id = "{site}"', 1)
            save_site(conn, parse_site(text))
            address = f"manager-{site}@example.fi"
            person = add_person(conn, address, "manager", [site], None)
            if has_deliveries():  # else there is nothing to queue the e-mail in
                add_recipient(conn, site, person)
            out.append((site, create_enroll_code(conn, site, timedelta(hours=1)), address))
    engine.dispose()
    return out


def send_probe(url: str, token: str) -> float:
    """Five ratings of 1 from a probe kiosk; when the request that stored them began."""
    now = datetime.now(UTC)
    items = [
        feedback(
            1,
            monotonic_ms=i + 1,
            occurred_at=(now - timedelta(seconds=5 - i)).isoformat(),
            boot_id="probe-boot",
        )
        for i in range(5)
    ]
    body = encode_batch(
        items, batch_id=str(uuid.uuid4()), sent_at=now, boot_id="probe-boot", monotonic_ms=10_000
    )
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/gzip"}
    while True:
        started = time.time()
        answer = httpx.post(f"{url}/api/v1/events", content=body, headers=headers, timeout=60)
        if answer.status_code == 200:
            return started
        time.sleep(float(answer.headers.get("Retry-After", "1")))


def alert_times(db_url: str) -> dict[str, float]:
    """Each probe site's first alert, for a run without the delivery queue."""
    engine = make_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(
            select(alerts.c.site_id, alerts.c.opened_at).where(
                alerts.c.site_id.like("probe-%"), alerts.c.kind == "unhappy"
            )
        )
        found = {r.site_id: r.opened_at.timestamp() for r in rows}
    engine.dispose()
    return found


def latency_under_load(args: argparse.Namespace, tmp: Path) -> list[str]:
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    smtp_port = free_port()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    sites = -(-args.kiosks // KIOSKS_PER_SITE)
    cluster = PostgresCluster(postgres_bin(), durable=True, max_connections=40 * args.workers)
    server = None
    try:
        cluster.start()
        db_url = cluster.create_database()
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "HYMY_CENTRAL_SMTP_HOST": "127.0.0.1",
            "HYMY_CENTRAL_SMTP_PORT": str(smtp_port),
            "HYMY_CENTRAL_SMTP_STARTTLS": "false",
            "HYMY_CENTRAL_MAIL_FROM": "hymy@example.fi",
            "HYMY_CENTRAL_PUBLIC_URL": url,
        }
        cli = [sys.executable, "-m", "central.cli", "--data-dir", str(tmp / "central")]
        cli += ["--db", db_url]
        subprocess.run([*cli, "db", "upgrade"], check=True, env=env, capture_output=True)
        codes = add_sites_and_codes(db_url, site_files(tmp, sites), args.kiosks)
        probes = probe_sites(db_url, tmp, args.probes)
        server = subprocess.Popen(
            [*cli, "serve", "--port", str(port), "--workers", str(args.workers)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(tmp / "central.log", "wb"),  # noqa: SIM115
        )
        for _ in range(600):
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            time.sleep(0.1)
        dirs = [tmp / "kiosks" / f"kiosk-{k:04d}" for k in range(args.kiosks)]
        log.info("enrolling %d kiosks at %d sites and %d probes", args.kiosks, sites, args.probes)
        with ThreadPoolExecutor(max_workers=ENROL_THREADS) as pool:
            list(
                pool.map(
                    lambda pair: enroll_kiosk(
                        pair[0], central=url, code=pair[1][1], kiosk_id=pair[0].name
                    ),
                    zip(dirs, codes, strict=True),
                )
            )
        tokens = [
            httpx.post(f"{url}/api/v1/enroll", json={"code": code, "kiosk_id": "probe"}, timeout=30)
            .raise_for_status()
            .json()["token"]
            for _site, code, _address in probes
        ]
        points = ["laboratorio", "laakarin-vastaanotto", "neuvola"]
        fill = [
            multiprocessing.Process(target=fill_outboxes, args=(dirs[i::2], args.events, points))
            for i in range(2)
        ]
        for process in fill:
            process.start()
        for process in fill:
            process.join()
        start = multiprocessing.Event()
        results_queue: Any = multiprocessing.Queue()
        clients = [
            multiprocessing.Process(
                target=client_process, args=(dirs[i :: args.processes], start, 900.0, results_queue)
            )
            for i in range(args.processes)
        ]
        for process in clients:
            process.start()
        time.sleep(5 + args.kiosks / 200)
        log.info("releasing %d kiosks at once; probes every %.0f s", args.kiosks, PROBE_GAP_S)
        released = time.time()
        start.set()
        arrived: list[float] = []
        for token in tokens:
            time.sleep(PROBE_GAP_S)
            arrived.append(send_probe(url, token))
        results: list = []
        while len(results) < args.kiosks:
            with contextlib.suppress(queue.Empty):
                results += results_queue.get(timeout=0.5)
            if not any(p.is_alive() for p in clients) and results_queue.empty():
                break
        for process in clients:
            process.join()
        fleet_done = max((r.done_at for r in results), default=released) - released
        during = sum(1 for t in arrived if t < released + fleet_done)
        stored, _devices, _counted = stored_counts(db_url)
        fleet_events = stored - 5 * len(arrived)
        delivered = has_deliveries()
        deadline = time.time() + 120
        latencies: list[float] = []
        while time.time() < deadline:
            if delivered:
                got = [
                    mailbox.first_for(address, t)
                    for (_s, _c, address), t in zip(probes, arrived, strict=True)
                ]
            else:
                opened = alert_times(db_url)
                got = [opened.get(site) for (site, _c, _a) in probes]
            if all(g is not None for g in got) or time.time() >= deadline - 0.5:
                latencies = [g - t for g, t in zip(got, arrived, strict=True) if g is not None]
                break
            time.sleep(0.5)
        last_probe = arrived[-1] - released if arrived else 0.0
    finally:
        if server:
            server.terminate()
            server.wait(timeout=30)
        cluster.stop()
        smtp.stop()
    until = (
        "the SMTP server received the e-mail"
        if delivered
        else ("the alert's row (no delivery queue here yet: no e-mail sent)")
    )
    lines = [
        f"alert latency under fleet catch-up: {args.kiosks} kiosks x {args.events} events at "
        f"{sites} sites, serve --workers {args.workers} on PostgreSQL, {len(arrived)} probes "
        f"within the first {last_probe:.0f} s, {during} of them while the fleet uploaded (all in "
        f"after {fleet_done:.0f} s: {fleet_events:,} of {args.kiosks * args.events:,} events)",
    ]
    if latencies:
        lines.append(
            f"latency from the events' arrival to {until}: p50 {percentile(latencies, 50):.1f} s, "
            f"p95 {percentile(latencies, 95):.1f} s, max {max(latencies):.1f} s "
            f"(target p95 <= 30 s); {len(latencies)} of {len(arrived)} probes alerted"
        )
    else:
        lines.append(f"latency: none of {len(arrived)} probes alerted within 120 s ({until})")
    return lines


# --- 2. evaluation cost per batch ------------------------------------------------------------


def evaluation_cost(args: argparse.Namespace, db_url: str) -> list[str]:
    engine = make_engine(db_url)
    upgrade(engine)
    settings = Settings(data_dir=scratch(), db_url=db_url)
    with engine.begin() as conn:
        save_site(conn, parse_site(EXAMPLE_SITE.read_text()))
        codes = [create_enroll_code(conn, "kaleva", timedelta(hours=1)) for _ in range(9)]
    kiosks = []
    for n, code in enumerate(codes):
        enrolled = in_write_transaction(engine, lambda c, code=code, n=n: enroll(c, code, f"k-{n}"))
        with engine.connect() as conn:
            kiosks.append(device_for_token(conn, enrolled.token))
    now = datetime.now(UTC)
    beat = Heartbeat.model_validate(
        {
            "version": "1",
            "backlog": 0,
            "free_disk_bytes": 10**10,
            "printer": "ok",
            "device_clock": now.isoformat(),
        }
    )
    with engine.begin() as conn:
        definition = load_site(conn, "kaleva")
        for device in kiosks:
            record_heartbeat(conn, device.id, beat, now)
    ingest_s: list[float] = []
    evaluate_s: list[float] = []
    coalesced_s = 0.0  # as the watcher runs it: one evaluation per SETTLE_S of arrivals
    last_evaluation = 0.0
    for b in range(args.batches):
        device = kiosks[b % len(kiosks)]
        moment = datetime.now(UTC)
        items = [
            feedback(1 + (b + i) % 4, monotonic_ms=i + 1, boot_id=f"boot-{b}",
                     occurred_at=(moment - timedelta(seconds=args.batch_size - i)).isoformat())
            for i in range(args.batch_size)
        ]  # fmt: skip
        envelope, raw = decode_batch(encode_batch(
            items, batch_id=str(uuid.uuid4()), sent_at=moment, boot_id=f"boot-{b}",
            monotonic_ms=10_000_000,
        ))  # fmt: skip
        checked = check_events(raw)
        started = time.perf_counter()
        in_write_transaction(engine, lambda conn, d=device, e=envelope, c=checked, m=moment: ingest(
            conn, d, definition, e, c, received_at=m))  # fmt: skip
        stored = time.perf_counter()
        evaluate_site(engine, settings, "kaleva", kinds=AFTER_BATCH)
        evaluated = time.perf_counter()
        ingest_s.append(stored - started)
        evaluate_s.append(evaluated - stored)
        if stored - last_evaluation >= SETTLE_S:
            coalesced_s += evaluated - stored
            last_evaluation = stored
    started = time.perf_counter()
    evaluate_site(engine, settings, "kaleva")
    full_s = time.perf_counter() - started
    engine.dispose()
    share = sum(evaluate_s) / sum(ingest_s)
    return [
        f"evaluation cost: {args.batches} batches of {args.batch_size} events from {len(kiosks)} "
        "kiosks of one site, back to back, PostgreSQL, in-process",
        f"ingest per batch: median {1000 * statistics.median(ingest_s):.1f} ms; the batch's rules "
        f"evaluated after it: median {1000 * statistics.median(evaluate_s):.1f} ms; every rule of "
        f"the site (the timer's round): {1000 * full_s:.1f} ms",
        f"evaluation / ingest: {100 * share:.1f} % evaluated after every batch; "
        f"{100 * coalesced_s / sum(ingest_s):.1f} % as serve does it (once per {SETTLE_S} s of "
        "arrivals) (target < 10 %)",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kiosks", type=int, default=500)
    parser.add_argument("--events", type=int, default=300, help="backlog of each kiosk")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--probes", type=int, default=20)
    parser.add_argument("--batches", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=100)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    for noisy in ("sync", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if not postgres_bin():
        sys.exit("bench_alerts needs PostgreSQL (scripts/setup.sh installs it as root).")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    tmp = Path(tempfile.mkdtemp(prefix="alerts-", dir=scratch()))
    try:
        lines = latency_under_load(args, tmp)
        cluster = PostgresCluster(postgres_bin())
        cluster.start()
        try:
            lines += evaluation_cost(args, cluster.create_database())
        finally:
            cluster.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()

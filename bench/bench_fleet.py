"""Fleet catch-up benchmark: a whole region's kiosks come back online at once, each with a day's
backlog, against `hymy-central serve --workers N` on PostgreSQL (a throwaway cluster with
PostgreSQL's own durable defaults), through the real sync agent (`SyncAgent.drain`: the real
outbox, uploader, client, backoff and Retry-After handling) with real enrolments and tokens.

    .venv/bin/python bench/bench_fleet.py [--kiosks 2000] [--events 300] [--workers 3]

Prints: the time until every event is in, events lost and duplicated (checked in the central's
database and rollups), the share of 5xx answers and of busy answers (429/503 with Retry-After),
whether every kiosk waited at least as long as Retry-After asked, and the central's peak resident
memory (all its processes). Asserts nothing. Target: 0 lost, 0 duplicated, < 1 % 5xx, all in
within 10 minutes on a 2-core machine.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
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
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psutil
from _common import ROOT, percentile, scratch
from sqlalchemy import func, select

from central.db import make_engine
from central.enrollment import create_enroll_code
from central.rollups import COUNTS
from central.site_store import save_site
from central.sites import parse_site
from central.tables import daily_rollups, events
from hymy_dev.local_central import free_port
from kiosk.clock import KioskClock, Stamp
from kiosk.events import checkin_event, feedback_event
from kiosk.outbox import OUTBOX_FILE, Outbox
from sync.agent import AgentSettings, SyncAgent
from sync.enrollment import enroll_kiosk
from tests.support.paths import EXAMPLE_SITE
from tests.support.postgres import PostgresCluster, postgres_bin

log = logging.getLogger("bench_fleet")
KIOSKS_PER_SITE = 50
BUSY = {429, 503}
ENROL_THREADS = 8  # enrolments at once, as an IT person's fleet tool would


@dataclass
class Attempt:
    started: float
    ended: float
    status: int  # 0: no answer (connection refused, reset, timed out)
    retry_after: float | None = None


@dataclass
class KioskResult:
    kiosk: str
    left: int
    done_at: float
    attempts: list[Attempt] = field(default_factory=list)


# --- setting up the region ---------------------------------------------------------------


def site_files(folder: Path, sites: int) -> list[Path]:
    """The example site under other ids, with room for KIOSKS_PER_SITE kiosks each."""
    template = EXAMPLE_SITE.read_text()
    paths = []
    for n in range(1, sites + 1):
        text = template.replace('id = "kaleva"', f'id = "asema-{n:02d}"', 1)
        text = text.replace("numbers_per_kiosk = 100", "numbers_per_kiosk = 10", 1)
        path = folder / f"asema-{n:02d}.toml"
        path.write_text(text)
        paths.append(path)
    return paths


def add_sites_and_codes(db_url: str, paths: list[Path], kiosks: int) -> list[tuple[str, str]]:
    """The sites in the central's database and one enrolment code per kiosk: (site, code)."""
    engine = make_engine(db_url)
    codes = []
    with engine.begin() as conn:
        definitions = [parse_site(p.read_text(), str(p)) for p in paths]
        for definition in definitions:
            save_site(conn, definition)
        for k in range(kiosks):
            site = definitions[k // KIOSKS_PER_SITE].site.id
            codes.append((site, create_enroll_code(conn, site, timedelta(hours=1))))
    engine.dispose()
    return codes


def backlog(clock: KioskClock, n: int, service_points: list[str]) -> list[dict[str, Any]]:
    """A day's events of one kiosk, oldest first: mostly feedback, some check-ins. Those older
    than this machine's uptime belong to an earlier boot (the Pi was restarted)."""
    now = datetime.now(UTC)
    uptime_ms = int(time.monotonic() * 1000)
    out = []
    for i in range(n):
        age_ms = int((n - i) * 86_400_000 / n)
        same_boot = age_ms < uptime_ms - 60_000
        stamp = Stamp(
            occurred_at=now - timedelta(milliseconds=age_ms),
            boot_id=clock.boot_id if same_boot else "earlier-boot",
            monotonic_ms=uptime_ms - age_ms if same_boot else 1000 + i,
        )
        if i % 10 < 7:
            out.append(
                feedback_event(
                    stamp=stamp,
                    language=("fi", "sv", "en")[i % 3],
                    rating=1 + i % 4,
                    reason=None,
                    comment=None,
                    misuse=False,
                )
            )
        else:
            point = service_points[i % len(service_points)]
            out.append(
                checkin_event(
                    stamp=stamp,
                    language="fi",
                    service_point=point,
                    ticket=f"L{100 + i:03d}",
                    printed=True,
                )
            )
    return out


def fill_outboxes(dirs: list[Path], n: int, service_points: list[str]) -> None:
    """Each kiosk's outbox with its backlog, one transaction per outbox (appending them one by
    one with an fsync each would take an hour here and measures nothing of interest)."""
    clock = KioskClock()
    for data_dir in dirs:
        with Outbox.open(data_dir / OUTBOX_FILE) as outbox, outbox._transaction() as conn:
            for event in backlog(clock, n, service_points):
                outbox._insert(conn, event, "pending")


# --- the kiosks coming back ----------------------------------------------------------------


def _watch(agent: SyncAgent, attempts: list[Attempt]) -> None:
    """Record every upload attempt of the agent's HTTP session (requests' own hook point)."""
    session = agent.client.session
    send = session.request

    def request(method: str, url: str, *args: Any, **kwargs: Any):
        started = time.time()
        try:
            response = send(method, url, *args, **kwargs)
        except Exception:
            if url.endswith("/api/v1/events"):
                attempts.append(Attempt(started, time.time(), 0))
            raise
        if url.endswith("/api/v1/events"):
            header = response.headers.get("Retry-After")
            retry_after = float(header) if header and header.isdigit() else None
            attempts.append(Attempt(started, time.time(), response.status_code, retry_after))
        return response

    session.request = request  # type: ignore[method-assign]


def _kiosk(data_dir: Path, start: Any, give_up_s: float) -> KioskResult:
    agent = SyncAgent(AgentSettings(data_dir=data_dir))
    attempts: list[Attempt] = []
    _watch(agent, attempts)
    start.wait()
    try:
        left = agent.drain(give_up_after_s=give_up_s)
    finally:
        agent.close()
    return KioskResult(data_dir.name, left, time.time(), attempts)


def client_process(dirs: list[Path], start: Any, give_up_s: float, results: Any) -> None:
    """One process of kiosks, one thread each."""
    logging.disable(logging.WARNING)  # a busy central is expected here; the figures tell
    threading.stack_size(512 * 1024)
    with ThreadPoolExecutor(max_workers=len(dirs)) as pool:
        futures = [pool.submit(_kiosk, d, start, give_up_s) for d in dirs]
        results.put([f.result() for f in futures])


# --- measuring -----------------------------------------------------------------------------


def tree_rss(process: psutil.Process) -> int:
    try:
        members = [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for member in members:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += member.memory_info().rss
    return total


def retry_after_violations(results: list[KioskResult]) -> tuple[int, int]:
    """(how many times a kiosk tried again sooner than Retry-After asked, busy answers)."""
    sooner = asked = 0
    for result in results:
        ordered = sorted(result.attempts, key=lambda a: a.started)
        for before, after in itertools.pairwise(ordered):
            if before.status in BUSY and before.retry_after is not None:
                asked += 1
                if after.started < before.ended + before.retry_after - 0.01:
                    sooner += 1
    return sooner, asked


def stored_counts(db_url: str) -> tuple[int, int, int]:
    """(events stored, distinct devices with events, events counted in the daily rollups)."""
    engine = make_engine(db_url)
    with engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(events)).scalar_one()
        devices = conn.execute(select(func.count(func.distinct(events.c.device_id)))).scalar_one()
        counted = conn.execute(
            select(sum(func.coalesce(func.sum(daily_rollups.c[c]), 0) for c in COUNTS))
        ).scalar_one()
    engine.dispose()
    return stored, devices, int(counted)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kiosks", type=int, default=2000)
    parser.add_argument("--events", type=int, default=300, help="backlog of each kiosk")
    parser.add_argument("--workers", type=int, default=3, help="uvicorn workers of the central")
    parser.add_argument("--processes", type=int, default=4, help="processes the kiosks run in")
    parser.add_argument("--give-up", type=float, default=900.0, help="seconds without progress")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    for noisy in ("sync", "httpx"):  # a line per enrolment or request otherwise
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if not postgres_bin():
        sys.exit("bench_fleet needs PostgreSQL (scripts/setup.sh installs it as root).")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # every kiosk holds files + a socket

    sites = -(-args.kiosks // KIOSKS_PER_SITE)
    tmp = Path(tempfile.mkdtemp(prefix="fleet-", dir=scratch()))
    cluster = PostgresCluster(postgres_bin(), durable=True, max_connections=40 * args.workers)
    server = None
    try:
        cluster.start()
        db_url = cluster.create_database()
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        cli = [sys.executable, "-m", "central.cli", "--data-dir", str(tmp / "central")]
        cli += ["--db", db_url]
        subprocess.run([*cli, "db", "upgrade"], check=True, env=env, capture_output=True)
        codes = add_sites_and_codes(db_url, site_files(tmp, sites), args.kiosks)
        port = free_port()
        server = subprocess.Popen(
            [*cli, "serve", "--port", str(port), "--workers", str(args.workers)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(tmp / "central.log", "wb"),  # noqa: SIM115 - the server's whole life
        )
        url = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        dirs = [tmp / "kiosks" / f"kiosk-{k:04d}" for k in range(args.kiosks)]
        log.info("enrolling %d kiosks at %d sites", args.kiosks, sites)
        with ThreadPoolExecutor(max_workers=ENROL_THREADS) as pool:
            list(
                pool.map(
                    lambda pair: enroll_kiosk(
                        pair[0], central=url, code=pair[1][1], kiosk_id=pair[0].name
                    ),
                    zip(dirs, codes, strict=True),
                )
            )
        log.info("writing %d outboxes of %d events", args.kiosks, args.events)
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
                target=client_process,
                args=(dirs[i :: args.processes], start, args.give_up, results_queue),
            )
            for i in range(args.processes)
        ]
        for process in clients:
            process.start()
        time.sleep(5 + args.kiosks / 200)  # every agent opened its outbox and waits
        central = psutil.Process(server.pid)
        peak_rss = tree_rss(central)
        log.info("releasing %d kiosks at once", args.kiosks)
        released = time.time()
        start.set()
        results: list[KioskResult] = []
        while len(results) < args.kiosks:
            with contextlib.suppress(queue.Empty):  # still uploading
                results += results_queue.get(timeout=0.5)
            peak_rss = max(peak_rss, tree_rss(central))
            if not any(p.is_alive() for p in clients) and results_queue.empty():
                break
        for process in clients:
            process.join()
        stored, devices_with_events, counted = stored_counts(db_url)
    finally:
        if server:
            server.terminate()
            server.wait(timeout=30)
        cluster.stop()

    expected = args.kiosks * args.events
    attempts = [a for r in results for a in r.attempts]
    answered = [a for a in attempts if a.status]
    errors_5xx = sum(1 for a in answered if a.status >= 500 and a.status not in BUSY)
    busy = sum(1 for a in answered if a.status in BUSY)
    no_answer = len(attempts) - len(answered)
    sooner, asked = retry_after_violations(results)
    finished = [r.done_at - released for r in results if r.left == 0]
    all_in = max(finished) if len(finished) == args.kiosks else None
    lines = [
        f"fleet catch-up benchmark: {args.kiosks} kiosks x {args.events} events "
        f"({expected:,} events) at {sites} sites, hymy-central serve --workers {args.workers} "
        f"on PostgreSQL (fsync on), {args.processes} client processes, {os.cpu_count()} cores",
        "all in after: "
        + (f"{all_in:.1f} s" if all_in is not None else f"NOT ALL IN ({len(finished)} kiosks done)")
        + "   (target <= 600 s)"
        + (f"; half the kiosks done after {statistics.median(finished):.1f} s" if finished else ""),
        f"events lost: {expected - stored:,}   duplicated: {counted - stored:,}   "
        f"(stored {stored:,} from {devices_with_events} kiosks, counted {counted:,} in rollups; "
        f"left in outboxes {sum(r.left for r in results):,})",
        f"requests: {len(attempts):,}; 5xx errors {errors_5xx} "
        f"({100 * errors_5xx / max(1, len(attempts)):.2f} %, target < 1 %); busy 429/503 "
        f"{busy:,} ({100 * busy / max(1, len(attempts)):.1f} %); no answer {no_answer}",
        f"Retry-After honoured: {'yes' if sooner == 0 else 'NO'} "
        f"({sooner} of {asked} retries came sooner than asked)",
        f"batch round trip: p50 {percentile([a.ended - a.started for a in answered], 50):.2f} s, "
        f"p99 {percentile([a.ended - a.started for a in answered], 99):.2f} s"
        if answered
        else "no answers",
        f"central peak RSS (all {args.workers + 1} processes): {peak_rss / 1e6:.0f} MB",
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    shutil.rmtree(tmp, ignore_errors=True)
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


if __name__ == "__main__":
    main()

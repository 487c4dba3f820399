"""Report benchmark: with N events loaded (default 10 million, a region's year), the latency of one
site's month by day and of the region's year by service point, read from the rollups, next to the
same answer from a GROUP BY over the raw events in the same run. SQLite, and PostgreSQL where
installed.

    .venv/bin/python bench/bench_reports.py [--events 10000000] [--sites 20] [--runs 30]

Loading 10 million events takes a while (bulk inserts; the rollups through the ingest's own
rollup code). Prints figures; asserts nothing. Targets: p95 <= 50 ms (month), <= 200 ms (year).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from _common import percentile, scratch
from sqlalchemy import func, insert, select

from central import rollups
from central.db import make_engine, upgrade
from central.reports import report
from central.site_store import save_site
from central.sites import parse_site
from central.tables import devices, events
from tests.support.paths import EXAMPLE_SITE
from tests.support.postgres import PostgresCluster, postgres_bin

YEAR_START = datetime(2025, 1, 1, tzinfo=UTC)
POINTS = [
    "laboratorio",
    "laakarin-vastaanotto",
    "hoitajan-vastaanotto",
    "suun-terveydenhuolto",
    "neuvola",
    "",
]
CHUNK = 20_000


COMMENTS = (
    "Odotin pitkään, mutta hoitaja oli ystävällinen.",
    "Ajanvaraus oli vaikeaa, puhelimessa jonotin puoli tuntia.",
    "Snabb och vänlig service, tack!",
    "Aulassa oli kylmä ja opasteet olivat epäselviä.",
)


def load(
    engine, n: int, site_count: int, comment_share: float = 0.0, year_start: datetime = YEAR_START
) -> None:
    """n events over the year from `year_start` in site_count copies of the example site; a share
    of the feedback carries one of COMMENTS (the console's comments page reads them)."""
    text = EXAMPLE_SITE.read_text(encoding="utf-8")
    now = datetime.now(UTC)
    with engine.begin() as conn:
        for s in range(site_count):
            save_site(conn, parse_site(text.replace('id = "kaleva"', f'id = "site-{s}"')))
            conn.execute(
                insert(devices).values(
                    id=f"dev-{s}",
                    site_id=f"site-{s}",
                    kiosk_id="k",
                    token_hash=f"h{s}",
                    range_slot=0,
                    enrolled_at=now,
                )
            )
    zones = {f"site-{s}": ZoneInfo("Europe/Helsinki") for s in range(site_count)}
    rng = random.Random(7)
    seconds = 365 * 24 * 3600
    for start in range(0, n, CHUNK):
        rows = []
        for i in range(start, min(n, start + CHUNK)):
            site = rng.randrange(site_count)
            moment = year_start + timedelta(seconds=rng.randrange(seconds))
            checkin = rng.random() < 0.4
            commented = not checkin and comment_share and rng.random() < comment_share
            rows.append(
                {
                    "id": f"{i:032x}",
                    "site_id": f"site-{site}",
                    "device_id": f"dev-{site}",
                    "type": "checkin" if checkin else "feedback",
                    "occurred_at": moment,
                    "corrected_at": moment,
                    "clock_suspect": False,
                    "service_point": rng.choice(POINTS[:-1] if checkin else POINTS) or None,
                    "rating": None if checkin else rng.choice((1, 2, 3, 3, 4, 4, 4)),
                    "reason": None if checkin or rng.random() < 0.6 else "waiting-time",
                    "misuse": None if checkin else rng.random() < 0.01,
                    "comment": rng.choice(COMMENTS) if commented else None,
                    "content": "{}",
                    "received_at": moment,
                    "batch_id": "bench",
                }
            )
        with engine.begin() as conn:
            conn.execute(insert(events), rows)
            rollups.add(conn, rows, zones)  # the same code path as the ingest


def measure(engine, runs: int, site_count: int) -> list[str]:
    month = (f"site-{min(3, site_count - 1)}", date(2025, 6, 1), date(2025, 6, 30))
    region = [f"site-{s}" for s in range(site_count)]
    results = {}
    with engine.connect() as conn:
        cases = {
            "month by day (1 site)": lambda: report(
                conn, "feedback", [month[0]], month[1], month[2], "day"
            ),
            "year by service point (region)": lambda: report(
                conn, "feedback", region, date(2025, 1, 1), date(2025, 12, 31), "service-point"
            ),
        }
        for name, call in cases.items():
            call()
            samples = []
            for _ in range(runs):
                started = time.perf_counter()
                call()
                samples.append((time.perf_counter() - started) * 1000)
            results[name] = percentile(samples, 95)
        raw_cases = {
            "month by day (1 site)": select(
                func.date(events.c.corrected_at), events.c.rating, func.count()
            )
            .where(
                events.c.site_id == month[0],
                events.c.type == "feedback",
                events.c.misuse.is_(False),
                events.c.corrected_at >= datetime(2025, 5, 31, 21, tzinfo=UTC),
                events.c.corrected_at < datetime(2025, 6, 30, 21, tzinfo=UTC),
            )
            .group_by(func.date(events.c.corrected_at), events.c.rating),
            "year by service point (region)": select(
                events.c.service_point, events.c.rating, func.count()
            )
            .where(events.c.type == "feedback", events.c.misuse.is_(False))
            .group_by(events.c.service_point, events.c.rating),
        }
        lines = []
        for name, query in raw_cases.items():
            samples = []
            for _ in range(max(3, runs // 10)):
                started = time.perf_counter()
                conn.execute(query).all()
                samples.append((time.perf_counter() - started) * 1000)
            target = 50 if "month" in name else 200
            lines.append(
                f"  {name:<31} rollups p95 {results[name]:8.1f} ms   raw GROUP BY p95 "
                f"{percentile(samples, 95):9.1f} ms   (target <= {target} ms)"
            )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--sites", type=int, default=20)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    def say(*lines: str) -> None:  # as they come: a 10-million run takes a while
        sys.stdout.write("".join(f"{line}\n" for line in lines))
        sys.stdout.flush()

    say(f"report benchmark: {args.events:,} events over a year in {args.sites} sites")
    with tempfile.TemporaryDirectory(dir=scratch()) as tmp:
        databases = [("SQLite", lambda: f"sqlite:///{tmp}/reports.sqlite")]
        cluster = None
        if postgres_bin():
            cluster = PostgresCluster(postgres_bin())
            cluster.start()
            databases.append(("PostgreSQL", cluster.create_database))
        try:
            for name, url in databases:
                engine = make_engine(url())
                upgrade(engine)
                started = time.perf_counter()
                load(engine, args.events, args.sites)
                say(f"{name}: loaded in {time.perf_counter() - started:.0f} s")
                say(*measure(engine, args.runs, args.sites))
                engine.dispose()
        finally:
            if cluster:
                cluster.stop()


if __name__ == "__main__":
    main()

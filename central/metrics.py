"""Prometheus metrics of the central (prometheus-client), right with several workers.

Two kinds:
- what the processes count (requests, ingest batches and events, latencies): with `serve`
  every worker writes them to files in PROMETHEUS_MULTIPROC_DIR (prometheus-client's
  multiprocess mode; `serve` sets the directory, empty, before the workers start:
  central.cli.serve.prepare_metrics_dir) and a scrape of any worker sums them all; without it
  (the app in a test) they are this process's own;
- what the database knows (each site's last event, kiosks by status): read from the database
  at scrape time by DatabaseCollector, so every worker and every server answers the same.

With several servers, scrape each of them: the counters are per server (sum them in
Prometheus), the database figures are the same on all.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func, select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from central.fleet import fleet
from central.tables import events, sites

log = logging.getLogger(__name__)
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST
# Kiosk statuses as labels: the first word of central.fleet.status_words, or "attention" for a
# kiosk that is seen but has another problem (paper, clock, backlog, missing events...).
KIOSK_STATUSES = ("ok", "late", "silent", "never_seen", "revoked", "attention")
BATCH_OUTCOMES = ("stored", "busy", "malformed", "unauthorized", "unavailable", "error")
EVENT_OUTCOMES = ("accepted", "duplicate", "conflict", "rejected")

REQUESTS = Counter(
    "hymy_http_requests",
    "HTTP requests answered, by route (its template, e.g. /api/v1/events), method and status.",
    ["route", "method", "status"],
)
REQUEST_SECONDS = Histogram(
    "hymy_http_request_duration_seconds",
    "Time from a request's arrival to the end of its answer, by route and method.",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
BATCHES = Counter(
    "hymy_ingest_batches",
    "Batches posted to /api/v1/events by outcome: stored, busy (429), malformed (422), "
    "unauthorized (401), unavailable (503, database down), error (500).",
    ["outcome"],
)
EVENTS = Counter(
    "hymy_ingest_events",
    "Events of stored batches by outcome: accepted, duplicate, conflict, rejected.",
    ["outcome"],
)
BATCH_SECONDS = Histogram(
    "hymy_ingest_store_duration_seconds",
    "Time to store one batch once it had its turn (one write transaction).",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
WAIT_SECONDS = Histogram(
    "hymy_ingest_wait_duration_seconds",
    "Time a batch waited for a turn (the busy limit), whether or not it got one.",
    buckets=(0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)

for _outcome in BATCH_OUTCOMES:  # every series exists from the start, at 0
    BATCHES.labels(_outcome)
for _outcome in EVENT_OUTCOMES:
    EVENTS.labels(_outcome)


class BatchOutcome:
    """What became of one posted batch; counted when batch_outcome's block ends."""

    def __init__(self) -> None:
        self.result: Any = None

    def waited(self, seconds: float) -> None:
        WAIT_SECONDS.observe(seconds)

    def stored(self, result: Any, seconds: float) -> None:
        """The batch was stored: `result` is its central.ingest.IngestResult."""
        self.result = result
        BATCH_SECONDS.observe(seconds)


def _refusal(err: BaseException) -> str:
    status = getattr(err, "status", None)
    if status == 429:
        return "busy"
    if status in (413, 422):
        return "malformed"
    if status == 401:
        return "unauthorized"
    if status == 503 or type(err).__name__ in ("OperationalError", "InterfaceError"):
        return "unavailable"
    return "error"


@contextmanager
def batch_outcome() -> Iterator[BatchOutcome]:
    """Count a batch by its outcome (the block's error, or stored) and its events by theirs."""
    outcome = BatchOutcome()
    try:
        yield outcome
    except BaseException as err:
        BATCHES.labels(_refusal(err)).inc()
        raise
    result = outcome.result
    if result is None:
        return
    BATCHES.labels("stored").inc()
    for label, n in (
        ("accepted", result.accepted),
        ("duplicate", result.duplicates),
        ("conflict", len(result.conflicts)),
        ("rejected", len(result.rejected)),
    ):
        if n:
            EVENTS.labels(label).inc(n)


def multiprocess_mode() -> bool:
    return bool(os.environ.get(MULTIPROC_ENV))


def worker_exited(pid: int | None = None) -> None:
    """Tell prometheus-client that this worker is gone (its live gauges end with it)."""
    if multiprocess_mode():
        multiprocess.mark_process_dead(pid or os.getpid())


def kiosk_status(words: str) -> str:
    """The label of a kiosk's status words (central.fleet.status_words)."""
    if words in ("ok", "revoked", "never seen"):
        return words.replace(" ", "_")
    first = words.split(";", 1)[0]
    return first if first in ("late", "silent") else "attention"


class DatabaseCollector(Collector):
    """Figures from the database, read at each scrape: each site's last event
    (hymy_site_last_event_timestamp_seconds), kiosks by site and status (hymy_kiosks), and
    hymy_database_up (0 when the database did not answer: the others are then left out)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Any]:
        up = GaugeMetricFamily("hymy_database_up", "1 when the database answered the scrape.")
        last = GaugeMetricFamily(
            "hymy_site_last_event_timestamp_seconds",
            "When the newest event of the site happened (Unix time, clock-corrected); a site "
            "without events is left out.",
            labels=["site"],
        )
        kiosks = GaugeMetricFamily(
            "hymy_kiosks",
            "Enrolled kiosks by site and status: ok, late, silent, never_seen, revoked, or "
            "attention (seen, with another problem: `hymy-central devices` says which).",
            labels=["site", "status"],
        )
        try:
            with self.engine.connect() as conn:
                site_ids = list(conn.execute(select(sites.c.id).order_by(sites.c.id)).scalars())
                for site in site_ids:  # one index lookup each (events_by_site_time)
                    newest = conn.execute(
                        select(func.max(events.c.corrected_at)).where(events.c.site_id == site)
                    ).scalar()
                    if isinstance(newest, str):  # SQLite may hand it back as text
                        newest = datetime.fromisoformat(newest)
                    if newest is not None:
                        if newest.tzinfo is None:
                            newest = newest.replace(tzinfo=UTC)
                        last.add_metric([site], newest.timestamp())
                counts: dict[tuple[str, str], int] = {
                    (site, status): 0 for site in site_ids for status in KIOSK_STATUSES
                }
                for kiosk in fleet(conn):
                    key = (kiosk.site, kiosk_status(kiosk.status))
                    counts[key] = counts.get(key, 0) + 1
        except Exception as err:  # a scrape while the database is down still answers
            log.warning("metrics: the database did not answer: %s", err)
            up.add_metric([], 0)
            yield up
            return
        for (site, status), n in sorted(counts.items()):
            kiosks.add_metric([site, status], n)
        up.add_metric([], 1)
        yield up
        yield last
        yield kiosks


def exposition(engine: Engine) -> bytes:
    """The text a scrape gets: the counters of every worker, then the database's figures."""
    if multiprocess_mode():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        counted = generate_latest(registry)
    else:
        counted = generate_latest(REGISTRY)
    database = CollectorRegistry()
    database.register(DatabaseCollector(engine))
    return counted + generate_latest(database)


class RequestMetrics:
    """ASGI middleware: counts each answered request and its duration under its route template
    (unmatched paths as "unmatched", so a scanner cannot blow up the label set)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client sees if the app raises before answering

        async def record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record)
        finally:
            route = scope.get("route")
            label = getattr(route, "path", None) or "unmatched"
            method = scope.get("method", "GET")
            REQUESTS.labels(label, method, str(status)).inc()
            REQUEST_SECONDS.labels(label, method).observe(time.perf_counter() - started)

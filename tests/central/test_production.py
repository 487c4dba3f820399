"""The central as it runs in production: `hymy-central serve` under uvicorn with several
workers, several servers on one PostgreSQL, the schema check, the shared busy limit, /metrics,
/readyz and /healthz, JSON logs with the audit trail. Real processes, real databases."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psycopg
import pytest
from alembic import command
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from central.api.admission import SLOT_LOCK_KEY, PostgresSlots
from central.db import _alembic_config, ensure_schema, make_engine, write_transaction
from central.tables import events
from hymy_dev.local_central import free_port
from sync.protocol import encode_batch
from tests.support.events import feedback
from tests.support.paths import EXAMPLE_SITE, ROOT
from tests.support.postgres import PostgresCluster, postgres_bin

CENTRAL = [sys.executable, "-m", "central.cli"]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
ENV.pop("PROMETHEUS_MULTIPROC_DIR", None)
ENV.pop("HYMY_CENTRAL_LOG_FORMAT", None)


class Server:
    """`hymy-central serve` in a child process, its log in a file."""

    def __init__(self, data_dir: Path, db_url: str, *args: str, env: dict | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        data_dir.mkdir(parents=True, exist_ok=True)
        self.log = data_dir / f"serve-{self.port}.log"
        with self.log.open("wb") as out:
            args = (
                "--data-dir",
                str(data_dir),
                "--db",
                db_url,
                "serve",
                "--port",
                str(self.port),
                *args,
            )
            self.process = subprocess.Popen(
                [*CENTRAL, *args],
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**ENV, **(env or {})},
            )

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait(self, workers: int = 1, timeout_s: float = 60) -> None:
        """Until every worker has started and /healthz answers."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"serve exited {self.process.returncode}:\n{self.text()[-4000:]}")
            if self.text().count("Application startup complete") >= workers:
                try:
                    if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
            time.sleep(0.1)
        self.stop()
        pytest.fail(f"serve did not come up on {self.url}:\n{self.text()[-4000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def servers():
    started: list[Server] = []

    def start(*args, **kwargs) -> Server:
        server = Server(*args, **kwargs)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def cli(data_dir: Path, db_url: str, *args: str) -> str:
    done = subprocess.run(
        [*CENTRAL, "--data-dir", str(data_dir), "--db", db_url, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=ENV,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def enrol(url: str, data_dir: Path, db_url: str, kiosk_id: str = "aula-1") -> dict:
    code = cli(data_dir, db_url, "enroll-code", "--site", "kaleva").split()[0]
    answer = httpx.post(f"{url}/api/v1/enroll", json={"code": code, "kiosk_id": kiosk_id})
    assert answer.status_code == 200, answer.text
    return answer.json()


def batch(items: list[dict]) -> bytes:
    return encode_batch(
        items,
        batch_id=str(uuid.uuid4()),
        sent_at=datetime.now(UTC),
        boot_id="boot-1",
        monotonic_ms=10**7,
    )


def post(url: str, token: str, body: bytes, timeout: float = 60) -> httpx.Response:
    # A new connection each time: the kernel hands it to any of the workers.
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/gzip"}
    return httpx.post(f"{url}/api/v1/events", content=body, headers=headers, timeout=timeout)


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'central.sqlite'}"


# --- workers and servers on a fresh database ------------------------------------------------


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_workers_started_on_a_fresh_database_all_come_up(kind, servers, tmp_path, request):
    db_url = (
        sqlite_url(tmp_path)
        if kind == "sqlite"
        else request.getfixturevalue("postgres").create_database()
    )
    server = servers(tmp_path, db_url, "--workers", "2")
    server.wait(workers=2)
    assert httpx.get(f"{server.url}/readyz").json() == {"status": "ready"}
    log = server.text()
    assert "Traceback" not in log and "locked" not in log, log
    assert server.process.poll() is None


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_two_servers_started_at_once_on_a_fresh_database_both_come_up(
    kind, servers, tmp_path, request
):
    db_url = (
        sqlite_url(tmp_path)
        if kind == "sqlite"
        else request.getfixturevalue("postgres").create_database()
    )
    both = [servers(tmp_path / name, db_url, "--workers", "2") for name in ("a", "b")]
    for server in both:
        server.wait(workers=2)
    for server in both:
        assert "Traceback" not in server.text(), server.text()
        assert httpx.get(f"{server.url}/readyz").status_code == 200


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_upgrades_run_at_once_on_a_fresh_database_all_succeed(kind, tmp_path, request):
    db_url = (
        sqlite_url(tmp_path)
        if kind == "sqlite"
        else request.getfixturevalue("postgres").create_database()
    )
    upgrades = [
        subprocess.Popen(
            [*CENTRAL, "--db", db_url, "--data-dir", str(tmp_path), "db", "upgrade"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=ENV,
        )
        for _ in range(4)
    ]
    results = [(p.wait(timeout=120), *p.communicate()) for p in upgrades]
    assert [code for code, _, _ in results] == [0] * 4, [err for _, _, err in results]
    assert all("is up to date" in out for _, out, _ in results)


def test_batches_spread_over_two_servers_on_one_postgresql_are_stored_once_each(
    postgres, servers, tmp_path
):
    db_url = postgres.create_database()
    one, two = (servers(tmp_path / n, db_url, "--workers", "2") for n in ("a", "b"))
    one.wait(workers=2)
    two.wait(workers=2)
    cli(tmp_path, db_url, "site", "add", str(EXAMPLE_SITE))
    tokens = [enrol(one.url, tmp_path, db_url, f"aula-{n}")["token"] for n in range(3)]
    pool = [feedback(1 + n % 4) for n in range(600)]
    # 60 batches of 20 events, each sent to both servers at once (an agent that timed out
    # on one and sent again through the load balancer to the other).
    jobs = [
        (server.url, tokens[n % 3], batch([pool[(n * 10 + k) % 600] for k in range(20)]))
        for n in range(60)
        for server in (one, two)
    ]
    with ThreadPoolExecutor(8) as pool_of_senders:
        answers = list(pool_of_senders.map(lambda job: post(*job), jobs))
    assert Counter(a.status_code for a in answers) == {200: len(jobs)}
    accepted = sum(a.json()["accepted"] for a in answers)
    duplicates = sum(a.json()["duplicates"] for a in answers)
    assert accepted == 600 and accepted + duplicates == 20 * len(jobs)
    assert not any(a.json()["conflicts"] or a.json()["rejected"] for a in answers)
    engine = make_engine(db_url)
    with engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(events)).scalar()
        distinct = conn.execute(select(func.count(func.distinct(events.c.id)))).scalar()
    engine.dispose()
    assert stored == distinct == 600


# --- the schema check -------------------------------------------------------------------------


def _migrate_to(db_url: str, revision: str) -> None:
    engine = make_engine(db_url)
    with write_transaction(engine) as conn:
        command.upgrade(_alembic_config(conn), revision)
    engine.dispose()


def test_serve_on_an_older_schema_refuses_and_names_db_upgrade(tmp_path):
    db_url = sqlite_url(tmp_path)
    _migrate_to(db_url, "0005")
    refused = subprocess.run(
        [*CENTRAL, "--data-dir", str(tmp_path), "--db", db_url, "serve", "--port", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=ENV,
        timeout=60,
    )
    assert refused.returncode == 1
    assert "is older than" in refused.stderr and "hymy-central db upgrade" in refused.stderr
    assert "back up" in refused.stderr and "Traceback" not in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr
    cli(tmp_path, db_url, "db", "upgrade")
    engine = make_engine(db_url)
    ensure_schema(engine)  # now the newest: serve would start
    engine.dispose()


def test_serve_on_a_newer_schema_refuses(tmp_path):
    db_url = sqlite_url(tmp_path)
    engine = make_engine(db_url)
    ensure_schema(engine)
    with write_transaction(engine) as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0099_from_the_future'")
    engine.dispose()
    refused = subprocess.run(
        [*CENTRAL, "--db", db_url, "--data-dir", str(tmp_path), "serve"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=ENV,
        timeout=60,
    )
    assert refused.returncode == 1
    assert "0099_from_the_future) is newer than this hymy-central knows" in refused.stderr
    assert "Traceback" not in refused.stderr
    upgrade = subprocess.run(
        [*CENTRAL, "--db", db_url, "db", "upgrade"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=ENV,
        timeout=60,
    )
    assert upgrade.returncode == 1 and "is newer than" in upgrade.stderr, upgrade.stderr
    assert "Traceback" not in upgrade.stderr


# --- the busy limit, shared ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_the_busy_limit_holds_across_workers(kind, servers, tmp_path, request):
    db_url = (
        sqlite_url(tmp_path)
        if kind == "sqlite"
        else request.getfixturevalue("postgres").create_database()
    )
    limit = {"HYMY_CENTRAL_MAX_CONCURRENT_INGESTS": "1", "HYMY_CENTRAL_INGEST_WAIT_S": "0.5"}
    server = servers(tmp_path, db_url, "--workers", "2", env=limit)
    server.wait(workers=2)
    cli(tmp_path, db_url, "site", "add", str(EXAMPLE_SITE))
    token = enrol(server.url, tmp_path, db_url)["token"]
    # Another process of the database (as a third worker would) holds the only slot.
    if kind == "sqlite":
        holder = open(tmp_path / "central.sqlite.ingest-slots" / "0", "a")  # noqa: SIM115
        fcntl.flock(holder, fcntl.LOCK_EX)
    else:
        holder = psycopg.connect(db_url, autocommit=True)
        holder.execute("SELECT pg_advisory_lock(%s, 0)", (SLOT_LOCK_KEY,))
    try:
        busy = [post(server.url, token, batch([feedback()])) for _ in range(6)]
    finally:
        holder.close()
    assert [a.status_code for a in busy] == [429] * 6, [a.text for a in busy]
    assert all(int(a.headers["retry-after"]) >= 5 for a in busy)
    assert all(a.headers["content-type"] == "application/problem+json" for a in busy)
    assert post(server.url, token, batch([feedback()])).json()["accepted"] == 1
    # Two workers, one slot: of concurrent batches each is stored or told to come back
    # (never two at once: the store of each is short, so most wait their turn).
    with ThreadPoolExecutor(6) as senders:
        answers = list(
            senders.map(
                lambda _: post(server.url, token, batch([feedback() for _ in range(300)])),
                range(12),
            )
        )
    statuses = Counter(a.status_code for a in answers)
    assert set(statuses) <= {200, 429} and statuses[200] >= 1, statuses


def test_postgresql_slots_are_shared_by_separate_pools(postgres):
    db_url = postgres.create_database()
    first, second = PostgresSlots(db_url, 2), PostgresSlots(db_url, 2)
    try:
        a = first.try_take()
        b = second.try_take()
        assert a is not None and b is not None and {a[1], b[1]} == {0, 1}
        assert first.try_take() is None and second.try_take() is None
        second.give_back(b)
        again = first.try_take()
        assert again is not None and again[1] == b[1]
        first.give_back(a)
        first.give_back(again)
        assert second.try_take() is not None
    finally:
        first.close()
        second.close()


# --- monitoring ---------------------------------------------------------------------------------


def scrape(url: str) -> dict[tuple[str, tuple], float]:
    answer = httpx.get(f"{url}/metrics")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def test_metrics_of_two_workers_count_what_was_sent(servers, tmp_path):
    db_url = sqlite_url(tmp_path)
    server = servers(tmp_path, db_url, "--workers", "2")
    server.wait(workers=2)
    cli(tmp_path, db_url, "site", "add", str(EXAMPLE_SITE))
    token = enrol(server.url, tmp_path, db_url)["token"]
    enrol(server.url, tmp_path, db_url, "aula-2")  # never sends: "never_seen"
    sent = [[feedback(1 + n % 4) for n in range(10)] for _ in range(8)]
    for items in sent:
        assert post(server.url, token, batch(items)).status_code == 200
    assert post(server.url, token, batch(sent[0])).json()["duplicates"] == 10
    conflict = {**sent[1][0], "rating": 5 - sent[1][0]["rating"]}
    answer = post(server.url, token, batch([conflict, feedback(9), feedback()])).json()
    assert (answer["accepted"], len(answer["conflicts"]), len(answer["rejected"])) == (1, 1, 1)
    assert post(server.url, "not-a-token", batch([feedback()])).status_code == 401
    engine = make_engine(db_url)
    with engine.connect() as conn:
        newest = conn.execute(select(func.max(events.c.corrected_at))).scalar()
    engine.dispose()
    newest = newest if newest.tzinfo else newest.replace(tzinfo=UTC)

    scrapes = [scrape(server.url) for _ in range(8)]  # each may be answered by either worker
    for samples in scrapes:
        assert samples[("hymy_ingest_events_total", (("outcome", "accepted"),))] == 81
        assert samples[("hymy_ingest_events_total", (("outcome", "duplicate"),))] == 10
        assert samples[("hymy_ingest_events_total", (("outcome", "conflict"),))] == 1
        assert samples[("hymy_ingest_events_total", (("outcome", "rejected"),))] == 1
        assert samples[("hymy_ingest_batches_total", (("outcome", "stored"),))] == 10
        assert samples[("hymy_ingest_batches_total", (("outcome", "unauthorized"),))] == 1
        route = (("method", "POST"), ("route", "/api/v1/events"))
        assert samples[("hymy_http_requests_total", (*route, ("status", "200")))] == 10
        assert samples[("hymy_http_request_duration_seconds_count", route)] == 11
        assert samples[("hymy_ingest_store_duration_seconds_count", ())] == 10
        assert samples[("hymy_kiosks", (("site", "kaleva"), ("status", "ok")))] == 1
        assert samples[("hymy_kiosks", (("site", "kaleva"), ("status", "never_seen")))] == 1
        last = samples[("hymy_site_last_event_timestamp_seconds", (("site", "kaleva"),))]
        assert abs(last - newest.timestamp()) < 1
        assert samples[("hymy_database_up", ())] == 1
    # The scrapes themselves are counted too, by whichever worker answered each.
    time.sleep(0.3)  # each is counted just after its answer has gone out
    scraped = scrape(server.url)[
        ("hymy_http_requests_total", (("method", "GET"), ("route", "/metrics"), ("status", "200")))
    ]
    assert scraped == 8


def test_metrics_are_refused_to_an_address_not_allowed(servers, tmp_path):
    db_url = sqlite_url(tmp_path)
    server = servers(tmp_path, db_url)
    server.wait()
    # Through nginx on this machine (in --forwarded-allow-ips): the client is the remote one.
    outside = httpx.get(f"{server.url}/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert outside.status_code == 403
    assert outside.headers["content-type"] == "application/problem+json"
    assert "203.0.113.9" in outside.json()["detail"]
    assert "HYMY_CENTRAL_METRICS_ALLOW_IPS" in outside.json()["detail"]
    assert httpx.get(f"{server.url}/metrics").status_code == 200


def test_forwarded_headers_of_a_proxy_not_allowed_are_ignored(servers, tmp_path):
    server = servers(tmp_path, sqlite_url(tmp_path), "--forwarded-allow-ips", "192.0.2.1")
    server.wait()
    forged = httpx.get(f"{server.url}/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert forged.status_code == 200  # the client is still 127.0.0.1


@pytest.fixture
def own_cluster():
    bin_dir = postgres_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed here (CI installs and runs it)")
    cluster = PostgresCluster(bin_dir)
    cluster.start()
    yield cluster
    cluster.stop()


def test_readyz_is_503_while_postgresql_is_stopped_and_200_after(own_cluster, servers, tmp_path):
    server = servers(tmp_path, own_cluster.create_database(), "--workers", "2")
    server.wait(workers=2)
    assert httpx.get(f"{server.url}/readyz").status_code == 200
    own_cluster.stop_server()
    try:
        down = httpx.get(f"{server.url}/readyz", timeout=30)
        assert down.status_code == 503
        assert down.headers["content-type"] == "application/problem+json"
        assert int(down.headers["retry-after"]) > 0
        assert "database does not answer" in down.json()["detail"]
        # Liveness stays up, GET and HEAD: the process is fine, only the database is not.
        assert httpx.get(f"{server.url}/healthz").json() == {"status": "ok"}
        assert httpx.head(f"{server.url}/healthz").status_code == 200
        samples = scrape(server.url)
        assert samples[("hymy_database_up", ())] == 0
    finally:
        own_cluster.start_server()
    deadline = time.monotonic() + 30
    while httpx.get(f"{server.url}/readyz", timeout=30).status_code != 200:
        assert time.monotonic() < deadline, "still not ready after PostgreSQL came back"
        time.sleep(0.2)
    assert "Traceback" not in server.text()


def test_head_healthz_answers_200_without_a_body(servers, tmp_path):
    server = servers(tmp_path, sqlite_url(tmp_path))
    server.wait()
    head = httpx.head(f"{server.url}/healthz")
    assert head.status_code == 200 and head.content == b""


# --- logs ----------------------------------------------------------------------------------------


def test_json_logs_with_an_audit_line_for_each_sign_in_event(servers, tmp_path):
    db_url = sqlite_url(tmp_path)
    server = servers(tmp_path, db_url, "--workers", "2", "--log-format", "json")
    server.wait(workers=2)
    cli(tmp_path, db_url, "site", "add", str(EXAMPLE_SITE))
    enrolled = enrol(server.url, tmp_path, db_url)
    bad = httpx.post(f"{server.url}/api/v1/enroll", json={"code": "NOPE-NOPE", "kiosk_id": "x-1"})
    assert bad.status_code == 400
    assert post(server.url, "forged-token", batch([feedback()])).status_code == 401
    key = cli(tmp_path, db_url, "api-key", "create", "--role", "it").split()[0]
    it = httpx.get(f"{server.url}/api/v1/devices", headers={"Authorization": f"Bearer {key}"})
    assert it.status_code == 200, it.text
    refused_key = httpx.get(
        f"{server.url}/api/v1/devices", headers={"Authorization": "Bearer wrong-key"}
    )
    assert refused_key.status_code == 401
    revoked = cli(tmp_path, db_url, "device", "revoke", enrolled["device_id"])
    assert f"device {enrolled['device_id']} revoked by" in revoked
    key_id = cli(tmp_path, db_url, "api-key", "list").splitlines()[1].split()[0]
    assert f"API key {key_id} revoked by" in cli(tmp_path, db_url, "api-key", "revoke", key_id)
    assert post(server.url, enrolled["token"], batch([feedback()])).status_code == 401
    time.sleep(0.5)  # the last lines reach the file
    server.stop()

    lines = [line for line in server.text().splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    assert all({"time", "level", "logger", "message"} <= set(e) for e in entries)
    audit = [e for e in entries if e["logger"] == "central.audit"]
    by_event = Counter(e["event"] for e in audit)
    assert by_event["enrolled"] == 1
    assert by_event["enrol_refused"] == 1
    assert by_event["sign_in_refused"] == 3
    assert by_event["api_key_used"] == 1
    (done,) = [e for e in audit if e["event"] == "enrolled"]
    assert (done["site"], done["kiosk"], done["device_id"]) == (
        "kaleva",
        "aula-1",
        enrolled["device_id"],
    )
    assert done["client"] == "127.0.0.1"
    reasons = sorted(e["reason"] for e in audit if e["event"] == "sign_in_refused")
    assert reasons == ["revoked device", "unknown device token", "unknown or revoked API key"]
    (used,) = [e for e in audit if e["event"] == "api_key_used"]
    assert (used["role"], used["path"]) == ("it", "/api/v1/devices") and used["key_id"]
    access = [e for e in entries if e["logger"] == "uvicorn.access"]
    assert any(e["path"] == "/api/v1/events" and e["status"] == 401 for e in access)
    text = server.text()
    for secret in (enrolled["token"], key, "forged-token", "NOPE-NOPE"):
        assert secret not in text

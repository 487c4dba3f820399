"""Class 3, ingest: several kiosks posting overlapping batches at once (the same hours, some
identical events, in different orders) to a real `hymy-central serve` on PostgreSQL. Rows are
locked in one global order and a deadlock is retried inside the central: no 5xx, counts exact."""

from __future__ import annotations

import random
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import func, select

from central.db import make_engine
from central.rollups import COUNTS
from central.tables import events, outbox_progress, rollups
from hymy_dev.local_central import LocalCentral
from sync.protocol import encode_batch
from tests.support.events import feedback
from tests.support.paths import EXAMPLE_SITE

CENTRAL = [sys.executable, "-m", "central.cli"]
KIOSKS = 6
BATCHES_PER_KIOSK = 12
BATCH = 200
POOL = 1500


@pytest.fixture
def served_on_postgresql(postgres, tmp_path):
    with LocalCentral(tmp_path, db_url=postgres.create_database()) as central:
        central.add_site(EXAMPLE_SITE)
        yield central


def test_concurrent_overlapping_batches_never_answer_5xx_and_count_exactly(served_on_postgresql):
    central = served_on_postgresql
    url, db_url = central.url, central.db_url
    tokens = []
    for n in range(KIOSKS):
        code = central.enroll_code("kaleva")
        answer = httpx.post(f"{url}/api/v1/enroll", json={"code": code, "kiosk_id": f"aula-{n}"})
        tokens.append(answer.json()["token"])
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=4)
    points = ["laboratorio", "neuvola", "hoitajan-vastaanotto"]
    pool = [  # three hours, three service points, two reasons: every batch meets the others
        feedback(
            1 + i % 4,
            boot_id="old",
            occurred_at=(hour + timedelta(minutes=(i * 7) % 180)).isoformat(),
            service_point=points[i % 3],
            reason="waiting-time" if i % 4 < 2 else "friendly-staff",
        )
        for i in range(POOL)
    ]
    outcomes: Counter = Counter()
    statuses: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(KIOSKS)

    def kiosk(token: str, seed: int) -> None:
        rng = random.Random(seed)
        batches = [rng.sample(pool, BATCH) for _ in range(BATCHES_PER_KIOSK)]
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/gzip"}
        with httpx.Client(timeout=120) as client:
            start.wait()
            for batch in batches:
                body = encode_batch(
                    batch,
                    batch_id=str(uuid.uuid4()),
                    sent_at=datetime.now(UTC),
                    boot_id="now",
                    monotonic_ms=1,
                )
                answer = client.post(f"{url}/api/v1/events", content=body, headers=headers)
                with lock:
                    statuses.append(answer.status_code)
                    if answer.status_code == 200:
                        outcomes.update(
                            {
                                k: v if isinstance(v, int) else len(v)
                                for k, v in answer.json().items()
                            }
                        )

    threads = [threading.Thread(target=kiosk, args=(t, n)) for n, t in enumerate(tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [s for s in statuses if s >= 500] == []
    assert statuses == [200] * (KIOSKS * BATCHES_PER_KIOSK)
    sent = KIOSKS * BATCHES_PER_KIOSK * BATCH
    distinct = len({e["id"] for e in pool})
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            held = conn.execute(select(func.count()).select_from(events)).scalar_one()
            counted = conn.execute(
                select(*(func.coalesce(func.sum(rollups.c[c]), 0) for c in COUNTS))
            ).one()
            progress = conn.execute(select(func.count()).select_from(outbox_progress)).scalar_one()
    finally:
        engine.dispose()
    assert outcomes["conflicts"] == outcomes["rejected"] == 0
    assert outcomes["accepted"] + outcomes["duplicates"] == sent
    assert outcomes["accepted"] == held <= distinct
    assert sum(counted) == held  # every stored event counted once in the rollups
    assert progress == 0  # these kiosks send no outbox fields


def test_a_deadlock_in_ingest_is_retried_inside_the_central(served_on_postgresql, postgres):
    central = served_on_postgresql
    url, db_url = central.url, central.db_url
    code = central.enroll_code("kaleva")
    kiosk = httpx.post(f"{url}/api/v1/enroll", json={"code": code, "kiosk_id": "aula-1"}).json()
    headers = {"Authorization": f"Bearer {kiosk['token']}", "Content-Type": "application/gzip"}
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=3)

    def post(items: list[dict]) -> httpx.Response:
        now = datetime.now(UTC)
        body = encode_batch(
            items, batch_id=str(uuid.uuid4()), sent_at=now, boot_id="b", monotonic_ms=1
        )
        return httpx.post(f"{url}/api/v1/events", content=body, headers=headers, timeout=120)

    def at_hour(minute: int) -> dict:
        moment = hour + timedelta(minutes=minute)
        return feedback(1, boot_id="old", occurred_at=moment.isoformat())

    assert post([at_hour(0)]).json()["accepted"] == 1  # makes the rollup row
    server_log = postgres.dir / "log"
    logged_before = server_log.stat().st_size
    batch = [at_hour(m) for m in (10, 20, 30)]
    engine = make_engine(db_url)
    answers: list[httpx.Response] = []
    try:
        with engine.connect() as other:
            # One transaction (begun by the first statement); the central is the deadlock's victim.
            other.exec_driver_sql("SET deadlock_timeout = '60s'")
            other.exec_driver_sql(  # another writer holds the rollup row the batch adds to
                "UPDATE rollups SET r1 = r1 WHERE site_id = 'kaleva' AND service_point = ''"
            )
            sender = threading.Thread(target=lambda: answers.append(post(batch)))
            sender.start()
            waiting = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            while not other.exec_driver_sql(waiting).scalar():  # the batch's events are in
                time.sleep(0.05)
            row = {"site_id": "kaleva", "device_id": kiosk["device_id"], "type": "feedback"}
            now = datetime.now(UTC)
            other.execute(  # ... and then wants one of the batch's new events: a cycle
                events.insert().values(
                    id=batch[0]["id"],
                    occurred_at=now,
                    corrected_at=now,
                    clock_suspect=False,
                    content="{}",
                    received_at=now,
                    batch_id="other",
                    **row,
                )
            )
            other.rollback()
            sender.join()
    finally:
        engine.dispose()
    (answer,) = answers
    assert answer.status_code == 200, answer.text
    assert answer.json()["accepted"] == 3
    with server_log.open("rb") as log:
        log.seek(logged_before)
        assert b"deadlock detected" in log.read()  # it happened, and was retried inside
    with make_engine(db_url).connect() as conn:
        assert conn.execute(select(func.count()).select_from(events)).scalar_one() == 4
        counted = conn.execute(select(func.sum(rollups.c.r1))).scalar_one()
    assert counted == 4

"""A central whose PostgreSQL has gone away answers 503 with Retry-After (it truly could do
nothing), never a 500 with a traceback, and works again once the database is back."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
import pytest

from hymy_dev.local_central import LocalCentral
from sync.protocol import encode_batch
from tests.support.events import feedback
from tests.support.paths import EXAMPLE_SITE
from tests.support.postgres import PostgresCluster, postgres_bin


@pytest.fixture
def own_cluster():
    bin_dir = postgres_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed here (CI installs and runs it)")
    cluster = PostgresCluster(bin_dir, durable=True)  # an outage must not lose commits
    cluster.start()
    yield cluster
    cluster.stop()


def test_an_upload_while_postgresql_is_down_is_503_then_stored_when_it_is_back(
    own_cluster, tmp_path
):
    with LocalCentral(tmp_path, db_url=own_cluster.create_database()) as central:
        central.add_site(EXAMPLE_SITE)
        code = central.enroll_code("kaleva")
        token = httpx.post(
            f"{central.url}/api/v1/enroll", json={"code": code, "kiosk_id": "aula-1"}
        ).json()["token"]
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/gzip"}
        body = encode_batch(
            [feedback()],
            batch_id=str(uuid.uuid4()),
            sent_at=datetime.now(UTC),
            boot_id="boot-1",
            monotonic_ms=10_000,
        )
        own_cluster.stop_server()
        answer = httpx.post(f"{central.url}/api/v1/events", content=body, headers=headers)
        assert answer.status_code == 503, answer.text
        assert answer.headers["retry-after"] == "30"
        assert "nothing was stored" in answer.json()["detail"]
        assert "Traceback" not in central.log_path.read_text()
        own_cluster.start_server()
        again = httpx.post(f"{central.url}/api/v1/events", content=body, headers=headers)
        assert again.status_code == 200 and again.json()["accepted"] == 1

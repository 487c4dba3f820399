"""The real `hymy-central` under uvicorn on 127.0.0.1: the commands an IT person runs, then a
kiosk's enrolment and uploads over HTTP."""

from __future__ import annotations

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
import pytest

from hymy_dev.local_central import free_port
from sync.protocol import encode_batch
from tests.support.events import feedback
from tests.support.paths import EXAMPLE_SITE, ROOT

CENTRAL = [sys.executable, "-m", "central.cli"]


def run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CENTRAL, "--data-dir", str(data_dir), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def server(tmp_path: Path):
    port = free_port()
    process = subprocess.Popen(
        [*CENTRAL, "--data-dir", str(tmp_path), "serve", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail(f"hymy-central did not start:\n{process.communicate()[1][-3000:]}")
    yield url, tmp_path
    process.terminate()
    process.wait(timeout=10)


def test_site_code_enrol_and_upload_over_http(server):
    url, data_dir = server
    added = run(data_dir, "site", "add", str(EXAMPLE_SITE))
    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith("Added site kaleva")
    code_run = run(data_dir, "enroll-code", "--site", "kaleva")
    assert code_run.returncode == 0, code_run.stderr
    code = code_run.stdout.split()[0]

    enrolled = httpx.post(f"{url}/api/v1/enroll", json={"code": code, "kiosk_id": "aula-1"})
    assert enrolled.status_code == 200, enrolled.text
    token = enrolled.json()["token"]
    items = [feedback(r) for r in (1, 2, 3, 4)]
    body = encode_batch(
        items,
        batch_id=str(uuid.uuid4()),
        sent_at=datetime.now(UTC),
        boot_id="boot-1",
        monotonic_ms=10_000,
    )
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/gzip"}
    first = httpx.post(f"{url}/api/v1/events", content=body, headers=headers)
    again = httpx.post(f"{url}/api/v1/events", content=body, headers=headers)
    assert first.json()["accepted"] == 4
    assert again.json() == {"accepted": 0, "duplicates": 4, "conflicts": [], "rejected": []}

    revoked = run(data_dir, "device", "revoke", enrolled.json()["device_id"])
    assert revoked.returncode == 0, revoked.stderr
    assert httpx.post(f"{url}/api/v1/events", content=body, headers=headers).status_code == 401


def test_commands_explain_their_mistakes(tmp_path: Path):
    unknown = run(tmp_path, "enroll-code", "--site", "nope")
    assert unknown.returncode == 1 and "hymy-central site add" in unknown.stderr
    bad = tmp_path / "site.toml"
    bad.write_text(EXAMPLE_SITE.read_text(encoding="utf-8").replace('prefix = "A"', 'prefix = "L"'))
    refused = run(tmp_path, "site", "add", str(bad))
    assert refused.returncode == 1 and "prefix must be unique" in refused.stderr
    wrong_db = subprocess.run(
        [*CENTRAL, "--db", "mysql://x/y", "db", "upgrade"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert wrong_db.returncode == 1 and "postgresql://" in wrong_db.stderr
    assert "Traceback" not in wrong_db.stderr
    assert run(tmp_path, "site", "add", str(EXAMPLE_SITE)).returncode == 0
    typo = run(tmp_path, "api-key", "create", "--role", "manager", "--site", "kalva")
    assert typo.returncode == 1 and "No site 'kalva'" in typo.stderr, typo.stderr
    assert "Traceback" not in typo.stderr
    far = run(
        tmp_path,
        "report",
        "feedback",
        "--site",
        "kaleva",
        "--from",
        "2026-01-01",
        "--to",
        "9999-12-31",
        "--by",
        "hour",
    )
    assert far.returncode == 1 and "to=9999-12-31 is outside" in far.stderr, far.stderr


def _enrol(url: str, data_dir: Path, kiosk_id: str) -> dict:
    code = run(data_dir, "enroll-code", "--site", "kaleva").stdout.split()[0]
    answer = httpx.post(f"{url}/api/v1/enroll", json={"code": code, "kiosk_id": kiosk_id})
    assert answer.status_code == 200, answer.text
    return answer.json()


def _heartbeat(url: str, token: str, version: str) -> int:
    body = {
        "version": version,
        "backlog": 0,
        "free_disk_bytes": 10**9,
        "device_clock": datetime.now(UTC).isoformat(),
    }
    headers = {"Authorization": f"Bearer {token}"}
    return httpx.post(f"{url}/api/v1/heartbeat", json=body, headers=headers, timeout=60).status_code


def _upload(url: str, token: str, events: int) -> int:
    body = encode_batch(
        [feedback(1 + n % 4) for n in range(events)],
        batch_id=str(uuid.uuid4()),
        sent_at=datetime.now(UTC),
        boot_id="boot-1",
        monotonic_ms=10**7,
    )
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/gzip"}
    return httpx.post(f"{url}/api/v1/events", content=body, headers=headers, timeout=60).status_code


def test_heartbeats_and_uploads_at_once_on_sqlite_never_fail(server):
    # On main, most of these heartbeats answered 500 "database is locked": they read, then
    # wrote, in a transaction committed after the answer had gone out.
    url, data_dir = server
    assert run(data_dir, "site", "add", str(EXAMPLE_SITE)).returncode == 0
    tokens = [_enrol(url, data_dir, f"aula-{n}")["token"] for n in range(3)]
    # Four uploaders stay under max_concurrent_ingests (8): a 503 there is back-pressure by
    # design, and this test is about locks.
    with ThreadPoolExecutor(4) as uploaders, ThreadPoolExecutor(12) as kiosks:
        uploads = [uploaders.submit(_upload, url, tokens[n % 3], 300) for n in range(40)]
        beats = [kiosks.submit(_heartbeat, url, tokens[n % 3], f"0.{n}") for n in range(400)]
        # The IT person's commands write too, while all this runs: they wait, never fail.
        codes = [kiosks.submit(run, data_dir, "enroll-code", "--site", "kaleva") for _ in range(3)]
        statuses = Counter(f.result() for f in [*uploads, *beats])
        made = [f.result() for f in codes]
    assert statuses == Counter({200: 40, 204: 400}), statuses
    assert all(done.returncode == 0 for done in made), [done.stderr for done in made]


def test_a_heartbeat_is_stored_before_it_is_answered(server):
    url, data_dir = server
    assert run(data_dir, "site", "add", str(EXAMPLE_SITE)).returncode == 0
    token = _enrol(url, data_dir, "aula-1")["token"]
    key = run(data_dir, "api-key", "create", "--role", "it").stdout.split()[0]
    with httpx.Client(headers={"Authorization": f"Bearer {key}"}) as it:
        for n in range(20):
            assert _heartbeat(url, token, f"1.{n}") == 204
            (kiosk,) = it.get(f"{url}/api/v1/devices").json()
            assert kiosk["heartbeat"]["version"] == f"1.{n}"


def test_far_dates_and_deep_pages_answer_422_over_http(server):
    url, data_dir = server
    assert run(data_dir, "site", "add", str(EXAMPLE_SITE)).returncode == 0
    key = run(data_dir, "api-key", "create", "--role", "admin").stdout.split()[0]
    base = {"site": "kaleva", "from": "2026-01-01", "to": "2026-01-31"}
    asks = [
        ("feedback", {"to": "9999-12-31", "by": "hour"}),
        ("checkins", {"from": "0001-01-01"}),
        ("feedback", {"from": "2000-01-01", "to": "2199-12-31", "by": "month"}),
        ("comments", {"offset": str(2**63)}),
        ("comments", {"limit": "-1"}),
    ]
    with httpx.Client(
        base_url=f"{url}/api/v1/reports", headers={"Authorization": f"Bearer {key}"}
    ) as admin:
        for path, params in asks:
            answer = admin.get(f"/{path}", params={**base, **params})
            assert answer.status_code == 422, (path, params, answer.text)
            assert answer.headers["content-type"] == "application/problem+json"

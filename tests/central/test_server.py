"""The real `hymy-central` under uvicorn on 127.0.0.1: the commands an IT person runs, then a
kiosk's enrolment and uploads over HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from sync.protocol import encode_batch
from tests.central.conftest import EXAMPLE_SITE, feedback, free_port
from tests.conftest import ROOT

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

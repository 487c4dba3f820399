"""The central as docs/operations.md runs it: a real nginx from Debian, configured from the
shipped site deploy/central/hymy-central.nginx and a certificate made here, in front of
`hymy-central serve --workers 2` on PostgreSQL; a real `hymy-sync` enrols and uploads through
it with --ca-file, and the central sees each client's own address, never a made-up one.

nginx runs as a child of the test (`nginx -c CONF -g 'daemon off;'`, its pid, logs and
temporary files in a folder of the test), never as the system's service.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from central.db import normalize_url
from hymy_dev.local_central import free_port
from kiosk.outbox import OUTBOX_FILE, Outbox
from sync.protocol import MAX_BODY_BYTES
from tests.support.deploy import require_tool
from tests.support.events import feedback
from tests.support.paths import EXAMPLE_SITE, ROOT
from tests.support.postgres import PostgresCluster

SITE = ROOT / "deploy" / "central" / "hymy-central.nginx"
CENTRAL = [sys.executable, "-m", "central.cli"]
SYNC = [sys.executable, "-m", "sync.cli"]
# A second loopback address: a client there is told apart from nginx (127.0.0.1).
CLIENT_ADDRESS = "127.0.0.2"


def env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), **extra}


def make_certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A CA and a server certificate it signed for 127.0.0.1 and localhost (openssl)."""
    ca_key, ca, key, csr, cert = (
        folder / name for name in ("ca.key", "ca.pem", "server.key", "server.csr", "server.pem")
    )

    def openssl(*args: str | Path) -> None:
        subprocess.run(["openssl", *map(str, args)], check=True, capture_output=True, timeout=60)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca,
            "-days", "2", "-subj", "/CN=Hymy test CA",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")  # fmt: skip
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr,
            "-subj", "/CN=localhost")  # fmt: skip
    extensions = folder / "server.ext"
    extensions.write_text(
        "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
        "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
    )
    openssl("x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
            "-out", cert, "-days", "2", "-extfile", extensions)  # fmt: skip
    return ca, cert, key


def replace_once(config: str, old: str, new: str, count: int = 1) -> str:
    """The shipped site with one of its deployment values changed; a line that moved or
    changed in the site fails here rather than leaving the test on a config of its own."""
    assert config.count(old) == count, f"{old!r} is not in {SITE.name} {count} time(s)"
    return config.replace(old, new)


def render_nginx(folder: Path, *, https: int, http: int, upstream: int, cert: Path, key: Path):
    """nginx's main config around the shipped site, with this test's ports and certificate."""
    site = SITE.read_text()
    site = replace_once(site, "server 127.0.0.1:8080;", f"server 127.0.0.1:{upstream};")
    site = replace_once(site, "listen 80;", f"listen 127.0.0.1:{http};")
    site = replace_once(site, "listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;")
    site = re.sub(r"^\s*listen \[::\]:\d+.*\n", "", site, flags=re.M)  # no IPv6 in a sandbox
    site = replace_once(site, "/etc/ssl/hymy-central/fullchain.pem", str(cert))
    site = replace_once(site, "/etc/ssl/hymy-central/privkey.pem", str(key))
    site = replace_once(site, "root /var/www/html;", f"root {folder};")
    temp = "\n".join(
        f"    {kind}_temp_path {folder / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    config = folder / "nginx.conf"
    config.write_text(
        f"worker_processes 1;\npid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'error.log'} info;\n"
        "events { worker_connections 256; }\n"
        "http {\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n"
        f"    access_log {folder / 'access.log'};\n{temp}\n{site}\n}}\n"
    )
    return config


def wait_for_port(port: int, process: subprocess.Popen, what: str, log: Path) -> None:
    """Until something listens on the port; fails with the end of the log when it does not."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
    raise AssertionError(f"{what} did not listen on port {port} (exit {process.poll()}):\n{tail}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass(frozen=True)
class Deployment:
    url: str  # https through nginx
    http_url: str  # nginx's plain http
    central_url: str  # the central itself, bypassing nginx
    db_url: str
    data_dir: Path
    ca: Path
    folder: Path

    def central(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*CENTRAL, "--data-dir", str(self.data_dir), "--db", self.db_url, *args],
            capture_output=True,
            text=True,
            timeout=120,
            env=env(),
        )

    def client(self, *, source: str = CLIENT_ADDRESS, **kwargs) -> httpx.Client:
        context = ssl.create_default_context(cafile=str(self.ca))
        transport = httpx.HTTPTransport(local_address=source, verify=context)
        return httpx.Client(transport=transport, timeout=30, **kwargs)


@pytest.fixture(scope="module")
def deployment(
    postgres: PostgresCluster,
) -> Iterator[Deployment]:
    require_tool("nginx", "nginx")
    require_tool("openssl", "openssl")
    # nginx's workers run as nobody when root starts it: they must reach their temporary files
    # (pytest's own folders are root's alone).
    folder = Path(tempfile.mkdtemp(prefix="hymy-proxy-"))
    folder.chmod(0o755)
    ca, cert, key = make_certificates(folder)
    db_url = postgres.create_database()
    data_dir = folder / "central"
    data_dir.mkdir()
    port, https, http = free_port(), free_port(), free_port()
    central = subprocess.Popen(
        [*CENTRAL, "--data-dir", str(data_dir), "--db", db_url,
         "serve", "--port", str(port), "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=(folder / "central.log").open("wb"),
        env=env(HYMY_CENTRAL_FORWARDED_ALLOW_IPS="127.0.0.1"),
    )  # fmt: skip
    config = render_nginx(folder, https=https, http=http, upstream=port, cert=cert, key=key)
    checked = subprocess.run(
        ["nginx", "-t", "-c", str(config)], capture_output=True, text=True, timeout=60
    )
    assert checked.returncode == 0, checked.stderr
    nginx = subprocess.Popen(
        ["nginx", "-c", str(config), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=(folder / "nginx.stderr").open("wb"),
    )
    try:
        wait_for_port(port, central, "hymy-central serve --workers 2", folder / "central.log")
        wait_for_port(https, nginx, "nginx", folder / "error.log")
        deployment = Deployment(
            url=f"https://127.0.0.1:{https}",
            http_url=f"http://127.0.0.1:{http}",
            central_url=f"http://127.0.0.1:{port}",
            db_url=db_url,
            data_dir=data_dir,
            ca=ca,
            folder=folder,
        )
        added = deployment.central("site", "add", str(EXAMPLE_SITE))
        assert added.returncode == 0, added.stderr
        yield deployment
    finally:
        stop(nginx)
        stop(central)
        shutil.rmtree(folder, ignore_errors=True)


def certifi_bundle() -> str:
    import certifi

    return certifi.where()


def hymy_sync(kiosk_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    agent_env = env(HYMY_SYNC_RETRY_BASE_S="0.05", HYMY_SYNC_RETRY_CAP_S="0.5")
    # A CA bundle named by the environment (as in some CI images) must not win over --ca-file:
    # one that knows nothing of the test's CA would make every upload fail if it did.
    agent_env["REQUESTS_CA_BUNDLE"] = agent_env["CURL_CA_BUNDLE"] = certifi_bundle()
    return subprocess.run(
        [*SYNC, "--data-dir", str(kiosk_dir), *args],
        capture_output=True,
        text=True,
        timeout=180,
        env=agent_env,
    )


def stored_events(deployment: Deployment) -> list[str]:
    engine = create_engine(normalize_url(deployment.db_url))
    try:
        with engine.connect() as conn:
            return [row[0] for row in conn.execute(text("SELECT id FROM events"))]
    finally:
        engine.dispose()


def failure_addresses(deployment: Deployment) -> list[str]:
    engine = create_engine(normalize_url(deployment.db_url))
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT address FROM enroll_failures ORDER BY at"))
            return [row[0] for row in rows]
    finally:
        engine.dispose()


def test_a_kiosk_enrols_and_uploads_through_nginx_exactly_once(
    deployment: Deployment, tmp_path: Path
) -> None:
    kiosk = tmp_path / "kiosk"
    kiosk.mkdir()
    events = [feedback(1 + n % 4, monotonic_ms=1000 + n) for n in range(60)]
    with Outbox.open(kiosk / OUTBOX_FILE) as outbox:
        for event in events:
            outbox.append(event)
    code = deployment.central("enroll-code", "--site", "kaleva")
    assert code.returncode == 0, code.stderr
    enrolled = hymy_sync(
        kiosk, "enroll", "--central", deployment.url, "--code", code.stdout.split()[0],
        "--kiosk-id", "aula-1", "--ca-file", str(deployment.ca),
    )  # fmt: skip
    assert enrolled.returncode == 0, enrolled.stderr
    assert enrolled.stdout.startswith("Enrolled aula-1 at site kaleva")

    uploaded = hymy_sync(kiosk, "once", "--batch-size", "25")
    assert uploaded.returncode == 0, uploaded.stderr
    assert "All 60 events uploaded." in uploaded.stdout
    again = hymy_sync(kiosk, "once")
    assert again.returncode == 0, again.stderr

    stored = stored_events(deployment)
    assert sorted(stored) == sorted(e["id"] for e in events)  # each one, and each once
    devices = deployment.central("devices")
    assert devices.returncode == 0, devices.stderr
    assert re.search(r"^kaleva\s+aula-1\s", devices.stdout, re.M), devices.stdout
    # Counted once in the rollups too (the site's local day may be another than UTC's).
    today = date.today()
    report = deployment.central(
        "report", "feedback", "--site", "kaleva", "--from", str(today - timedelta(days=1)),
        "--to", str(today + timedelta(days=1)), "--format", "json",
    )  # fmt: skip
    assert report.returncode == 0, report.stderr
    assert json.loads(report.stdout)["total"]["n"] == 60, report.stdout


def test_the_central_sees_the_clients_own_address(deployment: Deployment) -> None:
    """X-Forwarded-For is believed from nginx (127.0.0.1, HYMY_CENTRAL_FORWARDED_ALLOW_IPS) only,
    and nginx sets it to the client's address instead of passing on the client's own header.
    A failed enrolment records the address it came from."""
    before = len(failure_addresses(deployment))
    spoof = {"X-Forwarded-For": "203.0.113.7"}
    body = {"code": "NOPE-NOPE-NOPE", "kiosk_id": "aula-9"}
    with deployment.client() as client:
        # Through nginx from 127.0.0.2: the central sees 127.0.0.2, not the made-up address.
        through = client.post(f"{deployment.url}/api/v1/enroll", json=body, headers=spoof)
        # Straight to the central from 127.0.0.2, not a trusted proxy: its header is ignored.
        direct = client.post(f"{deployment.central_url}/api/v1/enroll", json=body, headers=spoof)
    with deployment.client(source="127.0.0.1") as proxy_like:
        # From 127.0.0.1, the trusted proxy's address: its X-Forwarded-For is believed.
        trusted = proxy_like.post(
            f"{deployment.central_url}/api/v1/enroll",
            json=body,
            headers={"X-Forwarded-For": "198.51.100.9"},
        )
    # An unknown code: 400, and the address it came from is recorded.
    assert [through.status_code, direct.status_code, trusted.status_code] == [400] * 3, (
        through.text,
        direct.text,
        trusted.text,
    )
    assert failure_addresses(deployment)[before:] == [
        CLIENT_ADDRESS,
        CLIENT_ADDRESS,
        "198.51.100.9",
    ]


def test_tls_hsts_redirect_and_limits_at_the_proxy(deployment: Deployment) -> None:
    with deployment.client() as client:
        health = client.get(f"{deployment.url}/healthz")
        assert health.status_code == 200, health.text
        assert health.headers["strict-transport-security"] == "max-age=63072000"
        assert "server" not in health.headers or "nginx/" not in health.headers["server"]
        # The central builds its own URLs (a redirect) with the scheme nginx got: https.
        slash = client.get(f"{deployment.url}/api/v1/devices/")
        assert slash.status_code == 307, slash.text
        assert slash.headers["location"].startswith("https://127.0.0.1"), slash.headers
        # /metrics is kept inside: from another address nginx refuses it.
        assert client.get(f"{deployment.url}/metrics").status_code == 403
        # Plain http only sends people to https.
        plain = client.get(f"{deployment.http_url}/healthz")
        assert plain.status_code == 301
        assert plain.headers["location"].startswith("https://")
        # A body above the central's batch limit is refused by nginx before any worker.
        big = client.post(
            f"{deployment.url}/api/v1/events",
            content=b"\0" * (MAX_BODY_BYTES + 1),
            headers={"Content-Type": "application/gzip", "Authorization": "Bearer x"},
        )
        assert big.status_code == 413
    # From the machine itself /metrics reaches the central (whatever it answers there).
    with deployment.client(source="127.0.0.1") as local:
        assert local.get(f"{deployment.url}/metrics").status_code != 403

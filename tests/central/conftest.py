"""Fixtures for the central: databases (SQLite and a throwaway PostgreSQL cluster), the app
in-process, and a site with an enrolled kiosk."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from central.app import create_app
from central.settings import Settings
from tests.conftest import ROOT

EXAMPLE_SITE = ROOT / "assets" / "config" / "example-site.toml"
# The console answers in the browser's language (else Finnish); tests read its English msgids.
ENGLISH = {"Accept-Language": "en"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _postgres_bin() -> Path | None:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    return versions[-1].parent if versions else None


class PostgresCluster:
    """initdb + pg_ctl in a temporary directory, on a free port of 127.0.0.1. Tests run it without
    fsync; `durable=True` keeps PostgreSQL's own defaults (for benchmarks)."""

    def __init__(self, bin_dir: Path, *, durable: bool = False, max_connections: int = 100) -> None:
        self.bin_dir = bin_dir
        self.durable = durable
        self.max_connections = max_connections
        self.dir = Path(tempfile.mkdtemp(prefix="hymy-pg-"))
        self.port = free_port()
        # PostgreSQL refuses to run as root: as root, run it as the postgres user.
        self.prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.prefix:
            shutil.chown(self.dir, "postgres")

    def _run(self, *args: str) -> None:
        subprocess.run([*self.prefix, *args], check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        data = self.dir / "data"
        self._run(
            str(self.bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            "hymy",
            "--auth=trust",
            "--no-sync",
            "-E",
            "UTF8",
        )
        self.start_server()

    def start_server(self) -> None:
        """Start the server of the initialised cluster (again, after stop_server)."""
        data = self.dir / "data"
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
            f"-c max_connections={self.max_connections}"
        )
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run(
            str(self.bin_dir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-w",
            "-l",
            str(self.dir / "log"),
            "start",
        )

    def create_database(self) -> str:
        name = f"hymy_{uuid.uuid4().hex[:12]}"
        self._run(
            str(self.bin_dir / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "hymy",
            name,
        )
        return f"postgresql://hymy@127.0.0.1:{self.port}/{name}"

    def stop_server(self) -> None:
        """Stop the server at once, keeping the cluster's files (a database outage)."""
        self._run(
            str(self.bin_dir / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate", "stop"
        )

    def stop(self) -> None:
        subprocess.run(
            [
                *self.prefix,
                str(self.bin_dir / "pg_ctl"),
                "-D",
                str(self.dir / "data"),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(self.dir, ignore_errors=True)


def started_cluster() -> PostgresCluster:
    """A throwaway PostgreSQL cluster, started (the caller stops it). Without PostgreSQL it
    fails on CI and skips elsewhere."""
    bin_dir = _postgres_bin()
    if bin_dir is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed; scripts/setup.sh installs it as root.")
        pytest.skip("PostgreSQL is not installed here (CI installs and runs it)")
    cluster = PostgresCluster(bin_dir)
    cluster.start()
    return cluster


@pytest.fixture
def msgids(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The console without its catalogs: the English msgids, in the locale's formats (a test
    of numbers and layout reads the same words in every language)."""
    import gettext

    from central.web import i18n, templating

    monkeypatch.setattr(i18n, "translations", lambda language: gettext.NullTranslations())
    templating.environment.cache_clear()
    yield
    templating.environment.cache_clear()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    cluster = started_cluster()
    yield cluster
    cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'central.sqlite'}"
    return request.getfixturevalue("postgres").create_database()


@pytest.fixture
def client(db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(data_dir=tmp_path, db_url=db_url)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def add_site(client: TestClient, text: str | None = None) -> None:
    from central.sites import parse_site, save_site

    with client.app.state.engine.begin() as conn:
        save_site(conn, parse_site(text or EXAMPLE_SITE.read_text(encoding="utf-8")))


def make_code(client: TestClient, site: str = "kaleva") -> str:
    from central.enrollment import create_enroll_code

    with client.app.state.engine.begin() as conn:
        return create_enroll_code(conn, site, client.app.state.settings.enroll_code_ttl)


@pytest.fixture
def kiosk(client: TestClient) -> dict:
    """An enrolled kiosk of the example site: its enrol answer."""
    add_site(client)
    answer = client.post("/api/v1/enroll", json={"code": make_code(client), "kiosk_id": "aula-1"})
    assert answer.status_code == 200, answer.text
    return answer.json()


def feedback(
    rating: int = 4,
    *,
    boot_id: str = "boot-1",
    monotonic_ms: int = 1000,
    occurred_at: str | None = None,
    **extra,
) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "type": "feedback",
        "occurred_at": occurred_at or datetime.now(UTC).isoformat(),
        "boot_id": boot_id,
        "monotonic_ms": monotonic_ms,
        "language": "fi",
        "service_point": None,
        "rating": rating,
        "reason": None,
        "comment": None,
        "misuse": False,
        **extra,
    }

"""A throwaway PostgreSQL cluster (initdb + pg_ctl in a temporary directory)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

from hymy_dev.local_central import free_port


def postgres_bin() -> Path | None:
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
    bin_dir = postgres_bin()
    if bin_dir is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed; scripts/setup.sh installs it as root.")
        pytest.skip("PostgreSQL is not installed here (CI installs and runs it)")
    cluster = PostgresCluster(bin_dir)
    cluster.start()
    return cluster

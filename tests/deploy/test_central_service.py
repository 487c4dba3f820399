"""The central's service files in deploy/central: the systemd units (verify, and the exposure by
`systemd-analyze security --offline=true`, logged: pytest -rA), the example env file, the
nginx site's limits, and the backup script run against real SQLite and PostgreSQL databases
and restored again."""

from __future__ import annotations

import logging
import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from sync.protocol import MAX_BODY_BYTES
from tests.support.deploy import check_exposure, require_tool
from tests.support.paths import ROOT
from tests.support.postgres import PostgresCluster

log = logging.getLogger(__name__)

CENTRAL_DIR = ROOT / "deploy" / "central"
UNIT = CENTRAL_DIR / "hymy-central.service"
BACKUP = CENTRAL_DIR / "hymy-central-backup"
EXPOSURE_LIMITS = {"hymy-central.service": 2.0, "hymy-central-backup.service": 2.0}
HOST_UNIT_DIRS = (Path("/usr/lib/systemd/system"), Path("/lib/systemd/system"))


def unit_lines(path: Path) -> list[str]:
    return [line for line in path.read_text().splitlines() if line and not line.startswith("#")]


@pytest.mark.parametrize("unit", sorted(EXPOSURE_LIMITS))
def test_exposure(unit: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="tests.deploy.conftest")
    check_exposure(CENTRAL_DIR / unit, EXPOSURE_LIMITS[unit])


def test_systemd_analyze_verify(tmp_path: Path) -> None:
    """The units in /etc/systemd/system of a root that has the programs they start and the
    host's own units (the targets they name)."""
    analyze = require_tool("systemd-analyze", "systemd")
    host_units = next((d for d in HOST_UNIT_DIRS if (d / "multi-user.target").exists()), None)
    assert host_units is not None, "systemd's own units are missing: apt-get install systemd"
    root = tmp_path / "root"
    shutil.copytree(host_units, root / "usr" / "lib" / "systemd" / "system", symlinks=True)
    for program in ("opt/hymy-central/bin/hymy-central", "usr/local/sbin/hymy-central-backup"):
        (root / program).parent.mkdir(parents=True, exist_ok=True)
        (root / program).write_text("#!/bin/sh\n")
        (root / program).chmod(0o755)
    units = root / "etc" / "systemd" / "system"
    units.mkdir(parents=True)
    names = ["hymy-central.service", "hymy-central-backup.service", "hymy-central-backup.timer"]
    for name in names:
        shutil.copy(CENTRAL_DIR / name, units / name)
    for name in names:
        result = subprocess.run(
            [analyze, "verify", f"--root={root}", f"/etc/systemd/system/{name}"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        output = result.stdout + result.stderr
        assert result.returncode == 0, output
        assert "hymy" not in output, output


def test_the_unit_says_what_the_issue_asks() -> None:
    lines = unit_lines(UNIT)
    for line in (
        "User=hymy-central",
        "StateDirectory=hymy-central",
        "EnvironmentFile=/etc/hymy-central/env",
        "ExecStart=/opt/hymy-central/bin/hymy-central serve --workers ${HYMY_CENTRAL_WORKERS}",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "PrivateTmp=yes",
        "CapabilityBoundingSet=",
        "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
        "SystemCallFilter=@system-service",
    ):
        assert line in lines, line
    # Upgrades of the schema are their own step (docs/operations.md), never a side effect of
    # a start: serve refuses an old schema instead.
    assert not [line for line in lines if line.startswith("ExecStartPre")]
    assert "upgrade" not in "\n".join(lines)
    assert not [line for line in lines if line.startswith("ReadWritePaths")]


def test_the_example_env_names_the_settings_the_unit_uses() -> None:
    env = (CENTRAL_DIR / "env.example").read_text()
    names = set(re.findall(r"^#?(HYMY_CENTRAL_[A-Z_]+)=", env, re.M))
    assert {
        "HYMY_CENTRAL_DB",
        "HYMY_CENTRAL_DATA_DIR",
        "HYMY_CENTRAL_HOST",
        "HYMY_CENTRAL_PORT",
        "HYMY_CENTRAL_WORKERS",
        "HYMY_CENTRAL_FORWARDED_ALLOW_IPS",
        "HYMY_CENTRAL_METRICS_ALLOW_IPS",
        "HYMY_CENTRAL_LOG_FORMAT",
        "HYMY_CENTRAL_COMMENT_RETENTION_DAYS",
        "HYMY_CENTRAL_EVENT_RETENTION_MONTHS",
    } <= names
    # Every default the unit sets is one the env file may change.
    defaults = set(re.findall(r"(HYMY_CENTRAL_[A-Z_]+)=", "\n".join(unit_lines(UNIT))))
    assert defaults <= names, defaults - names
    # The central listens on the loopback only: nginx is the way in.
    assert "\nHYMY_CENTRAL_HOST=127.0.0.1\n" in env


def test_the_nginx_site_matches_the_centrals_limits() -> None:
    site = (CENTRAL_DIR / "hymy-central.nginx").read_text()
    (size,) = re.findall(r"^\s*client_max_body_size (\d+)m;", site, re.M)
    assert int(size) * 1024 * 1024 == MAX_BODY_BYTES
    (read_timeout,) = re.findall(r"^\s*proxy_read_timeout (\d+)s;", site, re.M)
    assert int(read_timeout) >= 30  # the kiosks' own read timeout (sync/client.py)
    assert re.search(r"^\s*ssl_protocols TLSv1\.2 TLSv1\.3;", site, re.M)
    assert "Strict-Transport-Security" in site
    for header in ("Host $host", "X-Forwarded-For $remote_addr", "X-Forwarded-Proto $scheme"):
        assert f"proxy_set_header {header};" in site, header
    # The port of the upstream is the one of the env file.
    assert "server 127.0.0.1:8080;" in site
    assert "\nHYMY_CENTRAL_PORT=8080\n" in (CENTRAL_DIR / "env.example").read_text()


def test_backup_script_shellcheck() -> None:
    shellcheck = require_tool("shellcheck", "shellcheck")
    text = BACKUP.read_text().splitlines()
    assert text[0] == "#!/usr/bin/env bash" and "set -euo pipefail" in text
    result = subprocess.run([shellcheck, str(BACKUP)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def run_backup(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    path = "/usr/bin:/bin"
    return subprocess.run(
        ["bash", str(BACKUP)],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": path, **env},
    )


def test_backup_of_a_live_sqlite_database_restores(tmp_path: Path) -> None:
    require_tool("sqlite3", "sqlite3")
    data, backups = tmp_path / "data", tmp_path / "backups"
    data.mkdir()
    backups.mkdir()
    live = sqlite3.connect(data / "central.sqlite")
    live.execute("PRAGMA journal_mode=WAL")
    live.execute("CREATE TABLE events (id TEXT PRIMARY KEY)")
    live.executemany("INSERT INTO events VALUES (?)", [(str(n),) for n in range(100)])
    live.commit()  # in the -wal file only: a cp of central.sqlite alone would miss them
    env = {"HYMY_CENTRAL_DATA_DIR": str(data), "HYMY_CENTRAL_BACKUP_DIR": str(backups)}
    done = run_backup(env)
    live.close()
    assert done.returncode == 0, done.stderr
    (copy,) = backups.glob("central-*.sqlite")
    assert "wrote " + str(copy) in done.stderr
    assert copy.stat().st_mode & 0o077 == 0
    restored = sqlite3.connect(copy)
    assert restored.execute("SELECT count(*) FROM events").fetchone() == (100,)
    restored.close()
    # A folder it cannot write to is one sentence that says what to do.
    missing = run_backup({**env, "HYMY_CENTRAL_BACKUP_DIR": str(tmp_path / "nowhere")})
    assert missing.returncode == 1
    assert "is not a writable folder: install -d" in missing.stderr


def test_backup_of_postgresql_restores_with_pg_restore(
    postgres: PostgresCluster, tmp_path: Path
) -> None:
    url = postgres.create_database()
    psql = [str(postgres.bin_dir / "psql"), "-q", "-X", "-v", "ON_ERROR_STOP=1"]
    subprocess.run(
        [*psql, url, "-c", "CREATE TABLE events (id text primary key);"
         "INSERT INTO events SELECT g::text FROM generate_series(1, 250) g;"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    backups = tmp_path / "backups"
    backups.mkdir()
    path = f"{postgres.bin_dir}:/usr/bin:/bin"
    done = subprocess.run(
        ["bash", str(BACKUP)],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": path, "HYMY_CENTRAL_DB": url, "HYMY_CENTRAL_BACKUP_DIR": str(backups)},
    )
    assert done.returncode == 0, done.stderr
    (dump,) = backups.glob("central-*.dump")
    target = postgres.create_database()
    subprocess.run(
        [str(postgres.bin_dir / "pg_restore"), "--no-owner", f"--dbname={target}", str(dump)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    count = subprocess.run(
        [*psql, "-At", target, "-c", "SELECT count(*) FROM events"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert count.stdout.strip() == "250"


FAKE_CENTRAL = """#!/bin/sh
echo "user=$(id -un) by=$LOGNAME db=$HYMY_CENTRAL_DB data=$HYMY_CENTRAL_DATA_DIR args=$*"
"""


def run_admin(tmp_path: Path, user: str, *args: str) -> subprocess.CompletedProcess[str]:
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True, exist_ok=True)
    (venv / "bin" / "hymy-central").write_text(FAKE_CENTRAL)
    (venv / "bin" / "hymy-central").chmod(0o755)
    env_file = tmp_path / "env"
    env_file.write_text(
        (CENTRAL_DIR / "env.example").read_text()
        + "HYMY_CENTRAL_DB=postgresql://hymy-central@/hymy-central?host=/run/postgresql\n"
    )
    env_file.chmod(0o644)
    return admin_command(tmp_path, user, *args)


def admin_command(
    tmp_path: Path, user: str, *args: str, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """hymy-central-admin with the env file and venv that run_admin made in tmp_path."""
    return subprocess.run(
        ["bash", str(CENTRAL_DIR / "hymy-central-admin"), *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        env={
            "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
            "HYMY_CENTRAL_ENV_FILE": str(tmp_path / "env"),
            "HYMY_CENTRAL_VENV": str(tmp_path / "venv"),
            "HYMY_CENTRAL_USER": user,
            "SUDO_USER": "matti",
            "LOGNAME": "root",
        },
    )


def test_admin_runs_a_command_as_the_service_with_its_settings(workdir: Path) -> None:
    """hymy-central-admin: the env file's settings (the unit's defaults under them), as the
    service's user (runuser from root; `nobody` stands in for hymy-central here)."""
    require_tool("shellcheck", "shellcheck")
    check = subprocess.run(
        ["shellcheck", str(CENTRAL_DIR / "hymy-central-admin")], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout
    root = os.geteuid() == 0
    user = "nobody" if root else subprocess.check_output(["id", "-un"], text=True).strip()
    done = run_admin(workdir, user, "devices", "--site", "kaleva")
    assert done.returncode == 0, done.stderr
    # The audit log's "by" is the person behind sudo (LOGNAME), not the service's user.
    by = "matti" if root else "root"
    assert done.stdout == (
        f"user={user} by={by} db=postgresql://hymy-central@/hymy-central?host=/run/postgresql "
        "data=/var/lib/hymy-central args=devices --site kaleva\n"
    )
    (workdir / "env").unlink()
    missing = subprocess.run(
        ["bash", str(CENTRAL_DIR / "hymy-central-admin"), "devices"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HYMY_CENTRAL_ENV_FILE": str(workdir / "env"),
             "HYMY_CENTRAL_VENV": str(workdir / "venv")},
    )  # fmt: skip
    assert missing.returncode == 1
    assert f"cannot read {workdir / 'env'}" in missing.stderr


def test_admin_reads_the_env_file_as_systemd_does_not_as_shell(workdir: Path) -> None:
    """A libpq URL with two parameters has an `&`: systemd's EnvironmentFile= keeps it in the
    value, so hymy-central-admin must too (sourced as shell, the `&` sent the assignment to the
    background and the admin's commands silently used a SQLite file while the service used
    PostgreSQL). Quotes are taken off as systemd does; nothing is run."""
    root = os.geteuid() == 0
    user = "nobody" if root else subprocess.check_output(["id", "-un"], text=True).strip()
    url = (
        "postgresql://hymy-central@db.example.fi/hymy-central?sslmode=verify-full&connect_timeout=5"
    )
    run_admin(workdir, user, "devices")  # writes the fake venv and the env file
    env_file = workdir / "env"
    env_file.write_text(
        f"HYMY_CENTRAL_DB={url}\n"
        '  HYMY_CENTRAL_DATA_DIR="/srv/hymy central"\n'
        "; a comment systemd also skips\n"
        "HYMY_CENTRAL_LOG_FORMAT=$(touch pwned)\n"
    )
    done = subprocess.run(
        ["bash", str(CENTRAL_DIR / "hymy-central-admin"), "devices"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=workdir,
        env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HYMY_CENTRAL_ENV_FILE": str(env_file),
             "HYMY_CENTRAL_VENV": str(workdir / "venv"), "HYMY_CENTRAL_USER": user},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"db={url} data=/srv/hymy central args=devices" in done.stdout
    assert not (workdir / "pwned").exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="runs the command as another user (runuser)")
def test_admin_reads_a_relative_site_file_from_the_current_folder(workdir: Path) -> None:
    """`sudo hymy-central-admin site add kaleva.toml` (docs/operations.md) names the file
    relative to where the admin is: the command must run there, not from /."""
    (workdir / "kaleva.toml").write_text("[site]\n")
    (workdir / "kaleva.toml").chmod(0o644)
    run_admin(workdir, "nobody", "devices")
    venv = workdir / "venv" / "bin" / "hymy-central"
    venv.write_text('#!/bin/sh\necho "pwd=$(pwd)"; test -r "$3" && echo readable\n')
    done = admin_command(workdir, "nobody", "site", "add", "kaleva.toml", cwd=workdir)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"pwd={workdir}\nreadable\n"
    # From a folder the service's user cannot enter, the admin is told why the file is not found.
    private = workdir / "private"
    private.mkdir(mode=0o700)
    (private / "kaleva.toml").write_text("[site]\n")
    done = admin_command(workdir, "nobody", "site", "add", "kaleva.toml", cwd=private)
    assert done.stdout == "pwd=/\n"
    assert f"the user nobody cannot read kaleva.toml in {private}" in done.stderr

"""The real `hymy-central` at the edges an IT person meets first: a HYMY_CENTRAL_* value that is
not a value, a data dir that is a file, cannot be created or is not writable, a PostgreSQL that is
not there or refuses the user, a database from a newer version. Each gives one line on stderr that
says what is wrong and what to do, exit status 1, and no traceback."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import time
from collections.abc import Iterator

import pytest

from central.db import write_transaction
from central.settings import SettingsError, env_choice, env_float, env_int
from hymy_dev.local_central import free_port
from tests.support.central_cli import one_clear_line, run_central
from tests.support.paths import ROOT
from tests.support.postgres import PostgresCluster, started_cluster


@pytest.mark.parametrize("value", ["abc", "0", "65536", "80.5", "-1"])
def test_a_port_that_is_not_a_port_number_says_which_numbers_to_give(tmp_path, value):
    # Every command reads the variables the same way; serve and site add are checked once.
    commands = [["db", "upgrade"]] + (
        [["serve"], ["site", "add", __file__]] if value == "abc" else []
    )
    for command in commands:
        result = run_central(
            "--data-dir", str(tmp_path), *command, env={"HYMY_CENTRAL_PORT": value}
        )
        one_clear_line(result, f"HYMY_CENTRAL_PORT is {value!r}", "a whole number from 1 to 65535")
    assert not (tmp_path / "central.sqlite").exists()  # refused before anything was opened


def test_help_answers_while_a_variable_is_wrong_and_empty_means_the_default(tmp_path):
    helped = run_central("db", "upgrade", "--help", env={"HYMY_CENTRAL_PORT": "abc"})
    assert helped.returncode == 0 and "Apply the database migrations" in helped.stdout
    upgraded = run_central(
        "db", "upgrade", env={"HYMY_CENTRAL_PORT": "", "HYMY_CENTRAL_DATA_DIR": str(tmp_path)}
    )
    assert upgraded.returncode == 0, upgraded.stderr
    assert (tmp_path / "central.sqlite").exists()


def test_the_readers_of_the_variables_refuse_what_they_cannot_use(monkeypatch):
    monkeypatch.setenv("HYMY_CENTRAL_TEST", " 12 ")
    assert env_int("HYMY_CENTRAL_TEST", minimum=1, maximum=20, meaning="a count", example=5) == 12
    assert env_float("HYMY_CENTRAL_TEST", minimum=0, maximum=20, meaning="seconds", example=1.5)
    monkeypatch.setenv("HYMY_CENTRAL_TEST", "nan")
    with pytest.raises(SettingsError, match="give a number from 0 to 20"):
        env_float("HYMY_CENTRAL_TEST", minimum=0, maximum=20, meaning="seconds", example=1.5)
    monkeypatch.setenv("HYMY_CENTRAL_TEST", "XML")
    with pytest.raises(SettingsError, match="give one of text, json"):
        env_choice("HYMY_CENTRAL_TEST", ("text", "json"))
    monkeypatch.setenv("HYMY_CENTRAL_TEST", "JSON")
    assert env_choice("HYMY_CENTRAL_TEST", ("text", "json")) == "json"
    monkeypatch.delenv("HYMY_CENTRAL_TEST")
    assert env_int("HYMY_CENTRAL_TEST", minimum=1, maximum=2, meaning="x", example=1) is None


def test_a_data_dir_that_is_a_file_or_under_a_file(tmp_path):
    a_file = tmp_path / "central"
    a_file.write_text("not a folder\n")
    one_clear_line(
        run_central("--data-dir", str(a_file), "db", "upgrade"),
        f"The data dir {a_file} is a file, not a directory",
        "--data-dir or HYMY_CENTRAL_DATA_DIR",
    )
    one_clear_line(
        run_central("db", "upgrade", env={"HYMY_CENTRAL_DATA_DIR": str(a_file / "sub")}),
        f"The data dir {a_file / 'sub'} cannot be created",
    )
    assert a_file.read_text() == "not a folder\n"


def test_a_database_file_that_is_a_directory(tmp_path):
    folder = tmp_path / "central.sqlite"
    folder.mkdir()
    one_clear_line(
        run_central("--db", f"sqlite:///{folder}", "db", "upgrade"),
        f"The database file {folder} is a directory",
        f"--db sqlite:///{folder / 'central.sqlite'}",
    )


def _as_another_user() -> tuple[str, ...]:
    """A prefix under which the command is not root (root writes anywhere): a user namespace of
    its own, where it is nobody."""
    if os.geteuid() != 0:
        return ()
    probe = subprocess.run(["unshare", "--user", "true"], capture_output=True, timeout=30)
    if probe.returncode != 0:
        pytest.skip(f"unshare --user is not allowed here: {probe.stderr.decode().strip()}")
    return ("unshare", "--user")


def test_a_data_dir_that_is_not_writable_or_cannot_be_created(tmp_path):
    prefix = _as_another_user()
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        line = one_clear_line(
            run_central("--data-dir", str(locked), "db", "upgrade", prefix=prefix),
            f"The data dir {locked} is not writable by the user",
            "chown",
        )
        assert "Permission denied" in line
        one_clear_line(
            run_central("--data-dir", str(locked / "sub"), "db", "upgrade", prefix=prefix),
            f"The data dir {locked / 'sub'} cannot be created (Permission denied)",
            "install -d -o",
        )
        # The same folder, made writable (the namespace's user is its owner), is used as it is.
        locked.chmod(0o755)
        upgraded = run_central("--data-dir", str(locked), "db", "upgrade", prefix=prefix)
        assert upgraded.returncode == 0, upgraded.stderr
    finally:
        locked.chmod(0o755)


def test_a_postgresql_that_is_not_listening():
    port = free_port()  # nothing listens there
    url = f"postgresql://hymy:some-secret@127.0.0.1:{port}/hymy"
    for command in (["db", "upgrade"], ["enroll-code", "--site", "kaleva"]):
        line = one_clear_line(
            run_central("--db", url, *command),
            f"Cannot use the PostgreSQL database hymy at 127.0.0.1:{port} as hymy",
            "Connection refused",
            "is PostgreSQL running there?",
            "--db or HYMY_CENTRAL_DB",
        )
        assert "some-secret" not in line
    one_clear_line(
        run_central("db", "upgrade", env={"HYMY_CENTRAL_DB": "postgresql://hymy@nohost.invalid/h"}),
        "no such host",
    )


def test_a_missing_database_or_user_on_a_running_postgresql(postgres):
    base = f"postgresql://hymy@127.0.0.1:{postgres.port}"
    one_clear_line(
        run_central("--db", f"{base}/no_such_db", "db", "upgrade"),
        'database "no_such_db" does not exist',
        "createdb --owner USER DB",
    )
    url = postgres.create_database().replace("//hymy@", "//nobody_here@")
    one_clear_line(
        run_central("--db", url, "db", "upgrade"),
        'role "nobody_here" does not exist',
        "createuser",
    )


@pytest.fixture
def password_cluster() -> Iterator[tuple[PostgresCluster, str]]:
    """A PostgreSQL of its own that asks for the password of hymy (the shared one trusts)."""
    cluster = started_cluster()
    try:
        url = cluster.create_database()
        psql = [
            str(cluster.bin_dir / "psql"),
            "-h",
            "127.0.0.1",
            "-p",
            str(cluster.port),
            "-U",
            "hymy",
        ]
        cluster._run(*psql, "-d", "postgres", "-c", "ALTER ROLE hymy PASSWORD 'right-secret'")
        hba = cluster.dir / "data" / "pg_hba.conf"
        hba.write_text("local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n")
        cluster._run(str(cluster.bin_dir / "pg_ctl"), "-D", str(cluster.dir / "data"), "reload")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # the reload is applied by the server in a moment
            probe = subprocess.run(
                [*psql, "-w", "-d", "postgres", "-c", "select 1"],
                capture_output=True,
                env={**os.environ, "PGPASSWORD": ""},
                timeout=30,
            )
            if probe.returncode != 0:
                break
            time.sleep(0.1)
        else:
            pytest.fail("PostgreSQL still lets hymy in without a password after the reload")
        yield cluster, url
    finally:
        cluster.stop()


def test_a_wrong_password_names_the_user_and_not_the_password(password_cluster):
    _, url = password_cluster
    wrong = url.replace("//hymy@", "//hymy:wrong-secret@")
    line = one_clear_line(
        run_central("--db", wrong, "db", "upgrade"),
        "as hymy",
        "password authentication failed",
        "the user or the password is wrong",
    )
    assert "wrong-secret" not in line
    right = run_central("--db", url.replace("//hymy@", "//hymy:right-secret@"), "db", "upgrade")
    assert right.returncode == 0, right.stderr


def test_a_database_upgraded_by_a_newer_version(tmp_path):
    assert run_central("--data-dir", str(tmp_path), "db", "upgrade").returncode == 0
    with sqlite3.connect(tmp_path / "central.sqlite") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099_from_the_future'")
    one_clear_line(
        run_central("--data-dir", str(tmp_path), "db", "upgrade"),
        "schema (0099_from_the_future) is newer than this hymy-central knows",
        "Install that version (or newer) here, or restore the backup",
    )


@pytest.mark.parametrize(
    ("url", "where"),
    [
        # The operations guide's own URL: peer authentication over Debian's socket folder.
        (
            "postgresql://hymy-central@/hymy-central?host=/run/postgresql",
            "at the socket /run/postgresql/.s.PGSQL.5432 as hymy-central",
        ),
        (
            "postgresql://hymy@/hymy?host=/tmp/pg&port=5433",
            "at the socket /tmp/pg/.s.PGSQL.5433 as hymy",
        ),
        ("postgresql://hymy@/hymy", "at the local socket (port 5432) as hymy"),
        ("postgresql://hymy:secret@db.example.fi:5433/hymy", "at db.example.fi:5433 as hymy"),
    ],
)
def test_a_database_is_described_where_libpq_connects(url: str, where: str) -> None:
    """An error names the server libpq really tried: a socket given as ?host=... (or none at
    all) is not "localhost:5432", which sent an admin looking for a TCP listener."""
    from central.cli import describe_database

    described = describe_database(url)
    assert described.endswith(where), described
    assert "secret" not in described


def test_the_guide_sections_the_central_names_exist() -> None:
    """Messages and scripts send the admin to "docs/operations.md, SECTION": that heading must
    be there (the readiness problem named a "Troubleshooting" the guide does not have)."""
    import re

    places = [*(ROOT / "central").rglob("*.py"), *(ROOT / "deploy" / "central").iterdir()]
    named = {
        (doc, section)
        for path in places
        for doc, section in re.findall(
            r"docs/([a-z-]+\.md), \"?([A-Z][A-Za-z ]*[a-z])", path.read_text(encoding="utf-8")
        )
    }
    assert named
    for doc, section in sorted(named):
        headings = re.findall(r"^#+ (.+)$", (ROOT / "docs" / doc).read_text(), re.M)
        assert any(h.startswith(section) for h in headings), f"docs/{doc} has no {section!r}"


def test_db_upgrade_names_the_database_it_upgraded(postgres) -> None:
    """With the guide's socket URL, `db upgrade` said "The database /hymy?host=... is up to
    date": the text after the last @, which names neither the server nor the user."""
    url = postgres.create_database()
    name = url.rsplit("/", 1)[1]
    socket_url = f"postgresql://hymy@/{name}?host={postgres.dir}&port={postgres.port}"
    done = run_central("--db", socket_url, "db", "upgrade")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == (
        f"The PostgreSQL database {name} at the socket {postgres.dir}/.s.PGSQL.{postgres.port} "
        "as hymy is up to date."
    )
    with_password = url.replace("//hymy@", "//hymy:not-shown@")
    done = run_central("--db", with_password, "db", "upgrade")
    assert "not-shown" not in done.stdout + done.stderr


READ_ONLY_COMMANDS = (
    ["report", "feedback", "--site", "kaleva", "--from", "2025-01-01", "--to", "2025-01-31"],
    ["devices"],
    ["site", "list"],
    ["user", "list"],
    ["api-key", "list"],
    ["retention", "run", "--dry-run"],
)


def test_a_read_only_command_on_an_older_schema_does_not_migrate(tmp_path):
    """Only `serve` and `db upgrade` migrate: `report`, `devices` and the other read-only
    commands refuse an older schema in one sentence that names `db upgrade`, and leave it."""
    from alembic import command

    from central.db import _alembic_config, make_engine

    url = f"sqlite:///{tmp_path / 'central.sqlite'}"
    engine = make_engine(url)
    with write_transaction(engine) as conn:
        command.upgrade(_alembic_config(conn), "0005")
    engine.dispose()

    def version() -> str:
        with sqlite3.connect(tmp_path / "central.sqlite") as conn:
            return conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]

    before = version()
    for args in READ_ONLY_COMMANDS:
        one_clear_line(
            run_central("--db", url, *args), "is older than", "hymy-central db upgrade", "back up"
        )
        assert version() == before, args
    assert run_central("--db", url, "db", "upgrade").returncode == 0
    assert version() != before


def test_a_database_that_cannot_be_reached_is_one_line_for_every_command():
    port = free_port()  # nothing listens there
    url = f"postgresql://hymy:some-secret@127.0.0.1:{port}/hymy"
    for args in READ_ONLY_COMMANDS[:2]:
        line = one_clear_line(
            run_central("--db", url, *args),
            f"Cannot use the PostgreSQL database hymy at 127.0.0.1:{port} as hymy",
            "is PostgreSQL running there?",
            "--db or HYMY_CENTRAL_DB",
        )
        assert "some-secret" not in line


def test_a_database_error_while_a_command_works_is_one_line(tmp_path, monkeypatch):
    """The database going away after the schema check (during the command's own queries) is
    worded at the CLI's edge too, not a traceback."""
    from click.testing import CliRunner
    from sqlalchemy.exc import OperationalError

    import central.site_store
    from central.cli import main

    def gone(conn):
        raise OperationalError("SELECT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(central.site_store, "list_sites", gone)
    for name in [k for k in os.environ if k.startswith("HYMY_CENTRAL_")]:
        monkeypatch.delenv(name)
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path), "site", "list"])
    assert result.exit_code == 1, result.output
    assert not isinstance(result.exception, OperationalError)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert "server closed the connection" in lines[0] and "--db or HYMY_CENTRAL_DB" in lines[0]

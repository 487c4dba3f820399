"""Unusual inputs at the central's edges, each class refused at start in one line that says
what to give instead (never a traceback, never a 500 at the first request that reads it)."""

from __future__ import annotations

import socket
import subprocess

import pytest

from tests.support.central_cli import one_clear_line, run_central


@pytest.mark.parametrize(
    "value", ["garbage", "10.0.0.0/33", "127.0.0.1;10.0.0.1", "::1,localhost", ","]
)
def test_an_address_list_that_is_not_addresses_is_refused_at_start(tmp_path, value):
    # Before: serve started, and the first scrape of /metrics answered 500 (ValueError in the
    # log); the forwarded list was handed to uvicorn, which ignores what it cannot read.
    for variable in ("HYMY_CENTRAL_METRICS_ALLOW_IPS", "HYMY_CENTRAL_FORWARDED_ALLOW_IPS"):
        for command in (["serve", "--port", "1"], ["site", "list"]):
            result = run_central("--data-dir", str(tmp_path), *command, env={variable: value})
            one_clear_line(result, f"in {variable} is not an address or network", f"{variable}=")
    result = run_central("--data-dir", str(tmp_path), "serve", "--forwarded-allow-ips", value)
    assert "Traceback" not in result.stderr and result.returncode == 2, result.stderr
    assert "in --forwarded-allow-ips is not an address or network" in result.stderr
    assert not (tmp_path / "central.sqlite").exists()  # refused before anything was opened


def test_an_address_list_with_blanks_a_trailing_comma_or_star_is_taken(tmp_path):
    env = {
        "HYMY_CENTRAL_METRICS_ALLOW_IPS": " 127.0.0.1 , ::1, 10.0.0.0/8,",
        "HYMY_CENTRAL_FORWARDED_ALLOW_IPS": "*",
    }
    result = run_central("--data-dir", str(tmp_path), "site", "list", env=env)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "content",
    [b"\xc9\x00\xff binary", "[site]\nid = 'kaleva'\nname = 'Kälevä'\n".encode("latin-1")],
)
def test_a_site_file_that_is_not_utf8_is_refused_in_one_line(tmp_path, content):
    site_file = tmp_path / "site.toml"
    site_file.write_bytes(content)
    for command in ("add", "update"):
        result = run_central("--data-dir", str(tmp_path), "site", command, str(site_file))
        one_clear_line(result, f"{site_file} is not UTF-8 text", "save it as UTF-8")


def test_a_site_file_with_a_byte_order_mark_is_read(tmp_path):
    example = run_central("example", "site")
    assert example.returncode == 0, example.stderr
    site_file = tmp_path / "site.toml"
    site_file.write_bytes(b"\xef\xbb\xbf" + example.stdout.encode())  # Windows Notepad's UTF-8
    result = run_central("--data-dir", str(tmp_path), "site", "add", str(site_file))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://hymy:secret@[::1/hymy",  # an unclosed IPv6 bracket
        "postgresql://hymy:secret@db.example.fi:abc/hymy",  # a port that is not a number
        "postgres://hymy:secret@db:5432x/hymy",
    ],
)
def test_a_database_url_that_cannot_be_read_is_refused_without_the_password(tmp_path, url):
    for args in (["site", "list"], ["db", "upgrade"], ["serve", "--port", "1"]):
        result = run_central("--data-dir", str(tmp_path), "--db", url, *args)
        line = one_clear_line(result, "cannot be read", "postgresql://USER:PASSWORD@HOST:PORT/DB")
        assert "secret" not in line


def test_a_file_that_is_not_a_database_is_named_so(tmp_path):
    not_a_database = tmp_path / "central.sqlite"
    not_a_database.write_text("these are notes, not a database\n" * 100)
    result = run_central("--data-dir", str(tmp_path), "site", "list")
    one_clear_line(result, "file is not a database", "it is not a SQLite database")
    assert not_a_database.read_text().startswith("these are notes")  # nothing overwritten


@pytest.mark.parametrize("port", ["0", "70000", "-1"])
def test_serve_refuses_a_port_flag_that_is_not_a_port(tmp_path, port):
    # Before: --port 70000 served on 4464 (70000 - 65536) and --port 0 on a random port, each
    # logged as "running"; the variable HYMY_CENTRAL_PORT already refused them.
    try:
        result = run_central("--data-dir", str(tmp_path), "serve", f"--port={port}", timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail(f"serve --port={port} started instead of refusing the port")
    assert "Traceback" not in result.stderr and result.returncode == 2, result.stderr
    assert "Invalid value for '--port'" in result.stderr
    assert "1<=x<=65535" in result.stderr


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///", "sqlite:///:memory:"])
def test_a_database_in_memory_is_refused_as_it_would_keep_nothing(tmp_path, url):
    # Before: `site add` answered "Added site kaleva" and `api-key create` printed a key, then
    # both were gone when the command ended (each command, each worker, its own empty database).
    example = run_central("example", "site")
    site_file = tmp_path / "site.toml"
    site_file.write_text(example.stdout, encoding="utf-8")
    for args in (["site", "add", str(site_file)], ["api-key", "create", "--role", "admin"]):
        result = run_central("--db", url, *args)
        one_clear_line(result, "in memory", "keeps nothing", "sqlite:///PATH")


def test_serve_on_a_port_in_use_or_a_host_not_of_this_machine_says_so_in_one_line(tmp_path):
    # Before: uvicorn logged "Application startup complete", then the bare OS error
    # ("[Errno -2] Name or service not known", not naming the host) and exited with status 3.
    assert run_central("--data-dir", str(tmp_path), "db", "upgrade").returncode == 0
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = run_central("--data-dir", str(tmp_path), "serve", "--port", port, timeout=30)
    one_clear_line(result, f"Cannot listen on 127.0.0.1:{port}", "another --port")
    for host in ("no-such-host.invalid", "999.1.1.1"):
        result = run_central(
            "--data-dir", str(tmp_path), "serve", "--port", port, env={"HYMY_CENTRAL_HOST": host}
        )
        one_clear_line(result, f"Cannot listen on {host}:{port}", "HYMY_CENTRAL_HOST")

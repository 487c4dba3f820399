"""Signing in to the web console with a password, against the real app and database: the
session cookie, CSRF on every form, lockout, disabled accounts, the audit lines, `user` CLI."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

from central.db import write_transaction
from central.people import FAILURES_PER_EMAIL
from tests.support.central import ENGLISH
from tests.support.console import PASSWORD, csrf_of, person, sign_in


@pytest.fixture
def sqlite_client(tmp_path):
    from central.app import create_app
    from central.settings import Settings

    with TestClient(
        create_app(Settings(data_dir=tmp_path)), base_url="http://127.0.0.1", headers=ENGLISH
    ) as c:
        yield c


def test_a_page_sends_a_stranger_to_sign_in_and_back(client: TestClient) -> None:
    person(client)
    answer = client.get("/?week=2026-W48", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=%2F%3Fweek%3D2026-W48"
    signed = sign_in(client, "Hoitaja@Example.FI ", next_="/?week=2026-W48")
    assert signed.status_code == 303 and signed.headers["location"] == "/?week=2026-W48"
    cookie = signed.headers["set-cookie"]
    assert "hymy_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert client.get("/", follow_redirects=False).status_code == 200


def test_wrong_password_and_unknown_address_get_one_answer(sqlite_client: TestClient) -> None:
    person(sqlite_client)
    wrong = sign_in(sqlite_client, "hoitaja@example.fi", "väärä salasana tässä")
    unknown = sign_in(sqlite_client, "kukaan@example.fi")
    assert wrong.status_code == unknown.status_code == 401
    assert "wrong" in wrong.text and "wrong" in unknown.text


def test_lockout_after_repeated_failures_even_with_the_right_password(
    sqlite_client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    person(sqlite_client)
    caplog.set_level(logging.INFO, logger="central.audit")
    for _ in range(FAILURES_PER_EMAIL):
        assert (
            sign_in(sqlite_client, "hoitaja@example.fi", "arvaus arvaus arvaus").status_code == 401
        )
    locked = sign_in(sqlite_client, "hoitaja@example.fi")
    assert locked.status_code == 429 and "15 minutes" in locked.text
    refused = [r for r in caplog.records if getattr(r, "event", "") == "sign_in_refused"]
    assert refused[-1].reason == "locked" and refused[-1].email == "hoitaja@example.fi"
    # An unknown address is locked the same way: a lockout tells nothing of who has an account.
    for _ in range(FAILURES_PER_EMAIL):
        sign_in(sqlite_client, "ei-ole@example.fi", "arvaus arvaus arvaus")
    assert sign_in(sqlite_client, "ei-ole@example.fi").status_code == 429


def test_sign_in_form_without_its_csrf_token_is_refused(sqlite_client: TestClient) -> None:
    person(sqlite_client)
    sqlite_client.get("/login")
    answer = sqlite_client.post(
        "/login", data={"email": "hoitaja@example.fi", "password": PASSWORD, "csrf_token": "x"}
    )
    assert answer.status_code == 403
    assert "hymy_session" not in answer.headers.get("set-cookie", "")


def test_sign_out_needs_the_csrf_token_and_ends_the_session(sqlite_client: TestClient) -> None:
    person(sqlite_client)
    sign_in(sqlite_client, "hoitaja@example.fi")
    page = sqlite_client.get("/")
    assert sqlite_client.post("/logout", data={}).status_code == 403  # forged: still signed in
    assert sqlite_client.get("/", follow_redirects=False).status_code == 200
    out = sqlite_client.post(
        "/logout", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False
    )
    assert out.status_code == 303
    assert sqlite_client.get("/", follow_redirects=False).status_code == 303


def test_disabling_ends_every_session_at_once(sqlite_client: TestClient) -> None:
    from central.people import disable_person

    person(sqlite_client)
    sign_in(sqlite_client, "hoitaja@example.fi")
    with write_transaction(sqlite_client.app.state.engine) as conn:
        disable_person(conn, "hoitaja@example.fi")
    assert sqlite_client.get("/", follow_redirects=False).status_code == 303
    assert "disabled" in sign_in(sqlite_client, "hoitaja@example.fi").text


def test_it_staff_start_at_the_fleet_and_a_device_token_opens_no_page(
    sqlite_client: TestClient,
) -> None:
    person(sqlite_client, "it@example.fi", "it", [])
    answer = sqlite_client.get(
        "/", headers={"Authorization": "Bearer whatever"}, follow_redirects=False
    )
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    sign_in(sqlite_client, "it@example.fi")
    assert sqlite_client.get("/", follow_redirects=False).headers["location"] == "/fleet"


def test_language_follows_the_browser_then_the_persons_choice(sqlite_client: TestClient) -> None:
    person(sqlite_client)
    assert (
        sqlite_client.get("/login", headers={"Accept-Language": "sv-FI,sv;q=0.9"}).headers[
            "content-language"
        ]
        == "sv"
    )
    sign_in(sqlite_client, "hoitaja@example.fi")
    page = sqlite_client.get("/", headers={"Accept-Language": "sv"})
    chosen = sqlite_client.post(
        "/language",
        data={"language": "en", "csrf_token": csrf_of(page.text), "next": "/"},
        follow_redirects=False,
    )
    assert chosen.status_code == 303
    assert (
        sqlite_client.get("/", headers={"Accept-Language": "sv"}).headers["content-language"]
        == "en"
    )


def test_user_commands(tmp_path) -> None:
    base = [sys.executable, "-m", "central.cli", "--data-dir", str(tmp_path)]

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run(
            [*base, *args], input=stdin, capture_output=True, text=True, timeout=60
        )

    assert run("site", "add", "assets/config/example-site.toml").returncode == 0
    added = run(
        "user",
        "add",
        "Pia@Example.fi",
        "--role",
        "manager",
        "--site",
        "kaleva",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert added.returncode == 0, added.stderr
    short = run(
        "user", "add", "b@example.fi", "--role", "admin", "--password-stdin", stdin="lyhyt\n"
    )
    assert short.returncode == 1 and "at least 12 characters" in short.stderr
    no_site = run(
        "user",
        "add",
        "c@example.fi",
        "--role",
        "manager",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert no_site.returncode == 1 and "--site" in no_site.stderr
    again = run(
        "user",
        "add",
        "pia@example.fi",
        "--role",
        "admin",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert again.returncode == 1 and "has an account already" in again.stderr
    listed = run("user", "list").stdout
    assert "pia@example.fi" in listed and "manager" in listed and "enabled" in listed
    assert (
        run(
            "user",
            "reset-password",
            "pia@example.fi",
            "--password-stdin",
            stdin="uusi pitkä salasana\n",
        ).returncode
        == 0
    )
    assert run("user", "disable", "pia@example.fi").returncode == 0
    assert "disabled" in run("user", "list").stdout
    missing = run("user", "disable", "nobody@example.fi")
    assert missing.returncode == 1 and "user list" in missing.stderr

"""The web console: people who sign in, the sign-in form and its CSRF token."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from central.db import write_transaction
from central.people import add_person
from tests.support.central import add_site

PASSWORD = "kolme sanaa peräkkäin"


def csrf_of(html: str) -> str:
    found = re.findall(r'name="csrf_token" value="([^"]*)"', html)
    return [token for token in found if token][-1]


def person(
    client: TestClient,
    email: str = "hoitaja@example.fi",
    role: str = "manager",
    sites: list[str] | None = None,
) -> None:
    add_site(client)
    with write_transaction(client.app.state.engine) as conn:
        add_person(conn, email, role, ["kaleva"] if sites is None else sites, PASSWORD)


def sign_in(client: TestClient, email: str, password: str = PASSWORD, next_: str = "/"):
    form = client.get("/login")
    return client.post(
        "/login",
        data={
            "email": email,
            "password": password,
            "csrf_token": csrf_of(form.text),
            "next": next_,
        },
        follow_redirects=False,
    )

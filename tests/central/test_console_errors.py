"""The console's error pages: a browser asking for an unknown console address, or using one
the wrong way, gets the console's page in its language; the API, the probes and any client
that does not ask for HTML keep the JSON problem documents."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from central.web.errors import is_console_path
from tests.support.central import ENGLISH

BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8", "Accept-Language": "en"}


@pytest.fixture
def app_client(tmp_path):
    from central.app import create_app
    from central.settings import Settings

    with TestClient(
        create_app(Settings(data_dir=tmp_path)), base_url="http://127.0.0.1", headers=ENGLISH
    ) as c:
        yield c


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/nothing", 404),
        ("get", "/comments/extra/parts", 404),
        ("get", "/static/console/no-such-file.css", 404),
        ("post", "/comments", 405),
        ("delete", "/login", 405),
    ],
)
def test_a_browser_gets_the_consoles_error_page(
    app_client: TestClient, method: str, path: str, status: int
) -> None:
    answer = app_client.request(method, path, headers=BROWSER, follow_redirects=False)
    assert answer.status_code == status
    assert answer.headers["content-type"].startswith("text/html")
    assert "Cannot show this page" in answer.text and 'href="/"' in answer.text
    assert answer.headers["Content-Security-Policy"].startswith("default-src 'self'")
    if status == 405:
        assert "GET" in answer.headers["Allow"]


def test_the_error_page_speaks_the_browsers_language(app_client: TestClient) -> None:
    answer = app_client.get("/nothing", headers={**BROWSER, "Accept-Language": "sv-FI"})
    assert answer.headers["Content-Language"] == "sv"
    assert '<html lang="sv">' in answer.text


@pytest.mark.parametrize(
    ("method", "path", "headers", "status"),
    [
        ("get", "/nothing", {}, 404),  # curl, scripts: */*
        ("get", "/nothing", {"Accept": "application/json"}, 404),
        ("get", "/api/v1/nothing", BROWSER, 404),
        ("get", "/api/v1/reports/nothing", BROWSER, 404),
        ("post", "/healthz", BROWSER, 405),
        ("post", "/readyz", BROWSER, 405),
        ("post", "/openapi.json", BROWSER, 405),
        ("post", "/docs", BROWSER, 405),
        ("put", "/api/v1/events", BROWSER, 405),
    ],
)
def test_the_api_and_other_clients_keep_json_problems(
    app_client: TestClient, method: str, path: str, headers: dict, status: int
) -> None:
    answer = app_client.request(method, path, headers=headers)
    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["status"] == status


def test_a_malformed_console_form_is_a_page_for_a_browser(app_client: TestClient) -> None:
    long_email = {"email": "x" * 400, "password": "p", "csrf_token": "t"}
    page = app_client.post("/login", data=long_email, headers=BROWSER)
    assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")
    problem = app_client.post("/login", data=long_email)
    assert problem.status_code == 422
    assert problem.headers["content-type"] == "application/problem+json"


def test_which_paths_are_the_consoles() -> None:
    for path in ("/", "/comments", "/sites/kaleva", "/apis", "/docsx", "/static/console/x"):
        assert is_console_path(path), path
    for path in ("/api/v1/events", "/api", "/healthz", "/readyz", "/metrics", "/openapi.json"):
        assert not is_console_path(path), path
    assert not is_console_path("/docs/oauth2-redirect")

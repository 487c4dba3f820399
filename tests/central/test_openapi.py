"""The OpenAPI document tells the truth (central.api.openapi): the package's version, every error
a problem document (application/problem+json) with the headers sent with it, bearer security
schemes instead of a header parameter; and the interactive docs come from the package, not a
CDN. That each route's answers are the documented ones is what test_schemathesis.py checks."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from importlib.metadata import version
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

import central
from central.app import create_app
from central.settings import Settings
from hymy_dev.local_central import LocalCentral

DEVICE_ROUTES = {
    ("post", "/api/v1/events"),
    ("post", "/api/v1/heartbeat"),
    ("get", "/api/v1/config"),
}
KEY_ROUTES = {
    ("get", "/api/v1/devices"),
    ("get", "/api/v1/reports/feedback"),
    ("get", "/api/v1/reports/checkins"),
    ("get", "/api/v1/reports/comments"),
    ("get", "/api/v1/reports/national"),
    ("get", "/api/v1/reports/pdf"),
}
SWAGGER_UI = Path(central.__file__).parent / "static" / "swagger-ui"


@pytest.fixture
def app_client(tmp_path: Path):
    with TestClient(create_app(Settings(data_dir=tmp_path))) as test_client:
        yield test_client


@pytest.fixture
def document(app_client: TestClient) -> dict:
    answer = app_client.get("/openapi.json")
    assert answer.status_code == 200
    return answer.json()


def operations(document: dict):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield method, path, operation


def test_the_version_is_the_packages(document):
    assert document["info"]["version"] == version("hymy")


def test_every_error_is_a_problem_document_with_its_headers(document):
    assert document["components"]["schemas"]["Problem"]["required"] == [
        "title",
        "status",
        "detail",
    ]
    assert "HTTPValidationError" not in document["components"]["schemas"]
    errors = 0
    for method, path, operation in operations(document):
        for status, response in operation["responses"].items():
            if int(status) < 400:
                continue
            errors += 1
            where = f"{method} {path} {status}"
            assert response["content"] == {
                "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
            }, where
            headers = response.get("headers", {})
            if status in ("429", "503"):
                assert headers["Retry-After"]["schema"]["type"] == "integer", where
            if status == "401":
                assert "WWW-Authenticate" in headers, where
    assert errors >= 35  # every route's


def test_the_statuses_each_route_can_answer_are_named(document):
    """The refusals read from the code (schemathesis finds any answer outside them)."""
    statuses = {(m, p): set(op["responses"]) for m, p, op in operations(document)}
    assert statuses[("post", "/api/v1/enroll")] == {"200", "400", "409", "413", "422", "429", "503"}
    assert statuses[("post", "/api/v1/events")] == {"200", "401", "413", "422", "429", "503"}
    assert statuses[("post", "/api/v1/heartbeat")] == {"204", "400", "401", "413", "422", "503"}
    assert statuses[("get", "/api/v1/devices")] == {"200", "401", "403", "503"}
    assert statuses[("get", "/api/v1/config")] == {"200", "304", "401", "409", "503"}
    for report in ("feedback", "checkins", "comments"):
        assert statuses[("get", f"/api/v1/reports/{report}")] == {
            "200",
            "401",
            "403",
            "404",
            "422",
            "503",
        }
    assert set(
        document["paths"]["/api/v1/reports/feedback"]["get"]["responses"]["200"]["content"]
    ) == {"application/json", "text/csv"}


def test_credentials_are_bearer_schemes_not_header_parameters(document):
    schemes = document["components"]["securitySchemes"]
    assert schemes == {
        "DeviceToken": {
            "type": "http",
            "scheme": "bearer",
            "description": schemes["DeviceToken"]["description"],
        },
        "ApiKey": {
            "type": "http",
            "scheme": "bearer",
            "description": schemes["ApiKey"]["description"],
        },
    }
    for method, path, operation in operations(document):
        names = {p["name"].lower() for p in operation.get("parameters", [])}
        assert "authorization" not in names, (method, path)
        expected = (
            [{"DeviceToken": []}]
            if (method, path) in DEVICE_ROUTES
            else [{"ApiKey": []}]
            if (method, path) in KEY_ROUTES
            else None
        )
        assert operation.get("security") == expected, (method, path)


@pytest.mark.parametrize(
    "header", [None, "Basic dXNlcjpwdw==", "Bearer", "Bearer    ", "Bearer wrong-token"]
)
@pytest.mark.parametrize("path", ["/api/v1/devices", "/api/v1/config"])
def test_a_missing_or_wrong_credential_is_our_401_problem(app_client, path, header):
    answer = app_client.get(path, headers={"Authorization": header} if header else {})
    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["www-authenticate"] == "Bearer"
    problem = answer.json()
    assert problem["status"] == 401 and problem["title"] == "Unauthorized"
    wanted = "API key" if path == "/api/v1/devices" else "device token"
    assert wanted in problem["detail"]  # which credential to send, or how to get one


def test_a_body_that_is_not_utf8_is_a_400_problem_saying_what_to_send(app_client):
    answer = app_client.post(
        "/api/v1/heartbeat",
        content=b'{"version": "\xff\xfe"}',
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 400
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["detail"] == "The body could not be read: send JSON text in UTF-8."


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, _tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value for name, value in attrs if name in ("src", "href") and value]


def test_the_docs_load_nothing_from_outside_the_central(app_client):
    page = app_client.get("/docs")
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    assert not re.findall(r"(?:https?:)?//[\w.-]+", page.text), "a URL of another server"
    links = _Links()
    links.feed(page.text)
    assert sorted(links.urls) == [
        "/static/swagger-ui/favicon-32x32.png",
        "/static/swagger-ui/swagger-ui-bundle.js",
        "/static/swagger-ui/swagger-ui.css",
    ]
    types = {".js": "javascript", ".css": "text/css", ".png": "image/png"}
    for url in links.urls:
        asset = app_client.get(url)
        assert asset.status_code == 200, url
        assert types[Path(url).suffix] in asset.headers["content-type"], url
        assert asset.content == (SWAGGER_UI / Path(url).name).read_bytes()
    assert "url: '/openapi.json'" in page.text
    assert '"validatorUrl": null' in page.text  # the badge would send the document away
    assert app_client.get("/redoc").status_code == 404  # it would load a CDN's script
    assert "/docs" not in app_client.get("/openapi.json").json()["paths"]


def test_behind_a_path_prefix_the_docs_ask_for_the_prefixed_urls(tmp_path):
    with TestClient(create_app(Settings(data_dir=tmp_path)), root_path="/hymy") as client:
        page = client.get("/docs").text
    assert 'src="/hymy/static/swagger-ui/swagger-ui-bundle.js"' in page
    assert "url: '/hymy/openapi.json'" in page


def test_the_vendored_swagger_ui_is_the_version_its_readme_names():
    readme = (SWAGGER_UI / "README.md").read_text(encoding="utf-8")
    named = re.search(r"swagger-ui-dist\]\([^)]*\) \*\*([0-9.]+)\*\*", readme)
    assert named, readme
    bundle = (SWAGGER_UI / "swagger-ui-bundle.js").read_text(encoding="utf-8")
    assert f'"{named.group(1)}"' in bundle
    assert "Apache License" in (SWAGGER_UI / "LICENSE").read_text(encoding="utf-8")


def test_the_swagger_ui_files_are_package_data():
    pyproject = (Path(central.__file__).parent.parent / "pyproject.toml").read_text()
    assert '"central" = ["static/swagger-ui/*"]' in pyproject


def test_a_wrong_method_or_path_is_a_problem_that_says_what_to_use(app_client):
    wrong_method = app_client.delete("/api/v1/devices")
    assert wrong_method.status_code == 405
    assert wrong_method.headers["allow"] == "GET"
    assert wrong_method.headers["content-type"] == "application/problem+json"
    assert wrong_method.json()["title"] == "Method not allowed"
    assert wrong_method.json()["detail"] == "/api/v1/devices takes GET only."
    no_path = app_client.get("/api/v2/devices")
    assert no_path.status_code == 404
    assert no_path.headers["content-type"] == "application/problem+json"
    assert no_path.json()["detail"] == (
        "No such path at the central: /api/v2/devices; /docs lists the API."
    )


def test_a_served_central_gives_the_docs_and_their_assets(tmp_path):
    """The same through `hymy-central serve` on 127.0.0.1 (uvicorn, the package's files)."""
    with LocalCentral(tmp_path) as served:
        page = httpx.get(f"{served.url}/docs", timeout=30)
        assert page.status_code == 200
        links = _Links()
        links.feed(page.text)
        assert len(links.urls) == 3 and all(url.startswith("/static/") for url in links.urls)
        for url in links.urls:
            asset = httpx.get(f"{served.url}{url}", timeout=30)
            assert asset.status_code == 200, url
            assert asset.content == (SWAGGER_UI / Path(url).name).read_bytes(), url
        document = httpx.get(f"{served.url}/openapi.json", timeout=30).json()
        assert document["info"]["version"] == version("hymy")

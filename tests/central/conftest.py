"""Fixtures for the central: databases (SQLite and a throwaway PostgreSQL cluster), the app
in-process, and a site with an enrolled kiosk."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from central.app import create_app
from central.settings import Settings
from tests.support.central import add_site, make_code


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


@pytest.fixture
def enrolment(client: TestClient) -> dict:
    """The enrol answer (device id, token, config) of a kiosk enrolled at the example site."""
    add_site(client)
    answer = client.post("/api/v1/enroll", json={"code": make_code(client), "kiosk_id": "aula-1"})
    assert answer.status_code == 200, answer.text
    return answer.json()

"""The language of each answer in the central's comments: the kiosks' tags (fi-x-easy, uk) go
through the real ingest, and the console's page, its CSV and XLSX downloads and the API name
each comment's language in the reader's language (central.language_names)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from central.access import create_api_key
from central.db import write_transaction
from central.language_names import language_name
from central.people import add_person
from central.web.session import COOKIE
from tests.support.central import ENGLISH, add_site, at, comment_at, enrol, send
from tests.support.console import PASSWORD, sign_in

MANAGER = "esihenkilo@example.fi"
# (hours ago, comment, the kiosk's language)
SENT = [
    (1, "Дякую, все добре", "uk"),
    (2, "Kiitos, hyvä", "fi-x-easy"),
    (3, "Tack så mycket", "sv"),
    (4, "Спасибо", "ru"),
]


@pytest.mark.parametrize(
    ("tag", "fi", "sv", "en"),
    [
        ("fi", "Suomi", "Finska", "Finnish"),
        ("sv", "Ruotsi", "Svenska", "Swedish"),
        ("en", "Englanti", "Engelska", "English"),
        ("fi-x-easy", "Selkosuomi", "Lättläst finska", "Easy-read Finnish"),
        ("sv-x-easy", "Selkoruotsi", "Lättläst svenska", "Easy-read Swedish"),
        ("uk", "Ukraina", "Ukrainska", "Ukrainian"),
        ("ru", "Venäjä", "Ryska", "Russian"),
        ("et", "Viro", "Estniska", "Estonian"),
        ("de", "Saksa", "Tyska", "German"),  # any other language: Babel's names
        ("sv-FI", "Ruotsi (Suomi)", "Svenska (Finland)", "Swedish (Finland)"),
        ("fi-x-selko", "Suomi (fi-x-selko)", "Finska (fi-x-selko)", "Finnish (fi-x-selko)"),
    ],
)
def test_each_language_is_named_in_the_readers_language(tag, fi, sv, en):
    assert [language_name(tag, reader) for reader in ("fi", "sv", "en")] == [fi, sv, en]


def test_an_unknown_language_or_reader_and_no_language_at_all():
    assert language_name("uk", "de") == "Ukrainian"  # a reader the console has not: English
    assert language_name("qq", "fi") == "qq"  # nobody knows it: the tag itself
    assert language_name(None, "fi") is None
    assert language_name("", "sv") is None


class Central:
    """A real central with SENT ingested at kaleva, a manager of kaleva signed in."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        add_site(client)
        token = enrol(client, "kaleva", "aula-kaleva")
        items = [comment_at(hours, text, language=tag) for hours, text, tag in SENT]
        answer = send(client, token, items).json()
        assert answer["accepted"] == len(items), answer
        self.token = token
        with write_transaction(client.app.state.engine) as conn:
            add_person(conn, MANAGER, "manager", ["kaleva"], PASSWORD)
        assert sign_in(client, MANAGER).status_code == 303
        self.cookie = client.cookies[COOKIE]

    def get(self, query: str, language: str):
        self.client.cookies.set(COOKIE, self.cookie)
        answer = self.client.get(f"/comments{query}", headers={"accept-language": language})
        assert answer.status_code == 200, answer.text
        return answer


@pytest.fixture(scope="module")
def central(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Central]:
    from central.app import create_app
    from central.settings import Settings

    settings = Settings(data_dir=tmp_path_factory.mktemp("languages"))
    with TestClient(create_app(settings), base_url="http://127.0.0.1", headers=ENGLISH) as client:
        yield Central(client)


def test_the_comments_page_names_each_comments_language(central: Central) -> None:
    html = central.get("?site=kaleva", "fi").text
    assert '<th scope="col">Kieli</th>' in html
    for name in ("Ukraina", "Selkosuomi", "Ruotsi", "Venäjä"):
        assert f"<td>{name}</td>" in html
    # Each beside its own comment, newest first.
    order = [html.index(name) for name in ("Ukraina", "Selkosuomi", "Ruotsi", "Venäjä")]
    assert order == sorted(order)
    assert html.index("Ukraina") < html.index("Дякую") < html.index("Selkosuomi")


def test_the_csv_download_has_a_language_column_in_the_readers_language(central: Central) -> None:
    answer = central.get("?site=kaleva&download=csv&table=comments", "sv")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig")), delimiter=";"))
    column = rows[0].index("Språk")
    comment = len(rows[0]) - 1
    assert {row[comment]: row[column] for row in rows[1:]} == {
        "Дякую, все добре": "Ukrainska",
        "Kiitos, hyvä": "Lättläst finska",
        "Tack så mycket": "Svenska",
        "Спасибо": "Ryska",
    }


def test_the_xlsx_download_and_the_api_name_the_language_too(central: Central) -> None:
    answer = central.get("?site=kaleva&download=xlsx&table=comments", "en")
    rows = list(load_workbook(io.BytesIO(answer.content)).active.iter_rows(values_only=True))
    column = rows[0].index("Language")
    assert [row[column] for row in rows[1:]] == [
        "Ukrainian",
        "Easy-read Finnish",
        "Swedish",
        "Russian",
    ]
    with write_transaction(central.client.app.state.engine) as conn:
        key, _ = create_api_key(conn, "admin", [])
    today = datetime.now(ZoneInfo("Europe/Helsinki")).date()
    api = central.client.get(
        "/api/v1/reports/comments",
        params={"site": "kaleva", "from": str(today - timedelta(days=2)), "to": str(today)},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert api.status_code == 200, api.text
    assert [c["language"] for c in api.json()["comments"]] == ["uk", "fi-x-easy", "sv", "ru"]


def test_a_tag_out_of_canonical_case_is_refused_with_its_reason(central: Central) -> None:
    answer = send(
        central.client, central.token, [comment_at(1, "Kiitos", language="fi-x-EASY")]
    ).json()
    assert answer["accepted"] == 0, answer
    assert "language" in str(answer)


# --- the feedback report: answers by language, from their own daily rollup --------------------


def _report(central: Central, **options) -> dict:
    from central.reports import report

    today = datetime.now(ZoneInfo("Europe/Helsinki")).date()
    with central.client.app.state.engine.connect() as conn:
        return report(conn, "feedback", ["kaleva"], today - timedelta(days=2), today, **options)


def test_the_feedback_report_counts_the_answers_of_each_language(central: Central) -> None:
    answer = _report(central)
    assert answer["languages"] == [
        {"language": "fi-x-easy", "count": 1},
        {"language": "ru", "count": 1},
        {"language": "sv", "count": 1},
        {"language": "uk", "count": 1},
    ]
    assert answer["total"]["n"] == 4
    assert _report(central, service_point="laboratorio")["languages"] == []


def test_the_report_command_and_a_migrated_database_name_the_languages(client, enrolment, db_url):
    import subprocess
    import sys

    from alembic import command
    from alembic.config import Config
    from sqlalchemy import select

    from central.db import make_engine, upgrade
    from central.tables import daily_language_rollups
    from tests.support.paths import ROOT

    moment = datetime(2026, 11, 3, 8, 15, tzinfo=UTC)
    items = [
        at(moment + timedelta(minutes=i), monotonic_ms=i + 1, rating=4, language=tag)
        for i, tag in enumerate(["uk", "uk", "fi", "fi-x-easy", "uk"])
    ]
    items.append(at(moment, monotonic_ms=9, rating=1, language="ru", misuse=True))
    assert send(client, enrolment["token"], items).json()["accepted"] == len(items)
    cli = [sys.executable, "-m", "central.cli", "--db", db_url, "report", "feedback"]
    period = ["--site", "kaleva", "--from", "2026-11-01", "--to", "2026-11-30"]
    done = subprocess.run([*cli, *period], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "languages: Ukrainian 3, Finnish 1, Easy-read Finnish 1" in done.stdout.splitlines()
    misuse = subprocess.run(
        [*cli, *period, "--include-misuse"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert "languages: Ukrainian 3, Finnish 1, Easy-read Finnish 1, Russian 1" in misuse.stdout

    # A database from before the language rollups gets them from its events.
    engine = make_engine(db_url)
    with engine.connect() as conn:
        ingested = sorted(conn.execute(select(daily_language_rollups)).all())
    config = Config()
    config.set_main_option("script_location", "central:migrations")
    with write_transaction(engine) as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0009")
    upgrade(engine)
    with engine.connect() as conn:
        migrated = sorted(conn.execute(select(daily_language_rollups)).all())
    engine.dispose()
    assert migrated == ingested
    assert sum(row.count for row in migrated) == len(items)


def test_the_site_page_shows_answers_by_language_once_there_are_enough(tmp_path) -> None:
    from central.app import create_app
    from central.settings import Settings

    app = create_app(Settings(data_dir=tmp_path))
    with TestClient(app, base_url="http://127.0.0.1", headers=ENGLISH) as client:
        central = Central(client)  # four answers: fewer than the site's min_answers (5)
        assert "Kieliä ei näytetä: ajanjaksolla on alle 5 vastausta." in (
            central.client.get("/sites/kaleva", headers={"accept-language": "fi"}).text
        )
        more = [
            comment_at(0.5, "Дуже добре", language="uk"),
            comment_at(0.4, "Добре", language="uk"),
        ]
        assert send(client, central.token, more).json()["accepted"] == 2
        central.client.cookies.set(COOKIE, central.cookie)
        html = central.client.get("/sites/kaleva", headers={"accept-language": "fi"}).text
        assert "Vastaukset kielittäin" in html
        rows = html[html.index('id="languages"') :]
        # Most answers first, then by tag (fi-x-easy, ru, sv).
        order = [rows.index(name) for name in ("Ukraina", "Selkosuomi", "Venäjä", "Ruotsi")]
        assert order == sorted(order)
        download = central.client.get(
            "/sites/kaleva?download=csv&table=languages", headers={"accept-language": "sv"}
        )
        assert download.status_code == 200, download.text
        lines = download.content.decode("utf-8-sig").splitlines()
        assert lines[0] == "Språk;Svar"
        assert lines[1:] == ["Ukrainska;3", "Lättläst finska;1", "Ryska;1", "Svenska;1"]

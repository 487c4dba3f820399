"""The console's PDF download (`/sites/{site}/report.pdf`, the site page's access and period)
and the page of reports by e-mail (`/reports`: subscribe and unsubscribe, oneself or, for an
admin, anyone), against the real app."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from central.db import write_transaction
from central.people import add_person, find_person
from central.report_subscriptions import (
    EVERY_SITE,
    SubscriptionError,
    subscribe,
    subscriptions_of,
)
from tests.support.central import HERVANTA_SITE, accepted, add_site, enrol, ratings
from tests.support.console import PASSWORD, csrf_of, sign_in

HELSINKI = ZoneInfo("Europe/Helsinki")
TODAY = datetime.now(HELSINKI).date()
MONDAY = TODAY - timedelta(days=TODAY.weekday() + 14)
PERIOD = {"from": MONDAY.isoformat(), "to": (MONDAY + timedelta(days=6)).isoformat()}


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'central.sqlite'}"


@pytest.fixture
def console(client: TestClient) -> TestClient:
    """Kaleva with six answers, Hervanta; a Swedish-speaking manager of Kaleva, a manager of
    both, an admin and an IT person."""
    add_site(client)
    add_site(client, HERVANTA_SITE)
    moment = datetime(MONDAY.year, MONDAY.month, MONDAY.day, 10, tzinfo=HELSINKI).astimezone(UTC)
    accepted(client, enrol(client, "kaleva"), ratings(moment, [4, 4, 3, 3, 2, 4]))
    with write_transaction(client.app.state.engine) as conn:
        add_person(conn, "hoitaja@example.fi", "manager", ["kaleva"], PASSWORD)
        add_person(conn, "alue@example.fi", "manager", ["kaleva", "hervanta"], PASSWORD)
        add_person(conn, "paavo@example.fi", "admin", [], PASSWORD)
        add_person(conn, "it@example.fi", "it", [], PASSWORD)
    from central.people import set_language

    with write_transaction(client.app.state.engine) as conn:
        set_language(conn, find_person(conn, "hoitaja@example.fi").id, "sv")
    return client


def text_of(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "download.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_the_site_page_offers_its_period_as_a_pdf_in_the_persons_language(console, tmp_path):
    sign_in(console, "hoitaja@example.fi")
    page = console.get("/sites/kaleva", params=PERIOD)
    link = f"/sites/kaleva/report.pdf?from={PERIOD['from']}&amp;to={PERIOD['to']}&amp;by=day"
    assert link in page.text
    answer = console.get("/sites/kaleva/report.pdf", params=PERIOD)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    text = text_of(answer.content, tmp_path)
    assert "Kalevas hälsostation" in text and "Svar" in text


def test_a_manager_downloads_no_pdf_of_another_site(console):
    sign_in(console, "hoitaja@example.fi")
    assert console.get("/sites/hervanta/report.pdf", params=PERIOD).status_code == 403
    assert console.get("/sites/nowhere/report.pdf", params=PERIOD).status_code == 403
    bad = console.get("/sites/kaleva/report.pdf", params={"from": "2026-02-30"})
    assert bad.status_code == 422


def test_a_long_period_comes_by_week_or_month(console, tmp_path):
    sign_in(console, "paavo@example.fi")
    year = {"from": (TODAY - timedelta(days=364)).isoformat(), "to": TODAY.isoformat()}
    answer = console.get("/sites/kaleva/report.pdf", params={**year, "by": "day"})
    assert answer.status_code == 200
    assert "Viikko" in text_of(answer.content, tmp_path)  # the admin's Finnish: weeks


def subscribe_form(client: TestClient, **fields):
    page = client.get("/reports", params={"person": fields.get("person", "")})
    return client.post(
        "/reports/subscribe",
        data={"csrf_token": csrf_of(page.text), **fields},
        follow_redirects=False,
    )


def test_a_manager_subscribes_and_unsubscribes_themselves(console):
    sign_in(console, "hoitaja@example.fi")
    page = console.get("/reports")
    assert page.status_code == 200
    assert 'value="*"' not in page.text  # one site: no "all my sites"
    assert subscribe_form(console, scope="kaleva", frequency="weekly").status_code == 303
    page = console.get("/reports")
    assert "Kalevas hälsostation" in page.text
    with console.app.state.engine.connect() as conn:
        (mine,) = subscriptions_of(conn, find_person(conn, "hoitaja@example.fi").id)
    assert (mine.scope, mine.frequency) == ("kaleva", "weekly")
    gone = console.post(
        f"/reports/{mine.id}/unsubscribe",
        data={"csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert gone.status_code == 303
    with console.app.state.engine.connect() as conn:
        assert subscriptions_of(conn, mine.person_id) == []


def test_a_manager_cannot_subscribe_to_another_site_or_for_someone_else(console):
    sign_in(console, "hoitaja@example.fi")
    refused = subscribe_form(console, scope="hervanta", frequency="weekly")
    assert refused.status_code == 422
    with console.app.state.engine.connect() as conn:
        other = find_person(conn, "alue@example.fi")
    assert console.get("/reports", params={"person": other.id}).status_code == 403
    assert (
        subscribe_form(console, scope="kaleva", frequency="monthly", person=other.id).status_code
        == 403
    )
    bad = subscribe_form(console, scope="kaleva", frequency="daily")
    assert bad.status_code == 422


def test_an_admin_subscribes_a_regional_manager_to_all_their_sites(console):
    sign_in(console, "paavo@example.fi")
    with console.app.state.engine.connect() as conn:
        region = find_person(conn, "alue@example.fi")
    page = console.get("/reports", params={"person": region.id})
    assert 'value="*"' in page.text
    done = subscribe_form(console, scope=EVERY_SITE, frequency="monthly", person=region.id)
    assert done.status_code == 303 and region.id in done.headers["location"]
    with console.app.state.engine.connect() as conn:
        (theirs,) = subscriptions_of(conn, region.id)
    assert (theirs.scope, theirs.frequency) == (EVERY_SITE, "monthly")


def test_it_staff_get_no_reports(console):
    sign_in(console, "it@example.fi")
    assert console.get("/reports").status_code == 403
    with write_transaction(console.app.state.engine) as conn:
        it = find_person(conn, "it@example.fi")
        with pytest.raises(SubscriptionError, match="reads no reports"):
            subscribe(conn, it, EVERY_SITE, "weekly")


def test_the_pdf_keeps_the_pages_service_point_and_misuse(console, tmp_path):
    sign_in(console, "paavo@example.fi")
    filters = {**PERIOD, "service_point": "laboratorio", "include_misuse": "1"}
    page = console.get("/sites/kaleva", params=filters)
    assert "service_point=laboratorio&amp;include_misuse=1" in page.text
    answer = console.get("/sites/kaleva/report.pdf", params=filters)
    assert answer.status_code == 200
    text = text_of(answer.content, tmp_path)
    assert "Palvelupiste: Laboratorio" in text  # the admin's Finnish
    assert "Luvuissa on mukana" in text  # "the figures include ... misuse"
    unknown = console.get("/sites/kaleva/report.pdf", params={**PERIOD, "service_point": "x"})
    assert unknown.status_code == 422

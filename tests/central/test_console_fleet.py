"""The console's fleet page against the real app: kiosks enrolled, heartbeats and events sent
through the API, then /fleet read as IT staff and admins (trouble first, site scopes, the
htmx refresh, the downloads)."""

from __future__ import annotations

import csv as csv_module
import io
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import update

from central.db import write_transaction
from central.enrollment import revoke_device
from central.tables import devices
from tests.support.central import ENGLISH, OTHER_SITE, add_site, beat, make_code, send
from tests.support.console import person, sign_in
from tests.support.events import feedback


@pytest.fixture
def sqlite_client(tmp_path):
    from central.app import create_app
    from central.settings import Settings

    with TestClient(
        create_app(Settings(data_dir=tmp_path)), base_url="http://127.0.0.1", headers=ENGLISH
    ) as c:
        yield c


def enrol(client: TestClient, kiosk_id: str, site: str = "kaleva") -> dict:
    answer = client.post(
        "/api/v1/enroll", json={"code": make_code(client, site), "kiosk_id": kiosk_id}
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def heartbeat(client: TestClient, enrolment: dict, **extra) -> None:
    headers = {"Authorization": f"Bearer {enrolment['token']}"}
    answer = client.post("/api/v1/heartbeat", json=beat(**extra), headers=headers)
    assert answer.status_code == 204, answer.text


def a_fleet(client: TestClient) -> dict[str, dict]:
    """Kiosks of kaleva in every state the page orders, and one of hervanta."""
    client.headers["Accept-Language"] = "en"  # the msgids, and Babel's English
    add_site(client)
    add_site(client, OTHER_SITE)
    kiosks = {k: enrol(client, k) for k in ("ok-1", "paper-1", "clock-1", "silent-1", "new-1")}
    kiosks["gone-1"] = enrol(client, "gone-1")
    kiosks["gaps-1"] = enrol(client, "gaps-1")
    kiosks["hervanta-1"] = enrol(client, "hervanta-1", "hervanta")
    heartbeat(client, kiosks["ok-1"], version="1.2.3")
    heartbeat(client, kiosks["paper-1"], printer="paper_out")
    heartbeat(client, kiosks["clock-1"], device_clock="2001-01-01T00:00:00+00:00")
    heartbeat(client, kiosks["silent-1"])
    heartbeat(client, kiosks["hervanta-1"])
    heartbeat(client, kiosks["gone-1"])
    outbox = str(uuid.uuid4())
    events = [feedback(outbox_id=outbox, seq=seq) for seq in (1, 2, 5)]
    assert send(client, kiosks["gaps-1"]["token"], events).status_code == 200
    heartbeat(client, kiosks["gaps-1"], backlog=0)
    # silent: its last heartbeat 3 hours ago
    with write_transaction(client.app.state.engine) as conn:
        conn.execute(
            update(devices)
            .where(devices.c.id == kiosks["silent-1"]["device_id"])
            .values(last_seen_at=datetime.now(UTC) - timedelta(hours=3))
        )
        revoke_device(conn, kiosks["gone-1"]["device_id"])
    return kiosks


def kiosk_order(html: str) -> list[str]:
    return re.findall(r'<th scope="row">([a-z0-9-]+)<br>', html)


def test_the_fleet_lists_trouble_first_and_managers_get_403(client: TestClient) -> None:
    a_fleet(client)
    person(client, "it@example.fi", "it", [])
    sign_in(client, "it@example.fi")
    answer = client.get("/fleet")
    assert answer.status_code == 200
    order = kiosk_order(answer.text)
    assert order[:5] == ["silent-1", "new-1", "paper-1", "clock-1", "gaps-1"]
    assert set(order[5:]) == {"ok-1", "hervanta-1"}  # fine ones after, revoked hidden
    assert "gone-1" not in order
    assert "5 of 7 kiosks need attention" in answer.text
    assert "printer needs paper" in answer.text and "3 events missing" not in answer.text
    assert "2 events missing" in answer.text and "clock wrong" in answer.text
    assert re.search(r'<time datetime="[^"]+" title="[^"]+">\d+ (sec|min) ago</time>', answer.text)
    assert "1.2.3" in answer.text
    assert (
        'hx-get="/fleet?fragment=table"' in answer.text and 'hx-trigger="every 30s"' in answer.text
    )
    shown = client.get("/fleet?revoked=1")
    assert kiosk_order(shown.text)[-1] == "gone-1" and "revoked" in shown.text

    person(client, "hoitaja@example.fi", "manager", ["kaleva"])
    sign_in(client, "hoitaja@example.fi")
    assert client.get("/fleet").status_code == 403
    assert client.get("/fleet?fragment=table").status_code == 403
    assert client.get("/fleet?download=csv&table=kiosks").status_code == 403


def test_it_staff_of_one_site_see_only_its_kiosks(sqlite_client: TestClient) -> None:
    a_fleet(sqlite_client)
    person(sqlite_client, "it-hervanta@example.fi", "it", ["hervanta"])
    sign_in(sqlite_client, "it-hervanta@example.fi")
    page = sqlite_client.get("/fleet")
    assert kiosk_order(page.text) == ["hervanta-1"]
    assert "All 1 kiosks are fine" not in page.text and "The 1 kiosk is fine" in page.text
    csv = sqlite_client.get("/fleet?download=csv&table=kiosks&revoked=1").content.decode(
        "utf-8-sig"
    )
    assert "hervanta-1" in csv and "kaleva" not in csv


def test_the_fragment_is_the_table_alone_and_an_expired_session_goes_to_sign_in(
    sqlite_client: TestClient,
) -> None:
    kiosks = a_fleet(sqlite_client)
    person(sqlite_client, "admin@example.fi", "admin", [])
    sign_in(sqlite_client, "admin@example.fi")
    fragment = sqlite_client.get("/fleet?fragment=table", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and "<table" in fragment.text
    assert "need attention" in fragment.text
    heartbeat(sqlite_client, kiosks["paper-1"])  # paper loaded: the next refresh says so
    again = sqlite_client.get("/fleet?fragment=table", headers={"HX-Request": "true"})
    assert "printer needs paper" not in again.text
    assert "4 of 7 kiosks need attention" in again.text
    sqlite_client.cookies.clear()
    expired = sqlite_client.get(
        "/fleet?fragment=table", headers={"HX-Request": "true"}, follow_redirects=False
    )
    assert expired.status_code == 401
    assert expired.headers["HX-Redirect"].startswith("/login?next=%2Ffleet")


def test_downloads_hold_the_kiosks_of_the_page(sqlite_client: TestClient) -> None:
    a_fleet(sqlite_client)
    person(sqlite_client, "admin@example.fi", "admin", [])
    sign_in(sqlite_client, "admin@example.fi")
    order = kiosk_order(sqlite_client.get("/fleet").text)
    csv = sqlite_client.get("/fleet?download=csv&table=kiosks")
    assert csv.status_code == 200 and "attachment" in csv.headers["content-disposition"]
    lines = list(csv_module.reader(io.StringIO(csv.content.decode("utf-8-sig"))))
    assert [line[1] for line in lines[1:]] == order
    xlsx = sqlite_client.get("/fleet?download=xlsx&table=kiosks")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Site", "Kiosk", "Status")
    assert [row[1] for row in rows[1:]] == order
    gaps = next(row for row in rows if row[1] == "gaps-1")
    assert gaps[6] == 2 and gaps[2] == "2 events missing"

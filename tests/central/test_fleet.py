"""The fleet view, heartbeats, the kiosk's config with its ETag, and the comments listing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from central.fleet import status_words
from tests.central.conftest import feedback
from tests.central.test_ingest import send
from tests.central.test_reports import key


def beat(**extra) -> dict:
    now = datetime.now(UTC)
    return {
        "version": "0.1.0",
        "backlog": 3,
        "oldest_pending": now.isoformat(),
        "last_upload": now.isoformat(),
        "quarantined": 0,
        "free_disk_bytes": 10**10,
        "printer": "ok",
        "device_clock": now.isoformat(),
        **extra,
    }


def test_heartbeats_make_the_fleet_view(client, kiosk):
    device = {"Authorization": f"Bearer {kiosk['token']}"}
    assert (
        client.post("/api/v1/heartbeat", json=beat(printer="paper_out"), headers=device).status_code
        == 204
    )
    it = key(client, "it", ["kaleva"])
    (row,) = client.get("/api/v1/devices", headers=it).json()
    assert row["kiosk_id"] == "aula-1" and row["status"] == "printer needs paper"
    assert row["heartbeat"]["backlog"] == 3
    assert (
        client.get("/api/v1/devices", headers=key(client, "manager", ["kaleva"])).status_code == 403
    )
    assert client.get("/api/v1/devices", headers=device).status_code == 401
    bad = client.post("/api/v1/heartbeat", json=beat(printer="on fire"), headers=device)
    assert bad.status_code == 422 and "printer" in bad.json()["detail"]


def test_status_in_words():
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    fine = {"printer": "ok", "device_clock": now.isoformat(), "oldest_pending": None, "backlog": 0}
    assert status_words(now, now, fine, now, False) == "ok"
    assert status_words(now, now - timedelta(minutes=10), fine, now, False) == "late"
    assert status_words(now, now - timedelta(hours=2), fine, now, False) == "silent"
    wrong_clock = {**fine, "device_clock": "2001-01-01T00:00:00+00:00"}
    assert status_words(now, now, wrong_clock, now, False) == "clock wrong"
    backlog = {**fine, "backlog": 812, "oldest_pending": (now - timedelta(hours=3)).isoformat()}
    assert status_words(now, now, backlog, now, False) == "backlog of 812 waiting"
    assert status_words(now, None, None, None, False) == "never seen"
    assert status_words(now, now, fine, now, True) == "revoked"


def test_config_comes_with_an_etag(client, kiosk):
    device = {"Authorization": f"Bearer {kiosk['token']}"}
    first = client.get("/api/v1/config", headers=device)
    assert first.status_code == 200 and first.json() == kiosk["config"]
    etag = first.headers["etag"]
    unchanged = client.get("/api/v1/config", headers={**device, "If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert client.get("/api/v1/config").status_code == 401


def test_comments_are_listed_newest_first_a_page_at_a_time(client, kiosk):
    now = datetime.now(UTC)
    items = [
        feedback(
            2,
            boot_id="old",
            occurred_at=(now - timedelta(minutes=m)).isoformat(),
            comment=f"kommentti {m}",
        )
        for m in range(5)
    ]
    items.append(
        feedback(1, boot_id="old", occurred_at=now.isoformat(), comment="roskaa", misuse=True)
    )
    send(client, kiosk["token"], items)
    manager = key(client, "manager", ["kaleva"])
    period = {
        "site": "kaleva",
        "from": (now - timedelta(days=1)).date().isoformat(),
        "to": (now + timedelta(days=1)).date().isoformat(),
    }
    page = client.get(
        "/api/v1/reports/comments", headers=manager, params={**period, "limit": 2}
    ).json()
    assert [c["comment"] for c in page["comments"]] == ["kommentti 0", "kommentti 1"]
    assert page["more"] is True
    rest = client.get(
        "/api/v1/reports/comments", headers=manager, params={**period, "limit": 10, "offset": 2}
    ).json()
    assert [c["comment"] for c in rest["comments"]] == ["kommentti 2", "kommentti 3", "kommentti 4"]
    assert rest["more"] is False

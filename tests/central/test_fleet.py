"""The fleet view, heartbeats, the kiosk's config with its ETag, and the comments listing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from click.testing import CliRunner
from sqlalchemy import update

from central import cli
from central.db import write_transaction
from central.enrollment import revoke_device
from central.fleet import status_words
from central.tables import outbox_progress
from tests.support.central import OTHER_SITE, add_site, beat, key, make_code, send
from tests.support.events import feedback


def test_heartbeats_make_the_fleet_view(client, enrolment):
    device = {"Authorization": f"Bearer {enrolment['token']}"}
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


def test_config_comes_with_an_etag(client, enrolment):
    device = {"Authorization": f"Bearer {enrolment['token']}"}
    first = client.get("/api/v1/config", headers=device)
    assert first.status_code == 200 and first.json() == enrolment["config"]
    etag = first.headers["etag"]
    unchanged = client.get("/api/v1/config", headers={**device, "If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert client.get("/api/v1/config").status_code == 401


def test_comments_are_listed_newest_first_a_page_at_a_time(client, enrolment):
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
    send(client, enrolment["token"], items)
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


def test_status_words_for_refusals_storage_and_missing_events():
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    fine = {"printer": "ok", "device_clock": now.isoformat(), "oldest_pending": None, "backlog": 0}
    refused = {**fine, "refused": {"status": 403, "error": "x", "at": now.isoformat(), "events": 3}}
    assert status_words(now, now, refused, now, False) == "refused events"
    assert status_words(now, now, {**fine, "storage": "read_only"}, now, False) == (
        "storage read-only"
    )
    assert status_words(now, now, {**fine, "storage": "full"}, now, False) == "storage full"
    assert status_words(now, now, {**fine, "storage": "ok"}, now, False) == "ok"
    assert status_words(now, now, fine, now, False, missing=7) == "7 events missing"
    assert status_words(now, now, None, None, False, missing=1) == "1 event missing"


def test_heartbeats_carry_outbox_refusals_and_storage(client, enrolment):
    device = {"Authorization": f"Bearer {enrolment['token']}"}
    now = datetime.now(UTC).isoformat()
    full = beat(
        outbox={"id": str(uuid.uuid4()), "first_seq": 1, "last_seq": 0},
        refused={"status": 404, "error": "Not Found", "at": now, "events": 12},
        storage="full",
    )
    assert client.post("/api/v1/heartbeat", json=full, headers=device).status_code == 204
    assert client.post("/api/v1/heartbeat", json=beat(), headers=device).status_code == 204
    for wrong in (
        {"storage": "wet"},
        {"outbox": {"id": "x", "first_seq": 0, "last_seq": 0}},
        {"refused": {"status": 403, "error": "x" * 501, "at": now, "events": 1}},
        {"refused": {"status": 403, "error": "x", "at": "2026-11-23T10:00:00", "events": 1}},
    ):
        answer = client.post("/api/v1/heartbeat", json=beat(**wrong), headers=device)
        assert answer.status_code == 422, wrong


def numbered(outbox: str, seqs) -> list[dict]:
    return [{**feedback(3), "outbox_id": outbox, "seq": s} for s in seqs]


def test_the_fleet_view_says_whether_every_event_arrived(client, enrolment, db_url, tmp_path):
    device = {"Authorization": f"Bearer {enrolment['token']}"}
    outbox = str(uuid.uuid4())
    held = [s for s in range(1, 1311) if not (1200 <= s <= 1206 or s == 1300)]
    sent = numbered(outbox, held)
    for start in range(0, len(sent), 1000):
        assert send(client, enrolment["token"], sent[start : start + 1000]).status_code == 200
    now = datetime.now(UTC).isoformat()
    client.post(
        "/api/v1/heartbeat",
        headers=device,
        json=beat(
            outbox={"id": outbox, "first_seq": 1, "last_seq": 1315},
            backlog=5,  # 1311-1315 wait on the kiosk; 1200-1206 and 1300 it counts as sent
            refused={"status": 403, "error": "Forbidden", "at": now, "events": 4},
            storage="read_only",
        ),
    )
    it = key(client, "it", ["kaleva"])
    (row,) = client.get("/api/v1/devices", headers=it).json()
    assert row["completeness"].startswith("8 events missing (seq 1200-1206, 1300), last seen ")
    assert row["status"] == "refused events; storage read-only; 8 events missing"
    assert row["events"]["received"] == 1302 and row["events"]["missing"] == 8
    assert row["events"]["outboxes"][0]["missing_seq"] == [[1200, 1206], [1300, 1300]]

    database = client.app.state.settings.database_url
    shown = CliRunner().invoke(cli.main, ["--data-dir", str(tmp_path), "--db", database, "devices"])
    assert shown.exit_code == 0, shown.output
    assert "refused events; storage read-only; 8 events missing" in shown.output
    assert "8 events missing (seq 1200-1206, 1300), last seen" in shown.output

    late = numbered(outbox, [*range(1200, 1207), 1300])
    for event, again in zip(late, late, strict=True):
        event["id"] = again["id"]
    assert send(client, enrolment["token"], late).json()["accepted"] == 8
    client.post(
        "/api/v1/heartbeat",
        headers=device,
        json=beat(outbox={"id": outbox, "first_seq": 1, "last_seq": 1315}, backlog=5),
    )
    (row,) = client.get("/api/v1/devices", headers=it).json()
    assert row["completeness"] == "all 1310 events received" and row["status"] == "ok"

    # The central restored from a backup of before 1101-1310 arrived: no seq gap shows the
    # loss, the kiosk's count of sent events does (and it never offers them again).
    with write_transaction(client.app.state.engine) as conn:
        conn.execute(
            update(outbox_progress)
            .where(outbox_progress.c.outbox_id == outbox)
            .values(received=1100, max_seq=1100)
        )
    (row,) = client.get("/api/v1/devices", headers=it).json()
    assert row["events"]["missing"] == 210
    assert row["completeness"].startswith(
        "210 events missing (seq after 1100, sent by the kiosk but not held here)"
    )


def test_a_migrated_outbox_counts_from_its_first_seq_and_a_new_one_is_no_false_alarm(
    client, enrolment
):
    device = {"Authorization": f"Bearer {enrolment['token']}"}
    migrated = str(uuid.uuid4())
    send(client, enrolment["token"], numbered(migrated, range(500, 510)))
    client.post(
        "/api/v1/heartbeat",
        headers=device,
        json=beat(outbox={"id": migrated, "first_seq": 500, "last_seq": 509}),
    )
    it = key(client, "it", ["kaleva"])
    assert client.get("/api/v1/devices", headers=it).json()[0]["completeness"] == (
        "all 10 events received"
    )
    client.post(  # the heartbeat says the central should hold seq 498 on
        "/api/v1/heartbeat",
        headers=device,
        json=beat(outbox={"id": migrated.upper(), "first_seq": 498, "last_seq": 509}),
    )
    (row,) = client.get("/api/v1/devices", headers=it).json()
    assert row["completeness"].startswith("2 events missing (seq 498-499)")
    replaced = str(uuid.uuid4())  # the outbox was replaced: seq starts at 1 again
    send(client, enrolment["token"], numbered(replaced, range(1, 4)))
    client.post(
        "/api/v1/heartbeat",
        headers=device,
        json=beat(outbox={"id": replaced, "first_seq": 1, "last_seq": 3}),
    )
    (row,) = client.get("/api/v1/devices", headers=it).json()
    assert row["completeness"] == "all 13 events received" and row["status"] == "ok"


def test_a_kiosk_that_sends_no_seq_has_no_completeness_line(client, enrolment):
    send(client, enrolment["token"], [feedback(2)])
    (row,) = client.get("/api/v1/devices", headers=key(client, "it", [])).json()
    assert row["completeness"] is None and row["events"] is None


def test_heartbeats_take_strict_json_types_and_plausible_times(client, enrolment):
    # Class 5 of issue 10 on the heartbeat: on main "3" was stored as a backlog, a Unix number
    # as the kiosk's clock, year 1 as a time, and a 100-digit number as free disk.
    device = {"Authorization": f"Bearer {enrolment['token']}"}
    for wrong in (
        {"backlog": "3"},
        {"backlog": True},
        {"quarantined": 1.0},
        {"free_disk_bytes": 10**100},
        {"device_clock": 1700000000},
        {"device_clock": "0001-01-01T00:00:00+01:00"},
        {"oldest_pending": "9999-12-31T23:59:59-12:00"},
        {"outbox": {"id": "x", "first_seq": "1", "last_seq": 0}},
        {"outbox": {"id": "x", "first_seq": 1, "last_seq": 2**40}},
        {
            "refused": {
                "status": "404",
                "error": "x",
                "at": datetime.now(UTC).isoformat(),
                "events": 1,
            }
        },
    ):
        answer = client.post("/api/v1/heartbeat", json=beat(**wrong), headers=device)
        assert answer.status_code == 422, wrong
        assert next(iter(wrong)) in answer.json()["detail"]
    # What the sync agent sends, a kiosk clock of 1970 included (a Pi without RTC), is taken.
    booted = beat(device_clock="1970-01-01T00:02:00+00:00", oldest_pending=None)
    assert client.post("/api/v1/heartbeat", json=booted, headers=device).status_code == 204


def test_events_that_reuse_a_seq_never_hide_a_missing_one(client, enrolment):
    # An outbox restored from a backup numbers new events again with seqs it used already. On
    # main each such event counted as one more received, so seq 1, 2, 3, 5 and a second 2 read
    # as "all 5 events received" while seq 4 never came.
    device = {"Authorization": f"Bearer {enrolment['token']}"}
    outbox = str(uuid.uuid4())
    assert (
        send(client, enrolment["token"], numbered(outbox, [1, 2, 3, 5, 2])).json()["accepted"] == 5
    )
    assert send(client, enrolment["token"], numbered(outbox, [3, 3])).json()["accepted"] == 2
    client.post(
        "/api/v1/heartbeat",
        headers=device,
        json=beat(outbox={"id": outbox, "first_seq": 1, "last_seq": 5}),
    )
    it = key(client, "it", ["kaleva"])
    (row,) = client.get("/api/v1/devices", headers=it).json()
    assert row["completeness"].startswith("1 event missing (seq 4), last seen ")
    assert row["events"]["received"] == 4 and row["events"]["missing"] == 1
    assert send(client, enrolment["token"], numbered(outbox, [4])).json()["accepted"] == 1
    (row,) = client.get("/api/v1/devices", headers=it).json()
    assert row["completeness"] == "all 5 events received" and row["status"] == "ok"


def test_a_kiosk_enrolled_again_with_its_outbox_is_no_false_alarm(client, enrolment):
    # Revoked and enrolled again, a kiosk keeps its outbox (the same outbox_id, seq going on).
    # On main the new device counted from the heartbeat's first_seq 1 without the events its
    # old device delivered: "10 events missing (seq 1-10)".
    outbox = str(uuid.uuid4())
    old = {"Authorization": f"Bearer {enrolment['token']}"}
    ahead = beat(outbox={"id": outbox, "first_seq": 1, "last_seq": 14})
    send(client, enrolment["token"], numbered(outbox, range(1, 11)))
    client.post("/api/v1/heartbeat", headers=old, json=ahead)
    with write_transaction(client.app.state.engine) as conn:
        revoke_device(conn, enrolment["device_id"])
    again = client.post("/api/v1/enroll", json={"code": make_code(client), "kiosk_id": "aula-1"})
    token = again.json()["token"]
    send(client, token, numbered(outbox, [11, 12, 14]))
    client.post("/api/v1/heartbeat", headers={"Authorization": f"Bearer {token}"}, json=ahead)
    it = key(client, "it", ["kaleva"])
    rows = {row["revoked"]: row for row in client.get("/api/v1/devices", headers=it).json()}
    assert rows[False]["completeness"].startswith("1 event missing (seq 13), last seen ")
    assert rows[False]["events"]["received"] == 13
    assert rows[True]["status"] == "revoked"
    # Another site's kiosk that sends the same outbox id fills no gap of this one.
    add_site(client, OTHER_SITE)
    other = client.post(
        "/api/v1/enroll", json={"code": make_code(client, "hervanta"), "kiosk_id": "aula-1"}
    ).json()
    send(client, other["token"], numbered(outbox, [13]))
    rows = {
        (row["site"], row["revoked"]): row
        for row in client.get("/api/v1/devices", headers=key(client, "admin", [])).json()
    }
    assert rows[("kaleva", False)]["completeness"].startswith("1 event missing (seq 13)")
    assert rows[("hervanta", False)]["completeness"] == "1 event received, none missing"


def test_the_devices_command_refuses_a_site_that_does_not_exist(client, enrolment, tmp_path):
    # Like `api-key create --site`: on main a typo answered "No kiosks enrolled yet".
    database = client.app.state.settings.database_url
    base = ["--data-dir", str(tmp_path), "--db", database, "devices"]
    shown = CliRunner().invoke(cli.main, [*base, "--site", "kalvea"])
    assert shown.exit_code == 1 and "No site 'kalvea'" in shown.output
    shown = CliRunner().invoke(cli.main, [*base, "--site", "kaleva"])
    assert shown.exit_code == 0 and "aula-1" in shown.output

"""Enrolment and ingest through the API, on SQLite and on PostgreSQL: duplicates, conflicts,
partly bad batches, oversized and non-gzip bodies, revoked devices, clock correction."""

from __future__ import annotations

import gzip
import json
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from central.enrollment import revoke_device
from central.tables import events
from sync.protocol import MAX_EVENTS, encode_batch
from tests.central.conftest import add_site, feedback, make_code


def send(
    client,
    token: str,
    items: list[dict],
    *,
    boot_id: str = "boot-1",
    monotonic_ms: int = 10_000,
    sent_at: datetime | None = None,
):
    body = encode_batch(
        items,
        batch_id=str(uuid.uuid4()),
        sent_at=sent_at or datetime.now(UTC),
        boot_id=boot_id,
        monotonic_ms=monotonic_ms,
    )
    return client.post(
        "/api/v1/events",
        content=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/gzip"},
    )


def stored(client) -> dict[str, dict]:
    with client.app.state.engine.connect() as conn:
        return {row.id: row._asdict() for row in conn.execute(select(events))}


def test_enrolment_gives_a_token_and_the_kiosks_own_config(client):
    add_site(client)
    first = client.post("/api/v1/enroll", json={"code": make_code(client), "kiosk_id": "aula-1"})
    second = client.post("/api/v1/enroll", json={"code": make_code(client), "kiosk_id": "aula-2"})
    assert first.status_code == second.status_code == 200
    one, two = first.json(), second.json()
    assert len(one["token"]) >= 43 and one["token"] != two["token"]
    assert one["config"]["kiosk"] == {
        "site": "kaleva",
        "kiosk_id": "aula-1",
        "timezone": "Europe/Helsinki",
        "station_name": {
            "fi": "Kalevan terveysasema",
            "sv": "Kalevas hälsostation",
            "en": "Kaleva Health Station",
        },
    }
    ranges = [p["range"] for p in one["config"]["service_points"]]
    assert ranges[0] == [1, 100]
    assert two["config"]["service_points"][0]["range"] == [101, 200]  # never overlapping


def test_an_enrolment_code_works_once(client):
    add_site(client)
    code = make_code(client)
    assert client.post("/api/v1/enroll", json={"code": code, "kiosk_id": "a"}).status_code == 200
    again = client.post("/api/v1/enroll", json={"code": code, "kiosk_id": "b"})
    assert again.status_code == 400
    assert again.headers["content-type"] == "application/problem+json"
    assert "used already" in again.json()["detail"]
    unknown = client.post("/api/v1/enroll", json={"code": "AAAA-BBBB-CCCC", "kiosk_id": "c"})
    assert unknown.status_code == 400 and "Unknown" in unknown.json()["detail"]


def test_a_batch_is_stored_once_however_often_it_is_sent(client, kiosk):
    items = [feedback(r, monotonic_ms=1000 + r) for r in (1, 2, 3, 4)]
    first = send(client, kiosk["token"], items)
    assert first.status_code == 200, first.text
    assert first.json() == {"accepted": 4, "duplicates": 0, "conflicts": [], "rejected": []}
    again = send(client, kiosk["token"], items)  # the answer was lost: the agent sends again
    assert again.json() == {"accepted": 0, "duplicates": 4, "conflicts": [], "rejected": []}
    assert len(stored(client)) == 4


def test_same_id_with_other_content_is_a_conflict_and_never_overwrites(client, kiosk):
    original = feedback(4, comment="Hyvä")
    send(client, kiosk["token"], [original])
    changed = {**original, "comment": "Muutettu"}
    answer = send(client, kiosk["token"], [changed, feedback(3)]).json()
    assert answer["conflicts"] == [original["id"]] and answer["accepted"] == 1
    assert json.loads(stored(client)[original["id"]]["content"])["comment"] == "Hyvä"


def test_bad_events_are_rejected_with_their_reason_and_the_rest_stored(client, kiosk):
    good = feedback(2)
    bad_rating = feedback(5)
    unknown_point = feedback(3, service_point="ei-ole")
    no_id = {k: v for k, v in feedback(1).items() if k != "id"}
    answer = send(client, kiosk["token"], [good, bad_rating, unknown_point, no_id]).json()
    assert answer["accepted"] == 1
    errors = {r["id"]: r["error"] for r in answer["rejected"]}
    assert "less than or equal to 4" in errors[bad_rating["id"]]
    assert "ei-ole" in errors[unknown_point["id"]]
    assert "id" in errors[""]
    assert list(stored(client)) == [good["id"]]


def test_a_body_that_is_not_gzip_or_too_large_is_refused(client, kiosk):
    auth = {"Authorization": f"Bearer {kiosk['token']}"}
    plain = client.post("/api/v1/events", content=b'{"events": []}', headers=auth)
    assert plain.status_code == 422 and "gzip" in plain.json()["detail"]
    envelope = client.post("/api/v1/events", content=gzip.compress(b'{"events": []}'), headers=auth)
    assert envelope.status_code == 422 and "batch_id" in envelope.json()["detail"]
    huge = client.post("/api/v1/events", content=b"x" * (1024 * 1024 + 1), headers=auth)
    assert huge.status_code == 413
    too_many = [feedback() for _ in range(MAX_EVENTS + 1)]
    body = gzip.compress(
        json.dumps(
            {
                "batch_id": str(uuid.uuid4()),
                "sent_at": datetime.now(UTC).isoformat(),
                "boot_id": "b",
                "monotonic_ms": 1,
                "events": too_many,
            }
        ).encode()
    )
    answer = client.post("/api/v1/events", content=body, headers=auth)
    assert answer.status_code == 422 and "at most 1000" in answer.json()["detail"]
    assert stored(client) == {}


def test_unknown_and_revoked_devices_are_refused_and_nothing_is_stored(client, kiosk):
    assert send(client, "not-a-token", [feedback()]).status_code == 401
    assert client.post("/api/v1/events", content=b"").status_code == 401
    with client.app.state.engine.begin() as conn:
        revoke_device(conn, kiosk["device_id"])
    refused = send(client, kiosk["token"], [feedback()])
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
    assert stored(client) == {}


def test_clock_correction_by_the_monotonic_clock_of_the_same_boot(client, kiosk):
    # The Pi booted believing it is 2001; the event happened 60 s before the batch was sent.
    wrong = datetime(2001, 1, 1, tzinfo=UTC)
    this_boot = feedback(4, boot_id="boot-7", monotonic_ms=40_000, occurred_at=wrong.isoformat())
    earlier_boot = feedback(3, boot_id="boot-6", monotonic_ms=5, occurred_at=wrong.isoformat())
    fine_earlier = feedback(2, boot_id="boot-6", monotonic_ms=6)
    before = datetime.now(UTC)
    send(
        client,
        kiosk["token"],
        [this_boot, earlier_boot, fine_earlier],
        boot_id="boot-7",
        monotonic_ms=100_000,
        sent_at=wrong + timedelta(seconds=60),
    )
    rows = stored(client)

    def aware(moment: datetime) -> datetime:
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    corrected = aware(rows[this_boot["id"]]["corrected_at"])
    assert abs(corrected - (before - timedelta(seconds=60))) < timedelta(seconds=10)
    assert rows[this_boot["id"]]["clock_suspect"] is True  # its own clock was wrong: flagged
    assert aware(rows[earlier_boot["id"]]["corrected_at"]) == wrong  # not moved ...
    assert rows[earlier_boot["id"]]["clock_suspect"] is True  # ... but flagged
    assert rows[fine_earlier["id"]]["clock_suspect"] is False


def test_health_and_openapi(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    spec = client.get("/openapi.json").json()
    assert {"/api/v1/events", "/api/v1/enroll", "/healthz"} <= set(spec["paths"])


def test_a_busy_central_answers_503_with_retry_after(tmp_path):
    from fastapi.testclient import TestClient

    from central.app import create_app
    from central.settings import Settings
    from tests.central.conftest import add_site

    busy = Settings(data_dir=tmp_path, max_concurrent_ingests=0)  # no writer ever free
    with TestClient(create_app(busy)) as client:
        add_site(client)
        enrolled = client.post(
            "/api/v1/enroll", json={"code": make_code(client), "kiosk_id": "aula-1"}
        ).json()
        answer = send(client, enrolled["token"], [feedback()])
        assert answer.status_code == 503
        assert answer.headers["retry-after"] == "5"
        assert stored(client) == {}


def test_one_code_enrols_one_kiosk_even_when_two_try_at_once(client):
    import threading

    from central.db import writing
    from central.enrollment import EnrollmentError, enroll

    add_site(client)
    code, outcomes = make_code(client), []
    barrier = threading.Barrier(4)

    def attempt(name: str) -> None:
        barrier.wait()
        try:
            with writing(client.app.state.engine) as conn, conn.begin():
                enroll(conn, code, name)
            outcomes.append("enrolled")
        except EnrollmentError as err:
            outcomes.append(str(err))

    threads = [threading.Thread(target=attempt, args=(f"aula-{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("enrolled") == 1
    assert all("used already" in o for o in outcomes if o != "enrolled")


def test_the_kiosks_own_time_is_kept_as_the_same_instant_whatever_its_offset(client, kiosk):
    item = feedback(3, boot_id="old", occurred_at="2026-11-23T10:15:00+02:00")
    send(client, kiosk["token"], [item])
    occurred = stored(client)[item["id"]]["occurred_at"]
    occurred = occurred if occurred.tzinfo else occurred.replace(tzinfo=UTC)
    assert occurred == datetime(2026, 11, 23, 8, 15, tzinfo=UTC)

"""Enrolment and ingest through the API, on SQLite and on PostgreSQL: duplicates, conflicts,
partly bad batches, oversized and non-gzip bodies, revoked devices, clock correction."""

from __future__ import annotations

import gzip
import json
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from central import cli
from central.access import create_api_key
from central.db import write_transaction
from central.enrollment import revoke_device
from central.site_store import load_site
from central.tables import events, outbox_progress
from sync.protocol import MAX_EVENTS, canonical, parse_event
from tests.support.central import add_site, make_code, rollup_total, send, stored
from tests.support.events import feedback
from tests.support.paths import EXAMPLE_SITE


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


def test_a_batch_is_stored_once_however_often_it_is_sent(client, enrolment):
    items = [feedback(r, monotonic_ms=1000 + r) for r in (1, 2, 3, 4)]
    first = send(client, enrolment["token"], items)
    assert first.status_code == 200, first.text
    assert first.json() == {"accepted": 4, "duplicates": 0, "conflicts": [], "rejected": []}
    again = send(client, enrolment["token"], items)  # the answer was lost: the agent sends again
    assert again.json() == {"accepted": 0, "duplicates": 4, "conflicts": [], "rejected": []}
    assert len(stored(client)) == 4


def test_same_id_with_other_content_is_a_conflict_and_never_overwrites(client, enrolment):
    original = feedback(4, comment="Hyvä")
    send(client, enrolment["token"], [original])
    changed = {**original, "comment": "Muutettu"}
    answer = send(client, enrolment["token"], [changed, feedback(3)]).json()
    assert answer["conflicts"] == [original["id"]] and answer["accepted"] == 1
    assert json.loads(stored(client)[original["id"]]["content"])["comment"] == "Hyvä"


def test_bad_events_are_rejected_with_their_reason_and_the_rest_stored(client, enrolment):
    good = feedback(2)
    bad_rating = feedback(5)
    no_id = {k: v for k, v in feedback(1).items() if k != "id"}
    answer = send(client, enrolment["token"], [good, bad_rating, no_id]).json()
    assert answer["accepted"] == 1
    errors = {r["id"]: r["error"] for r in answer["rejected"]}
    assert "less than or equal to 4" in errors[bad_rating["id"]]
    assert "id" in errors[""]
    assert list(stored(client)) == [good["id"]]


def test_a_body_that_is_not_gzip_or_too_large_is_refused(client, enrolment):
    auth = {"Authorization": f"Bearer {enrolment['token']}"}
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


def test_unknown_and_revoked_devices_are_refused_and_nothing_is_stored(client, enrolment):
    assert send(client, "not-a-token", [feedback()]).status_code == 401
    assert client.post("/api/v1/events", content=b"").status_code == 401
    with write_transaction(client.app.state.engine) as conn:
        revoke_device(conn, enrolment["device_id"])
    refused = send(client, enrolment["token"], [feedback()])
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
    assert stored(client) == {}


def test_clock_correction_by_the_monotonic_clock_of_the_same_boot(client, enrolment):
    # The Pi booted believing it is 2001; the event happened 60 s before the batch was sent.
    wrong = datetime(2001, 1, 1, tzinfo=UTC)
    this_boot = feedback(4, boot_id="boot-7", monotonic_ms=40_000, occurred_at=wrong.isoformat())
    earlier_boot = feedback(3, boot_id="boot-6", monotonic_ms=5, occurred_at=wrong.isoformat())
    fine_earlier = feedback(2, boot_id="boot-6", monotonic_ms=6)
    before = datetime.now(UTC)
    send(
        client,
        enrolment["token"],
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


def test_a_busy_central_answers_429_with_retry_after(tmp_path):
    from fastapi.testclient import TestClient

    from central.app import create_app
    from central.settings import Settings
    from tests.support.central import add_site

    busy = Settings(data_dir=tmp_path, max_concurrent_ingests=0)  # no writer ever free
    with TestClient(create_app(busy)) as client:
        add_site(client)
        enrolled = client.post(
            "/api/v1/enroll", json={"code": make_code(client), "kiosk_id": "aula-1"}
        ).json()
        answer = send(client, enrolled["token"], [feedback()])
        assert answer.status_code == 429
        assert answer.headers["retry-after"] == "5"
        assert "nothing of it was stored" in answer.json()["detail"]
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


def test_the_kiosks_own_time_is_kept_as_the_same_instant_whatever_its_offset(client, enrolment):
    item = feedback(3, boot_id="old", occurred_at="2026-11-23T10:15:00+02:00")
    send(client, enrolment["token"], [item])
    occurred = stored(client)[item["id"]]["occurred_at"]
    occurred = occurred if occurred.tzinfo else occurred.replace(tzinfo=UTC)
    assert occurred == datetime(2026, 11, 23, 8, 15, tzinfo=UTC)


def manager_key(client) -> dict[str, str]:
    with write_transaction(client.app.state.engine) as conn:
        value, _ = create_api_key(conn, "manager", ["kaleva"])
    return {"Authorization": f"Bearer {value}"}


def test_events_no_database_could_store_are_rejected_and_the_rest_stored(client, enrolment):
    # Class 1: values at the edge of the calendar, a NUL or half a surrogate pair in a comment,
    # a seq over the database's integer: each is rejected with its reason, never a 500.
    good = [feedback(3), feedback(4, comment="Hyvä\tpalvelu\nkiitos")]
    bad = [
        feedback(1, occurred_at="9999-12-31T23:59:59+00:00", boot_id="old"),
        feedback(1, occurred_at="0001-01-01T00:00:00+00:00", boot_id="old"),
        feedback(2, comment="nul\x00merkki"),
        feedback(2, comment="puolikas \ud83d"),
        feedback(2, outbox_id=str(uuid.uuid4()), seq=2**31),
        feedback(2, monotonic_ms=10**20),
    ]
    answer = send(client, enrolment["token"], [*bad, *good])
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["accepted"] == 2
    assert sorted(r["id"] for r in result["rejected"]) == sorted(e["id"] for e in bad)
    assert all(r["error"] for r in result["rejected"])
    assert sorted(stored(client)) == sorted(e["id"] for e in good)
    assert rollup_total(client) == 2


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"rating": True}, "rating: Input should be a valid integer, not true or false"),
        ({"rating": "3"}, "rating: Input should be a valid integer, not a string"),
        ({"misuse": "yes"}, "misuse: Input should be a valid boolean, not a string"),
        ({"occurred_at": 1764000000}, "occurred_at: Input should be an ISO 8601 text"),
        ({"language": "xx"}, "language: Input should be a known language"),
    ],
)
def test_lax_types_are_rejected_per_event(client, enrolment, change, says):
    lax = {**feedback(3), **change}
    result = send(client, enrolment["token"], [lax, feedback(2)]).json()
    assert result["accepted"] == 1
    ((rejected),) = result["rejected"]
    assert rejected["id"] == lax["id"] and rejected["error"].startswith(says)


def _gzip_body(text: str) -> bytes:
    return gzip.compress(text.encode())


@pytest.mark.parametrize(
    "body",
    [
        "[" * 50_000 + "]" * 50_000,
        '{"batch_id": "x", "events": [{"rating": ' + "4" * 5000 + "}]}",
        '{"events": [{"rating": NaN}]}',
    ],
    ids=["deeply-nested", "5000-digits", "nan"],
)
def test_bodies_python_cannot_read_answer_422(client, enrolment, body):
    answer = client.post(
        "/api/v1/events",
        content=_gzip_body(body),
        headers={"Authorization": f"Bearer {enrolment['token']}"},
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"]


def site_without(*ids: str) -> str:
    """The example site file without its [[...]] tables of these ids."""
    head, *tables = EXAMPLE_SITE.read_text(encoding="utf-8").split("\n[[")
    kept = [t for t in tables if not any(f'id = "{i}"' in t for i in ids)]
    return "\n[[".join([head, *kept])


def test_a_checkin_at_a_service_point_the_site_removed_is_accepted_and_reported(
    client, enrolment, tmp_path
):
    # Class 2: recorded offline at the dental clinic; the site file was changed meanwhile.
    site_file = tmp_path / "kaleva.toml"
    site_file.write_text(site_without("suun-terveydenhuolto", "friendly-staff"), encoding="utf-8")
    database = client.app.state.settings.database_url
    added = CliRunner().invoke(
        cli.main, ["--data-dir", str(tmp_path), "--db", database, "site", "add", str(site_file)]
    )
    assert added.exit_code == 0, added.output
    with client.app.state.engine.connect() as conn:
        site = load_site(conn, "kaleva")
    assert site.service_point_state("suun-terveydenhuolto") == "retired"
    assert site.reason("friendly-staff")[1] == "retired"
    now = datetime.now(UTC)
    offline = {
        **feedback(1, boot_id="old"),
        "type": "checkin",
        "service_point": "suun-terveydenhuolto",
        "ticket": "S012",
        "method": "touch",
        "printed": True,
        "occurred_at": (now - timedelta(hours=2)).isoformat(),
    }
    for name in ("rating", "reason", "comment", "misuse"):
        del offline[name]
    retired_reason = feedback(4, reason="friendly-staff", boot_id="old")
    result = send(client, enrolment["token"], [offline, retired_reason]).json()
    assert result == {"accepted": 2, "duplicates": 0, "conflicts": [], "rejected": []}
    rows = stored(client)
    assert rows[offline["id"]]["flag"] is None and rows[retired_reason["id"]]["flag"] is None

    manager = manager_key(client)
    today = now.astimezone(ZoneInfo("Europe/Helsinki")).date()
    period = {"from": (today - timedelta(days=1)).isoformat(), "to": today.isoformat()}
    report = client.get(
        "/api/v1/reports/checkins",
        params={"site": "kaleva", "by": "service-point", **period},
        headers=manager,
    )
    assert report.status_code == 200, report.text
    assert "suun-terveydenhuolto" in report.text


def test_service_points_and_reasons_the_site_never_had_are_stored_and_flagged(client, enrolment):
    unknown_point = feedback(3, service_point="ei-ole")
    unknown_reason = feedback(2, reason="parking")
    wrong_rating = feedback(4, reason="waiting-time")  # offered for ratings 1 and 2 only
    fine = feedback(1, reason="waiting-time", service_point="laboratorio")
    result = send(client, enrolment["token"], [unknown_point, unknown_reason, wrong_rating, fine])
    assert result.json()["accepted"] == 4
    flags = {key: row["flag"] for key, row in stored(client).items()}
    assert flags == {
        unknown_point["id"]: "service-point-unknown",
        unknown_reason["id"]: "reason-unknown",
        wrong_rating["id"]: "reason-not-for-rating",
        fine["id"]: None,
    }
    assert rollup_total(client) == 4  # counted as usual; reports label their state
    today = datetime.now(UTC).astimezone(ZoneInfo("Europe/Helsinki")).date()
    report = client.get(
        "/api/v1/reports/feedback",
        params={"site": "kaleva", "from": (today - timedelta(days=1)).isoformat(), "to": today},
        headers=manager_key(client),
    ).json()
    assert {r["reason"]: r for r in report["top_reasons"]} == {
        "waiting-time": {
            "reason": "waiting-time",
            "count": 2,
            "state": "active",
            "not_offered_for_rating": 1,
        },
        "parking": {
            "reason": "parking",
            "count": 1,
            "state": "unknown",
            "not_offered_for_rating": 0,
        },
    }


def test_comments_are_redacted_again_at_ingest_and_a_resend_is_a_duplicate(client, enrolment):
    # Class 6: an older kiosk's rule let a phone number and a henkilötunnus through.
    leaky = feedback(1, comment="Soita 0401234567 tai hetu 131052-308T")
    first = send(client, enrolment["token"], [leaky]).json()
    assert first["accepted"] == 1
    row = stored(client)[leaky["id"]]
    for text in (row["comment"], row["content"]):
        assert "0401234567" not in text and "131052-308T" not in text
    assert "[PHONE]" in row["comment"] and "[HETU]" in row["comment"]
    again = send(client, enrolment["token"], [leaky]).json()
    assert again == {"accepted": 0, "duplicates": 1, "conflicts": [], "rejected": []}


def test_an_event_stored_unredacted_by_an_earlier_central_is_still_a_duplicate(client, enrolment):
    leaky = feedback(1, comment="Soita 0401234567")
    canonical_then = canonical(parse_event(leaky))  # what the central stored before redacting
    send(client, enrolment["token"], [feedback(2)])
    with write_transaction(client.app.state.engine) as conn:
        conn.execute(
            events.insert().values(
                {
                    **stored(client).popitem()[1],
                    "id": leaky["id"],
                    "content": canonical_then,
                    "comment": leaky["comment"],
                }
            )
        )
    answer = send(client, enrolment["token"], [leaky]).json()
    assert answer == {"accepted": 0, "duplicates": 1, "conflicts": [], "rejected": []}
    changed = {**leaky, "comment": "Soita 0409999999 huomenna"}
    assert send(client, enrolment["token"], [changed]).json()["conflicts"] == [leaky["id"]]


def numbered(outbox: str, seq: int, **extra) -> dict:
    return {**feedback(3, **extra), "outbox_id": outbox, "seq": seq}


def progress(client) -> dict[str, tuple[int, int, int]]:
    with client.app.state.engine.connect() as conn:
        return {
            row.outbox_id: (row.received, row.min_seq, row.max_seq)
            for row in conn.execute(select(outbox_progress))
        }


def test_outbox_id_and_seq_are_stored_and_counted_once(client, enrolment):
    outbox = str(uuid.uuid4())
    first = [numbered(outbox, seq) for seq in (1, 2, 3, 5)]
    assert send(client, enrolment["token"], first).json()["accepted"] == 4
    rows = stored(client)
    assert sorted((r["outbox_id"], r["seq"]) for r in rows.values()) == [
        (outbox, 1),
        (outbox, 2),
        (outbox, 3),
        (outbox, 5),
    ]
    assert progress(client) == {outbox: (4, 1, 5)}
    again = send(client, enrolment["token"], [first[0], numbered(outbox, 4)]).json()
    assert again["accepted"] == 1 and again["duplicates"] == 1
    assert progress(client) == {outbox: (5, 1, 5)}  # the resent one is not counted twice
    older_kiosk = send(client, enrolment["token"], [feedback(2)]).json()
    assert older_kiosk["accepted"] == 1 and progress(client) == {outbox: (5, 1, 5)}


def test_an_event_first_sent_without_seq_is_counted_when_it_comes_with_one(client, enrolment):
    # Sent by the agent before its upgrade, the answer lost, sent again after it.
    outbox = str(uuid.uuid4())
    plain = feedback(2)
    assert send(client, enrolment["token"], [plain]).json()["accepted"] == 1
    again = send(client, enrolment["token"], [{**plain, "outbox_id": outbox, "seq": 1}]).json()
    assert again == {"accepted": 0, "duplicates": 1, "conflicts": [], "rejected": []}
    assert stored(client)[plain["id"]]["seq"] == 1
    assert progress(client) == {outbox: (1, 1, 1)}
    send(client, enrolment["token"], [{**plain, "outbox_id": outbox, "seq": 1}])
    assert progress(client) == {outbox: (1, 1, 1)}


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def test_a_batch_held_by_a_proxy_keeps_its_events_times_and_flags_no_correct_clock(
    client, enrolment
):
    built = datetime.now(UTC) - timedelta(seconds=400)
    happened = built - timedelta(seconds=60)
    item = feedback(4, boot_id="boot-7", monotonic_ms=40_000, occurred_at=happened.isoformat())
    send(client, enrolment["token"], [item], boot_id="boot-7", monotonic_ms=100_000, sent_at=built)
    row = stored(client)[item["id"]]
    assert aware(row["corrected_at"]) == happened
    assert row["clock_suspect"] is False and row["flag"] is None


def test_implausible_times_that_could_not_be_corrected_are_kept_out_of_the_rollups(
    client, enrolment
):
    in_1970 = feedback(1, boot_id="boot-6", occurred_at="1970-01-01T00:00:00+00:00")
    in_2100 = feedback(2, boot_id="boot-6", occurred_at="2100-01-01T00:00:00+00:00")
    later_than_batch = feedback(
        3, boot_id="boot-7", monotonic_ms=200_000, occurred_at="1980-05-05T00:00:00+00:00"
    )
    fine = feedback(4, boot_id="boot-6")
    items = [in_1970, in_2100, later_than_batch, fine]
    result = send(client, enrolment["token"], items, boot_id="boot-7", monotonic_ms=100_000).json()
    assert result["accepted"] == 4
    rows = stored(client)
    for item in (in_1970, in_2100, later_than_batch):
        assert rows[item["id"]]["flag"] == "time-implausible"
        assert rows[item["id"]]["clock_suspect"] is True
    assert rows[fine["id"]]["flag"] is None
    assert rollup_total(client) == 1

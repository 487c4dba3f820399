"""Enrolment on SQLite and PostgreSQL: one live holder per ticket-number block even when kiosks of
one site enrol at once, blocks freed by revocation, a clear answer when a site is full, and a
limit on failed enrolments per client address and per site that holds across restarts."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, select, text, update

from central.app import create_app
from central.db import in_write_transaction, make_engine, upgrade, write_transaction
from central.enrollment import (
    EnrollmentError,
    NoFreeSlotError,
    TooManyFailuresError,
    create_enroll_code,
    enroll,
    enroll_limited,
    revoke_device,
)
from central.limits import FailureLimit, wait_in_words
from central.settings import Settings
from central.site_store import save_site
from central.sites import lowest_free_slot, parse_site
from tests.support.central import add_site, make_code
from tests.support.paths import EXAMPLE_SITE

TTL = timedelta(hours=24)
GENEROUS = FailureLimit(1000, timedelta(minutes=15))
SLOTS = 9  # the example site: numbers_per_kiosk = 100 of 999


@pytest.fixture
def engine(db_url: str):
    engine = make_engine(db_url)
    upgrade(engine)
    with write_transaction(engine) as conn:
        save_site(conn, parse_site(EXAMPLE_SITE.read_text(encoding="utf-8")))
    yield engine
    engine.dispose()


def codes(engine, n: int, site: str = "kaleva") -> list[str]:
    with write_transaction(engine) as conn:
        return [create_enroll_code(conn, site, TTL) for _ in range(n)]


def live_slots(engine) -> list[int]:
    from central.tables import devices

    query = select(devices.c.range_slot).where(devices.c.revoked_at.is_(None))
    with engine.connect() as conn:
        return sorted(conn.execute(query).scalars())


def limited(engine, code: str, kiosk_id: str, address: str = "10.0.0.1", **limits):
    return enroll_limited(
        engine,
        code,
        kiosk_id,
        address=address,
        per_address=limits.get("per_address", GENEROUS),
        per_site=limits.get("per_site", GENEROUS),
        now=limits.get("now"),
    )


def test_twenty_kiosks_of_one_site_enrolling_at_once_get_distinct_blocks(engine):
    # On main every one of them counted the same devices and took the same block.
    all_codes = codes(engine, 20)
    start = threading.Barrier(20)

    def one(n: int):
        start.wait()
        try:
            return limited(engine, all_codes[n], f"aula-{n}", address=f"10.0.0.{n}")
        except NoFreeSlotError as err:
            return err

    with ThreadPoolExecutor(20) as pool:
        outcomes = list(pool.map(one, range(20)))
    enrolled = [o for o in outcomes if not isinstance(o, Exception)]
    refused = [o for o in outcomes if isinstance(o, NoFreeSlotError)]
    assert len(enrolled) == SLOTS and len(refused) == 20 - SLOTS
    assert live_slots(engine) == list(range(SLOTS))
    ranges = sorted(tuple(e.config["service_points"][0]["range"]) for e in enrolled)
    assert ranges == [(1 + 100 * s, 100 * (s + 1)) for s in range(SLOTS)]
    assert "revoke a kiosk that is gone" in str(refused[0])
    # A refused kiosk's code is still unused: after a revocation it enrols with it.
    leftover = all_codes[outcomes.index(refused[0])]
    with write_transaction(engine) as conn:
        revoke_device(conn, enrolled[4].device_id)
    again = limited(engine, leftover, "aula-late")
    assert (
        again.config["service_points"][0]["range"]
        == enrolled[4].config["service_points"][0]["range"]
    )
    assert live_slots(engine) == list(range(SLOTS))


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)  # SQLite lets one in at a time
def test_a_block_taken_by_a_concurrent_enrolment_makes_it_take_the_next(engine, db_url):
    """The constraint, not the read, decides: a transaction that chose block 0 while another
    one held it uncommitted is refused by the unique index and takes block 1."""
    from central.tables import devices

    (code,) = codes(engine, 1)
    rival = engine.connect()
    rival.begin()
    rival.execute(
        insert(devices).values(
            id="rival",
            site_id="kaleva",
            kiosk_id="rival",
            token_hash="rival",
            range_slot=0,
            enrolled_at=datetime.now(UTC),
        )
    )
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(in_write_transaction, engine, lambda c: enroll(c, code, "aula-1"))
        with engine.connect() as watcher:  # wait until it is blocked on the rival's row
            waiting = text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            while not watcher.execute(waiting).scalar() and not pending.done():
                watcher.rollback()
        rival.commit()
        enrolled = pending.result()
    rival.close()
    assert enrolled.config["service_points"][0]["range"] == [101, 200]
    assert live_slots(engine) == [0, 1]


def test_a_full_site_answers_409_and_a_revoked_kiosks_block_is_reused(client):
    add_site(client)
    answers = [
        client.post("/api/v1/enroll", json={"code": make_code(client), "kiosk_id": f"k-{n}"})
        for n in range(SLOTS)
    ]
    assert [a.status_code for a in answers] == [200] * SLOTS
    code = make_code(client)
    full = client.post("/api/v1/enroll", json={"code": code, "kiosk_id": "k-10"})
    assert full.status_code == 409, full.text
    assert "blocks for 9 kiosks" in full.json()["detail"]
    assert "hymy-central device revoke" in full.json()["detail"]
    third = answers[2].json()
    with write_transaction(client.app.state.engine) as conn:
        revoke_device(conn, third["device_id"])
    tenth = client.post("/api/v1/enroll", json={"code": code, "kiosk_id": "k-10"})
    assert tenth.status_code == 200, tenth.text
    assert tenth.json()["config"]["service_points"] == third["config"]["service_points"]


def test_a_kiosk_beyond_smaller_blocks_gets_a_clear_config_answer(client, enrolment):
    from central.tables import devices

    with write_transaction(client.app.state.engine) as conn:
        conn.execute(update(devices).values(range_slot=8))
    add_site(
        client,
        EXAMPLE_SITE.read_text().replace("numbers_per_kiosk = 100", "numbers_per_kiosk = 200"),
    )
    answer = client.get("/api/v1/config", headers={"Authorization": f"Bearer {enrolment['token']}"})
    assert answer.status_code == 409
    assert "numbers_per_kiosk" in answer.json()["detail"]


def test_failed_enrolments_from_one_address_are_limited_and_logged(db_url, tmp_path, caplog):
    settings = Settings(data_dir=tmp_path, db_url=db_url)
    guesses = [f"GUES-S{n:03d}-CODE" for n in range(11)]
    caplog.set_level(logging.INFO, logger="central.enrollment")
    with TestClient(create_app(settings), client=("192.0.2.7", 5000)) as client:
        add_site(client)
        good = make_code(client)
        for guess in guesses[:10]:
            answer = client.post("/api/v1/enroll", json={"code": guess, "kiosk_id": "aula-1"})
            assert answer.status_code == 400 and "Unknown" in answer.json()["detail"]
        blocked = client.post("/api/v1/enroll", json={"code": guesses[10], "kiosk_id": "aula-1"})
        assert blocked.status_code == 429, blocked.text
        assert 1 <= int(blocked.headers["retry-after"]) <= 15 * 60
        assert "Too many failed enrolments" in blocked.json()["detail"]
        # While blocked, not even a good code is looked at: a guess would tell the same.
        assert (
            client.post("/api/v1/enroll", json={"code": good, "kiosk_id": "aula-1"}).status_code
            == 429
        )
    with TestClient(create_app(settings), client=("192.0.2.7", 5000)) as restarted:
        again = restarted.post("/api/v1/enroll", json={"code": good, "kiosk_id": "aula-1"})
        assert again.status_code == 429  # the count is in the database, not in a process
    with TestClient(create_app(settings), client=("198.51.100.1", 5000)) as other:
        fine = other.post("/api/v1/enroll", json={"code": good, "kiosk_id": "aula-1"})
        assert fine.status_code == 200, fine.text
    failures = [r.getMessage() for r in caplog.records if "failed:" in r.getMessage()]
    assert len(failures) == 10
    assert failures[0] == "enrolment from 192.0.2.7 failed: unknown-code"
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert not any(guess in logged for guess in guesses) and good not in logged


def test_failures_age_out_and_successes_do_not_count(engine):
    per_address = FailureLimit(3, timedelta(minutes=15))
    now = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    good = codes(engine, 5)
    for n in range(3):
        limited(engine, good[n], f"aula-{n}", per_address=per_address, now=now)  # successes
    for minute in range(3):
        with pytest.raises(EnrollmentError) as failed:
            limited(
                engine,
                "AAAA-BBBB-CCCC",
                "x",
                per_address=per_address,
                now=now + timedelta(minutes=minute),
            )
        assert failed.value.reason == "unknown-code"
    with pytest.raises(TooManyFailuresError) as blocked:
        limited(engine, good[3], "aula-3", per_address=per_address, now=now + timedelta(minutes=5))
    assert blocked.value.retry_after == 10 * 60  # the first failure ages out at 08:15
    later = now + timedelta(minutes=15)
    assert limited(engine, good[3], "aula-3", per_address=per_address, now=later).site == "kaleva"


def test_failing_codes_of_one_site_are_limited_but_its_good_codes_still_enrol(engine):
    per_site = FailureLimit(4, timedelta(minutes=15))
    used, fresh = codes(engine, 2)
    limited(engine, used, "aula-1")
    for n in range(4):  # someone tries the used code from ever new addresses
        with pytest.raises(EnrollmentError) as failed:
            limited(engine, used, "x", address=f"203.0.113.{n}", per_site=per_site)
        assert failed.value.reason == "used-code" and failed.value.site_id == "kaleva"
    with pytest.raises(TooManyFailuresError) as blocked:
        limited(engine, used, "x", address="203.0.113.99", per_site=per_site)
    assert "site kaleva" in str(blocked.value)
    enrolled = limited(engine, fresh, "aula-2", address="203.0.113.100", per_site=per_site)
    assert enrolled.site == "kaleva"


def test_a_bad_kiosk_id_is_no_guess(engine):
    (code,) = codes(engine, 1)
    strict = FailureLimit(1, timedelta(minutes=15))
    for _ in range(3):
        with pytest.raises(EnrollmentError) as failed:
            limited(engine, code, "Not An Id", per_address=strict)
        assert failed.value.reason == "bad-kiosk-id"
    assert limited(engine, code, "aula-1", per_address=strict).site == "kaleva"


def test_lowest_free_slot():
    assert lowest_free_slot([], 9) == 0
    assert lowest_free_slot([0, 1, 3], 9) == 2
    assert lowest_free_slot(range(9), 9) is None
    assert lowest_free_slot([0, 1, 2, 7, 8], 3) is None  # blocks made fewer later


def test_failure_limit_retry_after():
    limit = FailureLimit(2, timedelta(minutes=10))
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert limit.retry_after([], now) is None
    assert limit.retry_after([now - timedelta(minutes=1)], now) is None
    two = [now - timedelta(minutes=8), now - timedelta(minutes=1)]
    assert limit.retry_after(two, now) == 120
    three = [*two, now]
    assert limit.retry_after(three, now) == 9 * 60  # two must age out
    assert limit.retry_after([now - timedelta(minutes=11)] * 5, now) is None
    assert wait_in_words(1) == "1 second" and wait_in_words(119) == "119 seconds"
    assert wait_in_words(900) == "15 minutes" and wait_in_words(601) == "11 minutes"

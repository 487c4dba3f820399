"""Retention at the central on SQLite and PostgreSQL, with events of known ages sent through
the real ingest path: comments deleted after their days (the rating kept), raw events after
their months (rollups and completeness kept), a deleted event sent again refused and never
counted twice, `comment delete` for a data-subject request, and serve's daily run."""

from __future__ import annotations

import json
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner, Result
from fastapi.testclient import TestClient
from sqlalchemy import select

from central import cli, retention
from central.app import create_app
from central.fleet import fleet
from central.retention import Policy, months_before
from central.settings import Settings
from central.tables import events, retention_horizons
from tests.support.central import rollup_total, send, stored
from tests.support.events import feedback

OUTBOX = str(uuid.uuid4())
KEEP_ALL = Policy(comment_days=0, event_months=0)


def cli_run(client, *args: str, env: dict[str, str] | None = None) -> Result:
    settings = client.app.state.settings
    return CliRunner().invoke(
        cli.main, ["--db", settings.db_url, "--data-dir", str(settings.data_dir), *args], env=env
    )


def aged(months: float = 0, days: float = 0, seq: int | None = None, **extra) -> dict:
    """A feedback event that happened this long ago (another boot than the batch's, so its own
    clock is taken as it is), numbered in OUTBOX when seq is given."""
    at = months_before(datetime.now(UTC), int(months)) - timedelta(days=days)
    numbered = {"outbox_id": OUTBOX, "seq": seq} if seq is not None else {}
    return feedback(3, boot_id="earlier", occurred_at=at.isoformat(), **numbered, **extra)


def completeness(client) -> str:
    with client.app.state.engine.connect() as conn:
        (kiosk,) = fleet(conn)
    assert kiosk.completeness is not None
    return kiosk.completeness.words()


def test_old_raw_events_are_deleted_their_rollups_kept_and_a_resend_is_refused(client, enrolment):
    old, older, recent = aged(months=26, seq=1), aged(months=30, seq=2), aged(months=1, seq=3)
    assert send(client, enrolment["token"], [old, older, recent]).json()["accepted"] == 3
    assert rollup_total(client) == 3 and completeness(client) == "all 3 events received"

    dry = cli_run(client, "retention", "run", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "raw events: would delete 2 (from before" in dry.output
    assert len(stored(client)) == 3  # a dry run deletes nothing

    done = cli_run(client, "retention", "run")
    assert done.exit_code == 0, done.output
    assert "raw events: deleted 2 (from before" in done.output and "rollups stay" in done.output
    assert set(stored(client)) == {recent["id"]}
    assert rollup_total(client) == 3  # the rollups are kept for ever
    assert completeness(client) == "all 3 events received"

    again = send(client, enrolment["token"], [old, recent]).json()
    assert again["accepted"] == 0 and again["duplicates"] == 1 and again["conflicts"] == []
    assert [r["id"] for r in again["rejected"]] == [old["id"]]
    assert "older than the central keeps events" in again["rejected"][0]["error"]
    assert rollup_total(client) == 3  # never counted twice
    assert completeness(client) == "all 3 events received"
    assert "raw events: deleted 0" in cli_run(client, "retention", "run").output  # idempotent


def test_an_old_event_its_wrong_clock_kept_is_still_a_duplicate(client, enrolment):
    """Its kiosk clock said now, its corrected time is 30 months ago: it is not deleted while
    its own time is recent, and a resend stays a duplicate, not a rejection."""
    months = 30 * 31 * 24 * 3600 * 1000
    wrong = feedback(2, boot_id="long", monotonic_ms=1000)  # occurred_at: now
    assert (
        send(client, enrolment["token"], [wrong], boot_id="long", monotonic_ms=months).json()[
            "accepted"
        ]
        == 1
    )
    held = stored(client)[wrong["id"]]
    assert held["clock_suspect"] is True
    retention.run(client.app.state.engine, Policy(0, 24))
    assert wrong["id"] in stored(client)
    answer = send(client, enrolment["token"], [wrong], boot_id="long", monotonic_ms=months + 5000)
    assert answer.json()["duplicates"] == 1 and answer.json()["rejected"] == []


def test_before_any_purge_nothing_is_refused_for_its_age(client, enrolment):
    old = aged(months=40)
    assert send(client, enrolment["token"], [old]).json()["accepted"] == 1
    retention.run(client.app.state.engine, KEEP_ALL)  # retention off: no horizon
    with client.app.state.engine.connect() as conn:
        assert retention.kept_from(conn) is None
    assert old["id"] in stored(client)


def test_comments_past_their_days_are_removed_and_the_rating_kept(client, enrolment):
    texts = ["Odotin tunnin", "Kiitos!", "Hyvä palvelu"]
    commented = [feedback(r, comment=t) for r, t in zip((1, 4, 3), texts, strict=True)]
    plain = feedback(2)
    assert send(client, enrolment["token"], [*commented, plain]).json()["accepted"] == 4
    engine = client.app.state.engine
    now = datetime.now(UTC)
    early = retention.run(engine, Policy(90, 0), now=now + timedelta(days=80))
    assert early.comments == 0
    outcome = retention.run(engine, Policy(90, 0), now=now + timedelta(days=91), batch=2)
    assert outcome.comments == 3 and outcome.events == 0
    rows = stored(client)
    for event in commented:
        row = rows[event["id"]]
        assert row["comment"] is None and row["rating"] == event["rating"]
        assert json.loads(row["content"])["comment"] is None  # not in the stored content either
        assert row["comment_deleted_at"] is not None
    assert rows[plain["id"]]["comment_deleted_at"] is None
    assert rollup_total(client) == 4

    resent = send(client, enrolment["token"], commented).json()
    assert resent["duplicates"] == 3 and resent["conflicts"] == [] and resent["accepted"] == 0
    assert all(stored(client)[e["id"]]["comment"] is None for e in commented)  # not back
    again = retention.run(engine, Policy(90, 0), now=now + timedelta(days=92))
    assert again.comments == 0


def test_retention_is_configured_by_environment_and_zero_keeps(client, enrolment):
    send(client, enrolment["token"], [aged(months=30, comment="vanha")])
    env = {
        "HYMY_CENTRAL_COMMENT_RETENTION_DAYS": "0",
        "HYMY_CENTRAL_EVENT_RETENTION_MONTHS": "0",
    }
    kept = cli_run(client, "retention", "run", env=env)
    assert kept.exit_code == 0, kept.output
    assert "comments: kept" in kept.output and "raw events: kept" in kept.output
    assert len(stored(client)) == 1
    bad = cli_run(client, "retention", "run", env={"HYMY_CENTRAL_EVENT_RETENTION_MONTHS": "-3"})
    assert bad.exit_code == 1 and "Traceback" not in bad.output
    assert "HYMY_CENTRAL_EVENT_RETENTION_MONTHS is '-3', not a number of months" in bad.output
    defaults = Settings()
    assert (defaults.comment_retention_days, defaults.event_retention_months) == (90, 24)


def test_comment_delete_for_a_data_subject_request(client, enrolment, caplog):
    event = feedback(1, comment="Hoitaja Maija Meikäläinen oli töykeä")
    checkin = {
        **{k: v for k, v in feedback().items() if k not in ("rating", "reason", "comment")},
        "type": "checkin",
        "service_point": "laboratorio",
        "ticket": "L001",
        "method": "touch",
        "printed": True,
    }
    del checkin["misuse"]
    assert send(client, enrolment["token"], [event, checkin]).json()["accepted"] == 2

    found = cli_run(client, "comment", "find", "--site", "kaleva", "--text", "maija")
    assert found.exit_code == 0 and found.output.startswith(event["id"])
    assert "rating 1" in found.output
    caplog.set_level("INFO")
    deleted = cli_run(client, "comment", "delete", event["id"])
    assert deleted.exit_code == 0, deleted.output
    assert "Deleted the comment" in deleted.output and "rating stays" in deleted.output
    row = stored(client)[event["id"]]
    assert row["comment"] is None and row["rating"] == 1
    assert "Maija" not in row["content"]
    assert f"comment of event {event['id']} deleted on request" in caplog.text
    assert "Maija" not in caplog.text
    assert rollup_total(client) == 2

    again = cli_run(client, "comment", "delete", event["id"])
    assert again.exit_code == 0 and "it was deleted 20" in again.output
    none = cli_run(client, "comment", "delete", checkin["id"])
    assert none.exit_code == 0 and "nothing to delete" in none.output
    unknown = cli_run(client, "comment", "delete", str(uuid.uuid4()))
    assert unknown.exit_code == 1 and "No event" in unknown.output
    resent = send(client, enrolment["token"], [event]).json()
    assert resent["duplicates"] == 1 and stored(client)[event["id"]]["comment"] is None
    assert "No comment matches" in cli_run(client, "comment", "find", "--site", "kaleva").output


def test_two_runs_at_once_delete_each_event_once(client, enrolment):
    old = [aged(months=30, days=n) for n in range(40)]
    assert send(client, enrolment["token"], old).json()["accepted"] == 40
    engine, results, errors = client.app.state.engine, [], []

    def purge() -> None:
        try:
            results.append(retention.run(engine, Policy(0, 24), batch=7))
        except Exception as err:
            errors.append(err)

    threads = [threading.Thread(target=purge) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sum(r.events for r in results) == 40 and stored(client) == {}
    assert rollup_total(client) == 40


def test_serve_runs_the_retention_once_a_day_by_itself(client, enrolment, db_url, tmp_path):
    first = aged(months=30)
    assert send(client, enrolment["token"], [first]).json()["accepted"] == 1
    quick = Settings(data_dir=tmp_path, db_url=db_url, retention_check_every=timedelta(seconds=0.2))
    with TestClient(create_app(quick)) as server:
        deadline = time.monotonic() + 20
        while first["id"] in stored(server) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert first["id"] not in stored(server)
        with server.app.state.engine.connect() as conn:
            claimed = conn.execute(
                select(retention_horizons.c.updated_at).where(
                    retention_horizons.c.kind == "daily-run"
                )
            ).scalar_one()
        assert claimed is not None
        # The day's run is done: another old event waits for tomorrow's.
        second = aged(months=30, days=1)
        assert send(server, enrolment["token"], [second]).json()["rejected"]  # past the horizon
        late = aged(months=23)
        assert send(server, enrolment["token"], [late]).json()["accepted"] == 1
        time.sleep(1)
        assert late["id"] in stored(server)


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (datetime(2026, 12, 2, 5, tzinfo=UTC), 24, datetime(2024, 12, 2, 5, tzinfo=UTC)),
        (datetime(2026, 3, 31, tzinfo=UTC), 1, datetime(2026, 2, 28, tzinfo=UTC)),
        (datetime(2026, 1, 15, tzinfo=UTC), 13, datetime(2024, 12, 15, tzinfo=UTC)),
        (datetime(2028, 3, 31, tzinfo=UTC), 1, datetime(2028, 2, 29, tzinfo=UTC)),
    ],
)
def test_months_are_calendar_months(moment, months, expected):
    assert months_before(moment, months) == expected


def test_the_horizon_is_in_the_database_for_every_worker(client):
    with client.app.state.engine.connect() as conn:
        kinds = set(conn.execute(select(retention_horizons.c.kind)).scalars())
        assert conn.execute(select(events.c.id)).first() is None
    assert kinds == {"events", "daily-run"}


def test_a_purge_waits_for_an_ingest_that_read_the_old_horizon(client, enrolment):
    """An ingest's transaction holds the horizon it read (PostgreSQL: a shared advisory lock;
    SQLite: the write lock) until it commits, so no event can be deleted between its read
    and its insert; the purge goes on as soon as it commits."""
    from central.db import writing

    old = aged(months=30)
    assert send(client, enrolment["token"], [old]).json()["accepted"] == 1
    engine, finished = client.app.state.engine, threading.Event()

    def purge() -> None:
        retention.run(engine, Policy(0, 24))
        finished.set()

    with writing(engine) as conn, conn.begin():
        assert retention.kept_from(conn) is None  # what an ingest reads first
        thread = threading.Thread(target=purge)
        thread.start()
        assert not finished.wait(1.0)  # held off while the ingest is open
    assert finished.wait(30)
    thread.join()
    assert old["id"] not in stored(client)


def test_of_many_workers_and_servers_one_claims_the_days_run(client):
    engine, now, claims = client.app.state.engine, datetime.now(UTC), []
    barrier = threading.Barrier(4)

    def claim() -> None:
        barrier.wait()
        claims.append(retention.claim_daily_run(engine, now))

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(claims) == [False, False, False, True]
    assert not retention.claim_daily_run(engine, now + timedelta(hours=22))
    assert retention.claim_daily_run(engine, now + timedelta(hours=23, minutes=1))


def test_comment_find_folds_the_case_of_every_letter_and_names_an_unknown_site(client, enrolment):
    # SQLite's lower() (and PostgreSQL's under the C collation) changes only A-Z: a search
    # for "äiti" did not find "ÄITI ..." and a data-subject request was answered "no comment".
    event = feedback(2, comment="ÄITI odotti Öisin; ÅSA sanoi")
    assert send(client, enrolment["token"], [event]).json()["accepted"] == 1
    for text in ("äiti", "ÄiTi", "öisin", "åsa", "odotti öisin"):
        found = cli_run(client, "comment", "find", "--site", "kaleva", "--text", text)
        assert found.exit_code == 0 and found.output.startswith(event["id"]), (text, found.output)
    assert (
        "No comment matches"
        in cli_run(client, "comment", "find", "--site", "kaleva", "--text", "100%").output
    )
    unknown = cli_run(client, "comment", "find", "--site", "kalevaa", "--text", "äiti")
    assert unknown.exit_code == 1, unknown.output
    assert "No site 'kalevaa'" in unknown.output and "site list" in unknown.output

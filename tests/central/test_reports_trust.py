"""What reports may be trusted with, on SQLite and PostgreSQL: hours in the order they happened
on the autumn night, time zones the rollups can serve, events kept apart because their time is
implausible (left out and counted, or included when asked), and the state of every service
point and reason bucket (active, retired, unknown) in JSON, CSV and the table."""

from __future__ import annotations

import logging
import subprocess
import sys
import tomllib
import uuid
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert

from central.app import create_app
from central.db import write_transaction
from central.report_math import (
    bucket_order,
    combined_state,
    kept_apart_row,
    label_words,
    summarize,
)
from central.reports import TIME_IMPLAUSIBLE, to_csv, to_table
from central.settings import Settings
from central.site_store import save_site
from central.sites import SiteDefinition, SiteError, parse_site, zone_problem
from central.tables import daily_reason_rollups, daily_rollups, events
from tests.support.central import OTHER_SITE, add_site, at, get, key, send
from tests.support.events import feedback
from tests.support.paths import EXAMPLE_SITE, ROOT

SITE_TEXT = EXAMPLE_SITE.read_text(encoding="utf-8")
HELSINKI = ZoneInfo("Europe/Helsinki")
NOVEMBER = {"from": "2026-11-01", "to": "2026-11-30"}
COUNTS = ("r1", "r2", "r3", "r4", "m1", "m2", "m3", "m4", "checkins")


# --- the autumn night -------------------------------------------------------------------------


def test_the_autumn_nights_two_3_oclock_hours_come_in_the_order_they_happened(client, enrolment):
    # Sunday 25 October 2026, Helsinki: 04:00 EEST (+0300) becomes 03:00 EET (+0200).
    moments = [
        datetime(2026, 10, 25, 2, 30, tzinfo=UTC),  # 04:30 EET
        datetime(2026, 10, 25, 1, 30, tzinfo=UTC),  # 03:30 EET, the second 03:30
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # 03:30 EEST, the first 03:30
        datetime(2026, 10, 24, 23, 30, tzinfo=UTC),  # 02:30 EEST
    ]
    items = [at(moment, monotonic_ms=n + 1, rating=1 + n) for n, moment in enumerate(moments)]
    assert send(client, enrolment["token"], items).json()["accepted"] == 4
    day = {"from": "2026-10-25", "to": "2026-10-25"}
    hours = get(client, "feedback", key(client, "admin", []), site="kaleva", by="hour", **day)
    assert [(b["bucket"], b["n"]) for b in hours.json()["buckets"]] == [
        ("2026-10-25T02:00+0300", 1),
        ("2026-10-25T03:00+0300", 1),
        ("2026-10-25T03:00+0200", 1),  # sorted as text, this came first
        ("2026-10-25T04:00+0200", 1),
    ]


def test_bucket_order_is_the_instant_for_hours_and_the_text_otherwise():
    rows = [
        {"site_id": "s", "hour": hour, "service_point": "", **dict.fromkeys(COUNTS, 0), "r4": 1}
        for hour in (
            datetime(2026, 10, 25, 1, tzinfo=UTC),
            datetime(2026, 10, 25, 0, tzinfo=UTC),
            datetime(2026, 10, 25, 2, tzinfo=UTC),
        )
    ]
    buckets, total = summarize(rows, "hour", False, {"s": HELSINKI})
    assert [b.key for b in buckets] == [
        "2026-10-25T03:00+0300",
        "2026-10-25T03:00+0200",
        "2026-10-25T04:00+0200",
    ]
    assert total.n == 3
    assert bucket_order("2026-W09", "week") < bucket_order("2026-W10", "week")
    assert sorted(["neuvola", "-", "laboratorio"], key=lambda k: bucket_order(k, "x")) == [
        "-",
        "laboratorio",
        "neuvola",
    ]


# --- time zones ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "offset"),
    [
        ("Asia/Kolkata", "UTC+05:30"),
        ("Australia/Adelaide", "UTC+10:30"),
        ("Asia/Kathmandu", "UTC+05:45"),
        ("America/St_Johns", "UTC-03:30"),
        ("Australia/Lord_Howe", "UTC+10:30"),  # a half-hour summer time only
    ],
)
def test_zones_with_half_hour_offsets_are_refused_by_name(zone, offset):
    text = SITE_TEXT.replace('timezone = "Europe/Helsinki"', f'timezone = "{zone}"')
    with pytest.raises(SiteError) as refused:
        parse_site(text, "kaleva.toml")
    message = str(refused.value)
    assert message.startswith("kaleva.toml: site.timezone:")
    assert offset in message and "whole number of hours" in message
    assert "Europe/Helsinki" in message  # what to use instead


@pytest.mark.parametrize("zone", ["Europe/Helsinki", "Europe/Stockholm", "UTC", "America/New_York"])
def test_whole_hour_zones_are_accepted(zone):
    assert zone_problem(zone) is None


def kolkata_site() -> SiteDefinition:
    """A site stored before half-hour zones were refused (parse_site would refuse it now)."""
    text = OTHER_SITE.replace('timezone = "Europe/Helsinki"', 'timezone = "Asia/Kolkata"')
    return SiteDefinition.model_validate(tomllib.loads(text))


def test_an_existing_site_in_a_half_hour_zone_is_named_at_start_and_not_reported(
    db_url, tmp_path, caplog
):
    settings = Settings(data_dir=tmp_path, db_url=db_url)
    with TestClient(create_app(settings)) as client:
        add_site(client)
        with write_transaction(client.app.state.engine) as conn:
            save_site(conn, kolkata_site())
    caplog.set_level(logging.WARNING, logger="central.app")
    with TestClient(create_app(settings)) as client:
        admin = key(client, "admin", [])
        refused = get(client, "feedback", admin, site="hervanta", **NOVEMBER)
        assert refused.status_code == 422
        assert "Site hervanta cannot be reported" in refused.json()["detail"]
        assert "UTC+05:30" in refused.json()["detail"]
        assert get(client, "feedback", admin, site="kaleva", **NOVEMBER).status_code == 200
    warnings = [r.getMessage() for r in caplog.records if r.name == "central.app"]
    assert len(warnings) == 1 and warnings[0].startswith("site hervanta is not reported")


def test_site_add_and_db_upgrade_name_a_half_hour_zone(tmp_path):
    cli = [sys.executable, "-m", "central.cli", "--data-dir", str(tmp_path)]
    bad = tmp_path / "kolkata.toml"
    bad.write_text(SITE_TEXT.replace("Europe/Helsinki", "Asia/Kolkata"), encoding="utf-8")
    added = subprocess.run(
        [*cli, "site", "add", str(bad)], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert added.returncode == 1 and "site.timezone" in added.stderr, added.stderr
    assert "Traceback" not in added.stderr
    from central.db import make_engine, upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'central.sqlite'}")
    upgrade(engine)
    with write_transaction(engine) as conn:
        save_site(conn, kolkata_site())
    engine.dispose()
    upgraded = subprocess.run(
        [*cli, "db", "upgrade"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert upgraded.returncode == 0, upgraded.stderr
    assert "Site hervanta is not reported until its time zone changes" in upgraded.stdout


# --- events kept apart --------------------------------------------------------------------------


def kept_apart(
    client,
    enrolment: dict,
    received: datetime,
    *,
    type_: str = "feedback",
    rating: int | None = 4,
    reason: str | None = None,
    misuse: bool = False,
    comment: str | None = None,
    site: str = "kaleva",
    device: str | None = None,
) -> None:
    """An event as central-ingest stores one whose time could not be corrected and is
    implausible: flagged, with its kiosk's own time (1970), and not in any rollup."""
    wrong = datetime(1970, 1, 1, 0, 0, 5, tzinfo=UTC)
    with write_transaction(client.app.state.engine) as conn:
        conn.execute(
            insert(events).values(
                id=str(uuid.uuid4()),
                site_id=site,
                device_id=device or enrolment["device_id"],
                type=type_,
                occurred_at=wrong,
                corrected_at=wrong,
                clock_suspect=True,
                service_point="laboratorio" if type_ == "checkin" else None,
                rating=rating if type_ == "feedback" else None,
                reason=reason,
                misuse=misuse if type_ == "feedback" else None,
                comment=comment,
                content="{}",
                received_at=received,
                batch_id=str(uuid.uuid4()),
                language="fi",
                flag=TIME_IMPLAUSIBLE,
            )
        )


def test_time_implausible_events_are_left_out_counted_and_included_when_asked(client, enrolment):
    # 10:15 Helsinki time on 3 November, when they reached the central.
    received = datetime(2026, 11, 3, 8, 15, tzinfo=UTC)
    send(client, enrolment["token"], [at(datetime(2026, 11, 2, 9, 0, tzinfo=UTC), rating=3)])
    kept_apart(client, enrolment, received, rating=1, reason="waiting-time")
    kept_apart(client, enrolment, received, rating=4)
    kept_apart(client, enrolment, received, rating=2, misuse=True)
    kept_apart(client, enrolment, received, type_="checkin")
    kept_apart(client, enrolment, datetime(2026, 12, 1, 8, 0, tzinfo=UTC))  # after the period
    add_site(client, OTHER_SITE)
    kept_apart(client, enrolment, received, site="hervanta")  # another site's
    manager = key(client, "manager", ["kaleva"])

    plain = get(client, "feedback", manager, site="kaleva", **NOVEMBER).json()
    assert plain["total"]["n"] == 1
    assert plain["left_out"] == {"time_implausible": 2}  # the misuse one is left out anyway
    assert plain["include_implausible"] is False
    assert [b["bucket"] for b in plain["buckets"]] == ["2026-11-02"]

    asked = get(
        client, "feedback", manager, site="kaleva", include_implausible="true", **NOVEMBER
    ).json()
    assert asked["total"]["n"] == 3 and asked["left_out"] == {"time_implausible": 0}
    assert [(b["bucket"], b["n"]) for b in asked["buckets"]] == [
        ("2026-11-02", 1),
        ("2026-11-03", 2),  # the day they reached the central, in the site's time
    ]
    assert asked["top_reasons"] == [
        {"reason": "waiting-time", "count": 1, "state": "active", "not_offered_for_rating": 0}
    ]
    everything = get(
        client,
        "feedback",
        manager,
        site="kaleva",
        include_implausible="true",
        include_misuse="true",
        **NOVEMBER,
    ).json()
    assert everything["total"]["n"] == 4
    hours = get(
        client,
        "feedback",
        manager,
        site="kaleva",
        by="hour",
        include_implausible="true",
        **{"from": "2026-11-03", "to": "2026-11-03"},
    ).json()
    assert [(b["bucket"], b["n"]) for b in hours["buckets"]] == [("2026-11-03T10:00+0200", 2)]
    checkins = get(client, "checkins", manager, site="kaleva", **NOVEMBER).json()
    assert checkins["left_out"] == {"time_implausible": 1}
    assert checkins["total"]["checkins"] == 0
    assert "left out: 2 events whose kiosk time was implausible" in to_table(plain)
    assert "left out" not in to_table(asked)


def test_time_implausible_comments_are_left_out_and_listed_when_asked(client, enrolment):
    received = datetime(2026, 11, 3, 8, 15, tzinfo=UTC)
    send(
        client,
        enrolment["token"],
        [at(datetime(2026, 11, 2, 9, 0, tzinfo=UTC), rating=3, comment="Hyvä palvelu")],
    )
    kept_apart(client, enrolment, received, rating=1, comment="Kello väärässä")
    manager = key(client, "manager", ["kaleva"])
    params = {"site": "kaleva", **NOVEMBER}
    plain = client.get("/api/v1/reports/comments", params=params, headers=manager).json()
    assert [c["comment"] for c in plain["comments"]] == ["Hyvä palvelu"]
    assert plain["left_out"] == {"time_implausible": 1}
    asked = client.get(
        "/api/v1/reports/comments",
        params={**params, "include_implausible": "true"},
        headers=manager,
    ).json()
    assert [(c["comment"], c["time_implausible"]) for c in asked["comments"]] == [
        ("Kello väärässä", True),  # placed at 3 November, when it arrived
        ("Hyvä palvelu", False),
    ]
    assert asked["left_out"] == {"time_implausible": 0}


def test_the_report_command_says_what_was_left_out(client, enrolment, db_url):
    kept_apart(client, enrolment, datetime(2026, 11, 3, 8, 15, tzinfo=UTC))
    cli = [sys.executable, "-m", "central.cli", "--db", db_url, "report", "feedback"]
    period = ["--site", "kaleva", "--from", "2026-11-01", "--to", "2026-11-30"]
    done = subprocess.run([*cli, *period], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1].startswith("left out: 1 event whose kiosk time")
    counted = subprocess.run(
        [*cli, *period, "--include-implausible"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    lines = counted.stdout.splitlines()
    assert [line.split()[:2] for line in lines if line.startswith("total")] == [["total", "1"]]
    assert lines[-1] == "languages: Finnish 1", counted.stdout  # the kept-apart one, counted


def test_a_kept_apart_event_becomes_a_rollup_row_at_its_arrival():
    event = {
        "site_id": "kaleva",
        "type": "feedback",
        "service_point": None,
        "rating": 2,
        "misuse": True,
        "received_at": datetime(2026, 11, 3, 22, 30),  # naive from SQLite: UTC
    }
    row = kept_apart_row(event, HELSINKI)
    assert row["m2"] == 1 and row["r2"] == 0 and row["checkins"] == 0
    assert row["hour"] == datetime(2026, 11, 3, 22, tzinfo=UTC)
    assert row["day"] == date(2026, 11, 4)  # 00:30 in Helsinki
    assert row["service_point"] == ""


# --- states of service points and reasons -------------------------------------------------------


def test_service_points_and_reasons_carry_their_state(client, enrolment, db_url):
    moment = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    checkins = [
        {
            "id": str(uuid.uuid4()),
            "type": "checkin",
            "occurred_at": moment.isoformat(),
            "boot_id": "old",
            "monotonic_ms": n,
            "language": "fi",
            "service_point": point,
            "ticket": "L001",
            "method": "touch",
            "printed": True,
        }
        for n, point in enumerate(["laboratorio", "laboratorio", "neuvola"], start=1)
    ]
    ratings = [
        at(moment, monotonic_ms=10, rating=1, reason="waiting-time"),
        at(moment, monotonic_ms=11, rating=1, reason="waiting-time"),
        at(moment, monotonic_ms=12, rating=4, reason="friendly-staff"),
    ]
    assert send(client, enrolment["token"], [*checkins, *ratings]).json()["accepted"] == 6
    # The site stops offering the laboratory and the waiting-time reason: both stay known.
    without = SITE_TEXT.replace('id = "laboratorio"', 'id = "laboratorio-uusi"').replace(
        'id = "waiting-time"', 'id = "long-wait"'
    )
    add_site(client, without)
    # A service point and a reason the site never had, as ingest keeps them (flagged, counted).
    with write_transaction(client.app.state.engine) as conn:
        conn.execute(
            insert(daily_rollups).values(
                site_id="kaleva",
                service_point="ghost",
                day=date(2026, 11, 2),
                **dict.fromkeys(COUNTS, 0) | {"checkins": 1},
            )
        )
        conn.execute(
            insert(daily_reason_rollups).values(
                site_id="kaleva",
                service_point="",
                day=date(2026, 11, 2),
                reason="mystery",
                misuse=False,
                count=1,
            )
        )
    manager = key(client, "manager", ["kaleva"])
    by_point = get(client, "checkins", manager, site="kaleva", by="service-point", **NOVEMBER)
    answer = by_point.json()
    assert [(b["bucket"], b["state"], b["checkins"]) for b in answer["buckets"]] == [
        ("-", None, 0),  # the feedback, given without a service point
        ("ghost", "unknown", 1),
        ("laboratorio", "retired", 2),
        ("neuvola", "active", 1),
    ]
    assert to_csv(answer).splitlines() == [
        "bucket,state,checkins",
        "-,,0",
        "ghost,unknown,1",
        "laboratorio,retired,2",
        "neuvola,active,1",
        "total,,4",
    ]
    table = to_table(answer).splitlines()
    assert table[2].split()[:2] == ["ghost", "(unknown)"]
    assert table[3].split()[:3] == ["laboratorio", "(retired)", "2"]
    assert table[4].split()[:2] == ["neuvola", "1"]
    feedback_points = get(
        client, "feedback", manager, site="kaleva", by="service-point", **NOVEMBER
    ).json()
    no_point = feedback_points["buckets"][0]
    assert (no_point["bucket"], no_point["state"], no_point["n"]) == ("-", None, 3)
    reasons = get(client, "feedback", manager, site="kaleva", **NOVEMBER).json()["top_reasons"]
    assert reasons == [
        {"reason": "waiting-time", "count": 2, "state": "retired", "not_offered_for_rating": 0},
        {"reason": "friendly-staff", "count": 1, "state": "active", "not_offered_for_rating": 0},
        {"reason": "mystery", "count": 1, "state": "unknown", "not_offered_for_rating": 0},
    ]
    one_point = get(
        client, "checkins", manager, site="kaleva", service_point="laboratorio", **NOVEMBER
    ).json()
    assert one_point["service_point_state"] == "retired"
    assert one_point["total"]["checkins"] == 2
    if db_url.startswith("sqlite"):
        cli = [sys.executable, "-m", "central.cli", "--db", db_url, "report", "feedback"]
        done = subprocess.run(
            [*cli, "--site", "kaleva", "--from", "2026-11-01", "--to", "2026-11-30"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert "top reasons: waiting-time (retired) 2, friendly-staff 1, mystery (unknown) 1" in (
            done.stdout
        ), done.stdout + done.stderr


def test_state_words():
    assert combined_state(["active", "retired"]) == "active"
    assert combined_state([None, "retired"]) == "retired"
    assert combined_state([None, None]) == "unknown"
    assert label_words("laboratorio", "active") == "laboratorio"
    assert label_words("laboratorio", "retired") == "laboratorio (retired)"
    assert label_words("ghost", "unknown") == "ghost (unknown)"
    assert label_words("-", None) == "-"


def test_an_event_corrected_into_the_past_by_a_broken_monotonic_clock_is_left_out(
    client, enrolment
):
    # Same boot, monotonic 0, batch monotonic ten years: corrected to 2016. On main it was
    # counted in 2016's reports; it is kept apart like any implausible time.
    years = 10 * 366 * 24 * 3600 * 1000
    item = feedback(boot_id="boot-1", monotonic_ms=0)
    answer = send(client, enrolment["token"], [item], boot_id="boot-1", monotonic_ms=years)
    assert answer.status_code == 200 and answer.json()["accepted"] == 1
    manager = key(client, "manager", ["kaleva"])
    old = get(
        client, "feedback", manager, site="kaleva", **{"from": "2010-01-01", "to": "2023-12-31"}
    )
    assert old.json()["total"]["n"] == 0
    today = datetime.now(HELSINKI).date().isoformat()
    now = get(client, "feedback", manager, site="kaleva", **{"from": today, "to": today}).json()
    assert now["total"]["n"] == 0 and now["left_out"] == {"time_implausible": 1}

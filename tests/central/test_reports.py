"""Reports from the rollups, on SQLite and PostgreSQL: local-time buckets across a DST change,
misuse left out, top reasons, CSV, and managers kept to their own sites."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from central.report_math import Bucket, utc_bounds
from central.tables import rollups
from tests.support.central import OTHER_SITE, add_site, at, get, key, send
from tests.support.paths import EXAMPLE_SITE, ROOT

HELSINKI = ZoneInfo("Europe/Helsinki")


def test_a_dst_week_is_bucketed_by_local_days(client, enrolment):
    # Sunday 25 October 2026: clocks go back in Finland (03:00 EEST -> 02:00 EET), a 25-hour day.
    late_saturday = datetime(2026, 10, 24, 20, 30, tzinfo=UTC)  # 23:30 local, Saturday
    sunday_night = datetime(2026, 10, 24, 21, 30, tzinfo=UTC)  # 00:30 local, Sunday
    repeated_hour = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 03:30 EEST, the first 03:30
    late_sunday = datetime(2026, 10, 25, 21, 59, tzinfo=UTC)  # 23:59 EET, still Sunday
    monday = datetime(2026, 10, 25, 22, 0, tzinfo=UTC)  # 00:00 Monday local
    items = [
        at(late_saturday, rating=4),
        at(sunday_night, rating=1),
        at(repeated_hour, rating=3, reason="waiting-time"),
        at(late_sunday, rating=2),
        at(monday, rating=4),
    ]
    assert send(client, enrolment["token"], items).json()["accepted"] == 5
    manager = key(client, "manager", ["kaleva"])

    days = get(
        client,
        "feedback",
        manager,
        site="kaleva",
        **{"from": "2026-10-24", "to": "2026-10-26"},
        by="day",
    ).json()
    assert [(b["bucket"], b["n"]) for b in days["buckets"]] == [
        ("2026-10-24", 1),
        ("2026-10-25", 3),
        ("2026-10-26", 1),
    ]
    sunday = days["buckets"][1]
    assert sunday["distribution"] == {"1": 1, "2": 1, "3": 1, "4": 0}
    assert sunday["score"] == pytest.approx(33.3, abs=0.05)
    assert sunday["positive_share"] == pytest.approx(0.333, abs=0.001)
    assert days["total"]["n"] == 5
    weeks = get(
        client,
        "feedback",
        manager,
        site="kaleva",
        **{"from": "2026-10-19", "to": "2026-11-01"},
        by="week",
    ).json()
    assert [(b["bucket"], b["n"]) for b in weeks["buckets"]] == [("2026-W43", 4), ("2026-W44", 1)]
    hours = get(
        client,
        "feedback",
        manager,
        site="kaleva",
        **{"from": "2026-10-25", "to": "2026-10-25"},
        by="hour",
    ).json()
    assert "2026-10-25T03:00+0300" in [b["bucket"] for b in hours["buckets"]]


def test_misuse_is_left_out_unless_asked_and_reasons_are_counted(client, enrolment):
    now = datetime.now(UTC)
    items = [
        at(now - timedelta(minutes=5), rating=1, reason="waiting-time"),
        at(now - timedelta(minutes=4), rating=1, reason="waiting-time", misuse=True),
        at(now - timedelta(minutes=3), rating=4, reason="friendly-staff"),
    ]
    send(client, enrolment["token"], items)
    manager = key(client, "manager", ["kaleva"])
    today = now.astimezone(HELSINKI).date()  # the site's local date, not UTC's
    period = {"from": (today - timedelta(days=1)).isoformat(), "to": today.isoformat()}
    plain = get(client, "feedback", manager, site="kaleva", **period).json()
    assert plain["total"]["n"] == 2
    assert plain["top_reasons"] == [
        {"reason": "friendly-staff", "count": 1, "state": "active", "not_offered_for_rating": 0},
        {"reason": "waiting-time", "count": 1, "state": "active", "not_offered_for_rating": 0},
    ]
    everything = get(
        client, "feedback", manager, site="kaleva", include_misuse="true", **period
    ).json()
    assert everything["total"]["n"] == 3
    assert everything["top_reasons"][0] == {
        "reason": "waiting-time",
        "count": 2,
        "state": "active",
        "not_offered_for_rating": 0,
    }
    csv_text = get(client, "feedback", manager, site="kaleva", format="csv", **period).text
    assert csv_text.splitlines()[0].startswith("bucket,n,very_unhappy")
    assert csv_text.splitlines()[-1].startswith("total,2,1,0,0,1,50.0,0.5")


def test_checkins_by_service_point(client, enrolment):
    now = datetime.now(UTC)
    tickets = [
        {
            "id": f["id"],
            "type": "checkin",
            "occurred_at": f["occurred_at"],
            "boot_id": "old",
            "monotonic_ms": 1,
            "language": "fi",
            "service_point": point,
            "ticket": "L001",
            "method": "touch",
            "printed": True,
        }
        for f, point in zip(
            [at(now) for _ in range(3)], ["laboratorio", "laboratorio", "neuvola"], strict=True
        )
    ]
    send(client, enrolment["token"], tickets)
    answer = get(
        client,
        "checkins",
        key(client, "admin", []),
        site="kaleva",
        by="service-point",
        **{
            "from": now.astimezone(HELSINKI).date().isoformat(),
            "to": now.astimezone(HELSINKI).date().isoformat(),
        },
    ).json()
    assert answer["buckets"] == [
        {"bucket": "laboratorio", "checkins": 2, "state": "active"},
        {"bucket": "neuvola", "checkins": 1, "state": "active"},
    ]


def test_managers_read_only_their_own_sites_and_devices_read_none(client, enrolment):
    add_site(client, OTHER_SITE)
    period = {"from": "2026-11-01", "to": "2026-11-30"}
    kaleva_manager = key(client, "manager", ["kaleva"])
    assert get(client, "feedback", kaleva_manager, site="kaleva", **period).status_code == 200
    refused = get(client, "feedback", kaleva_manager, site="hervanta", **period)
    assert refused.status_code == 403 and "hervanta" in refused.json()["detail"]
    both = client.get(
        "/api/v1/reports/feedback",
        headers=kaleva_manager,
        params=[("site", "kaleva"), ("site", "hervanta"), *period.items()],
    )
    assert both.status_code == 403
    device = {"Authorization": f"Bearer {enrolment['token']}"}
    assert get(client, "feedback", device, site="kaleva", **period).status_code == 401
    it = key(client, "it", [])
    assert get(client, "checkins", it, site="kaleva", **period).status_code == 403
    backwards = get(
        client,
        "feedback",
        kaleva_manager,
        site="kaleva",
        **{"from": "2026-11-30", "to": "2026-11-01"},
    )
    assert backwards.status_code == 422 and "before it starts" in backwards.json()["detail"]


def test_reports_read_rollups_that_match_the_raw_events(client, enrolment):
    now = datetime.now(UTC)
    send(
        client,
        enrolment["token"],
        [at(now - timedelta(minutes=m), rating=1 + m % 4, monotonic_ms=m + 1) for m in range(40)],
    )
    send(client, enrolment["token"], [at(now, rating=2)])
    with client.app.state.engine.connect() as conn:
        total = sum(r.r1 + r.r2 + r.r3 + r.r4 for r in conn.execute(rollups.select()))
    assert total == 41


def test_the_report_command_prints_a_table(tmp_path):
    data = ["--data-dir", str(tmp_path)]
    cli = [sys.executable, "-m", "central.cli", *data]
    subprocess.run(
        [*cli, "site", "add", str(EXAMPLE_SITE)], cwd=ROOT, check=True, capture_output=True
    )
    done = subprocess.run(
        [
            *cli,
            "report",
            "feedback",
            "--site",
            "kaleva",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-02",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].split()[:3] == ["bucket", "n", "very_unhappy"]
    assert done.stdout.splitlines()[-1].split()[:2] == ["total", "0"]


@given(st.lists(st.sampled_from([1, 2, 3, 4]), min_size=1, max_size=200))
def test_score_is_the_mean_of_mapped_ratings(ratings):
    bucket = Bucket("x")
    for rating in ratings:
        bucket.distribution[rating] += 1
    expected = sum({1: 0, 2: 100 / 3, 3: 200 / 3, 4: 100}[r] for r in ratings) / len(ratings)
    assert bucket.score == pytest.approx(expected)
    assert 0 <= bucket.score <= 100 and bucket.n == len(ratings)


def test_local_days_have_23_or_25_hours_on_dst_changes():
    from zoneinfo import ZoneInfo

    helsinki = ZoneInfo("Europe/Helsinki")
    for day, hours in ((date(2026, 3, 29), 23), (date(2026, 10, 25), 25), (date(2026, 6, 1), 24)):
        start, end = utc_bounds(day, day, helsinki)
        assert end - start == timedelta(hours=hours)

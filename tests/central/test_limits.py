"""Unbounded inputs, on SQLite and PostgreSQL: far dates, long periods, deep or negative paging
and ids no database takes are answered 422 saying what to fix, never 500."""

from __future__ import annotations

from datetime import date

import pytest

from central.limits import (
    EARLIEST_DAY,
    LATEST_DAY,
    MAX_DAYS,
    MAX_DAYS_BY_HOUR,
    LimitError,
    check_paging,
    check_period,
    check_sites,
)
from tests.support.central import key

FAR = [
    ({"from": "2026-01-01", "to": "9999-12-31"}, "to=9999-12-31 is outside"),
    ({"from": "0001-01-01", "to": "2026-01-01"}, "from=0001-01-01 is outside"),
    ({"from": "0001-01-01", "to": "0001-01-01"}, "outside the days reports cover"),
    ({"from": "9999-12-31", "to": "9999-12-31"}, "outside the days reports cover"),
    ({"from": "2000-01-01", "to": "2199-12-31"}, "covers at most"),
]


def test_far_dates_and_long_periods_are_refused_with_what_to_fix(client, enrolment):
    manager = key(client, "manager", ["kaleva"])
    for kind in ("feedback", "checkins"):
        for by in ("hour", "day", "week", "month", "service-point"):
            for period, words in FAR:
                params = {"site": "kaleva", "by": by, **period}
                answer = client.get(f"/api/v1/reports/{kind}", params=params, headers=manager)
                assert answer.status_code == 422, (kind, by, period, answer.text)
                assert words in answer.json()["detail"]


def test_hour_buckets_cover_three_years_and_other_buckets_twenty(client, enrolment):
    manager = key(client, "manager", ["kaleva"])
    three_years = {"from": "2024-01-01", "to": "2026-12-31"}  # 1096 days

    def status(by: str, period: dict) -> int:
        params = {"site": "kaleva", "by": by, **period}
        return client.get("/api/v1/reports/feedback", params=params, headers=manager).status_code

    assert status("hour", three_years) == 200
    four_years = {"from": "2024-01-01", "to": "2027-12-31"}
    assert status("hour", four_years) == 422
    assert status("day", four_years) == 200
    assert status("month", {"from": "2020-01-01", "to": "2039-12-31"}) == 200
    assert status("month", {"from": "2020-01-01", "to": "2040-12-31"}) == 422


COMMENT_PAGING = [
    ({"offset": "10001"}, "offset"),
    ({"offset": str(2**63)}, "offset"),
    ({"offset": "9" * 5000}, "offset"),
    ({"offset": "-1"}, "offset"),
    ({"limit": "0"}, "limit"),
    ({"limit": "-5"}, "limit"),
    ({"limit": "501"}, "limit"),
    ({"limit": str(2**64)}, "limit"),
    ({"to": "9999-12-31"}, "to=9999-12-31"),
    ({"from": "0001-01-01"}, "from=0001-01-01"),
]


def test_comment_paging_and_dates_beyond_limits_are_refused(client, enrolment):
    manager = key(client, "manager", ["kaleva"])
    for params, words in COMMENT_PAGING:
        query = {"site": "kaleva", "from": "2026-11-01", "to": "2026-11-30", **params}
        answer = client.get("/api/v1/reports/comments", params=query, headers=manager)
        assert answer.status_code == 422, (params, answer.text)
        assert words in answer.json()["detail"]


BAD_IDS = [
    {"site": "kale\x00va"},
    {"site": "x" * 5000},
    {"site": "Kaleva"},
    {"service_point": "labo\x00ratorio"},
    {"service_point": "y" * 65},
]


def test_ids_no_database_takes_are_refused(client, enrolment):
    # PostgreSQL refuses a NUL in any string it is given: on main that was a 500.
    admin = key(client, "admin", [])
    for params in BAD_IDS:
        query = {"site": "kaleva", "from": "2026-11-01", "to": "2026-11-30", **params}
        paths = ["feedback", "checkins"] + ([] if "service_point" in params else ["comments"])
        for path in paths:
            answer = client.get(f"/api/v1/reports/{path}", params=query, headers=admin)
            assert answer.status_code == 422, (path, params, answer.text)


def test_the_same_site_twice_counts_once(client, enrolment):
    admin = key(client, "admin", [])
    period = [("from", "2026-11-01"), ("to", "2026-11-30")]
    twice = client.get(
        "/api/v1/reports/feedback",
        params=[("site", "kaleva"), ("site", "kaleva"), *period],
        headers=admin,
    )
    assert twice.status_code == 200 and twice.json()["sites"] == ["kaleva"]


def test_period_rules():
    check_period(EARLIEST_DAY, LATEST_DAY.replace(year=2019), "day")
    check_period(date(2026, 1, 1), date(2026, 1, 1), "hour")
    with pytest.raises(LimitError, match="outside"):
        check_period(date(1999, 12, 31), date(2000, 1, 1))
    with pytest.raises(LimitError, match="outside"):
        check_period(date(2026, 1, 1), date(2200, 1, 1))
    start = date(2026, 1, 1)
    check_period(start, date.fromordinal(start.toordinal() + MAX_DAYS_BY_HOUR - 1), "hour")
    with pytest.raises(LimitError, match="bucket by day"):
        check_period(start, date.fromordinal(start.toordinal() + MAX_DAYS_BY_HOUR), "hour")
    check_period(start, date.fromordinal(start.toordinal() + MAX_DAYS - 1), "week")
    with pytest.raises(LimitError, match="at most 7305 days"):
        check_period(start, date.fromordinal(start.toordinal() + MAX_DAYS), "week")


def test_paging_and_site_rules():
    check_paging(1, 0)
    check_paging(500, 10_000)
    for limit, offset in ((0, 0), (501, 0), (1, -1), (1, 10_001)):
        with pytest.raises(LimitError):
            check_paging(limit, offset)
    assert check_sites(["b", "a", "b"]) == ["b", "a"]
    with pytest.raises(LimitError, match="at least one"):
        check_sites([])
    with pytest.raises(LimitError, match="at most 100"):
        check_sites([f"s-{n}" for n in range(101)])
    with pytest.raises(LimitError, match="not an id"):
        check_sites(["kaleva", "\x00"])

"""The console's figures on SQLite and PostgreSQL, from events sent through the API: the weekly
overview, the hour x weekday grid across DST, the fair comparison, and their tables as files."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook

from central.comparison import comparison, comparison_tables
from central.downloads import to_csv, to_xlsx
from central.heatmap import heatmap, heatmap_tables
from central.overview import overview, overview_tables, weeks
from tests.support.central import (
    OTHER_SITE,
    accepted,
    add_site,
    enrol,
    ratings,
    ticket,
)
from tests.support.paths import EXAMPLE_SITE

EET = timedelta(hours=2)  # Helsinki in winter
EEST = timedelta(hours=3)  # and in summer


def local(year, month, day, hour, minute=0, offset=EET) -> datetime:
    """A Helsinki wall-clock time as a UTC instant."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC) - offset


def connect(client):
    return client.app.state.engine.connect()


THURSDAY = date(2026, 11, 26)


def test_the_weeks_of_the_overview():
    assert weeks(THURSDAY) == {
        "this_week": (date(2026, 11, 23), THURSDAY),
        "last_week_to_date": (date(2026, 11, 16), date(2026, 11, 19)),
        "last_week": (date(2026, 11, 16), date(2026, 11, 22)),
    }
    monday = date(2026, 11, 23)
    assert weeks(monday)["this_week"] == (monday, monday)
    assert weeks(monday)["last_week_to_date"] == (date(2026, 11, 16), date(2026, 11, 16))


def send_two_weeks(client, token: str) -> None:
    tuesday = local(2026, 11, 24, 10)
    items = [
        *ratings(tuesday, [4, 4, 4, 3], reason="friendly-staff"),
        *ratings(tuesday + timedelta(hours=1), [3]),
        *ratings(tuesday + timedelta(hours=2), [1], reason="waiting-time"),
        *ratings(tuesday + timedelta(hours=3), [1, 1], misuse=True),  # left out
        *ratings(local(2026, 11, 27, 9), [1, 1, 1]),  # Friday: after "today"
        *ratings(local(2026, 11, 16, 0, 30), [2, 2, 1, 4, 3], reason="waiting-time"),
        *ratings(local(2026, 11, 21, 12), [4, 4, 4]),  # Saturday: only in the whole week
        ticket(tuesday, "laboratorio"),
        ticket(tuesday, "neuvola"),
        ticket(local(2026, 11, 22, 23, 59), "laboratorio"),  # Sunday night, last week
    ]
    accepted(client, token, items)


def test_the_overview_compares_this_week_with_last_week_to_the_same_day(client, enrolment):
    send_two_weeks(client, enrolment["token"])
    with connect(client) as conn:
        answer = overview(conn, ["kaleva"], THURSDAY, "sv")
    assert answer["change_against"] == "last_week_to_date"
    (site,) = answer["sites"]
    assert site["name"] == "Kalevas hälsostation" and site["min_answers"] == 5
    now, fair, whole = site["this_week"], site["last_week_to_date"], site["last_week"]
    assert (now["from"], now["to"]) == ("2026-11-23", "2026-11-26")
    assert now["n"] == 6 and now["hidden"] is False and now["fewer_than"] is None
    assert now["distribution"] == {"1": 1, "2": 0, "3": 2, "4": 3}
    assert now["score"] == pytest.approx(72.2) and now["positive_share"] == pytest.approx(0.833)
    assert now["top_reasons"] == [
        {"reason": "friendly-staff", "name": "Vänlig personal", "count": 4, "state": "active"},
        {"reason": "waiting-time", "name": "Väntetiden", "count": 1, "state": "active"},
    ]
    assert now["checkins"] == 2
    assert fair["n"] == 5 and fair["score"] == pytest.approx(46.7) and fair["checkins"] == 0
    assert whole["n"] == 8 and whole["checkins"] == 1
    assert site["change"] == pytest.approx(72.2 - 46.7)
    with connect(client) as conn:
        german = overview(conn, ["kaleva"], THURSDAY, "de")["sites"][0]
    assert german["name"] == "Kalevan terveysasema"
    assert german["this_week"]["top_reasons"][1]["name"] == "Odotusaika"


def test_a_week_with_fewer_answers_than_the_site_minimum_shows_no_figure(client, enrolment):
    send_two_weeks(client, enrolment["token"])
    add_site(client, EXAMPLE_SITE.read_text(encoding="utf-8") + "\n[reports]\nmin_answers = 6\n")
    with connect(client) as conn:
        (site,) = overview(conn, ["kaleva"], THURSDAY, "fi")["sites"]
    assert site["min_answers"] == 6
    shown, hidden = site["this_week"], site["last_week_to_date"]
    assert shown["n"] == 6 and shown["score"] is not None
    assert hidden["hidden"] is True and hidden["n"] is None and hidden["fewer_than"] == 6
    for key in ("score", "distribution", "positive_share", "top_reasons"):
        assert hidden[key] is None
    assert site["change"] is None  # one of its two scores is hidden
    weeks_table, reasons_table = overview_tables(
        overview_for(client, THURSDAY), gettext=lambda s: s.upper()
    )
    assert weeks_table.headings[0] == "SITE"
    rows = list(
        csv.reader(io.StringIO(to_csv(weeks_table, "fi").decode("utf-8-sig")), delimiter=";")
    )
    fair_row = rows[2]
    assert fair_row[1] == "LAST WEEK TO THE SAME DAY" and fair_row[4] == "< 6"
    assert fair_row[9] == ""  # no score
    assert rows[1][9] == "72,2" and rows[1][11] == ""
    assert {row[1] for row in reasons_table.rows} == {"THIS WEEK", "LAST WEEK"}
    sheet = load_workbook(io.BytesIO(to_xlsx(weeks_table))).worksheets[0]
    assert sheet["J2"].value == pytest.approx(72.2) and sheet["E2"].value == 6


def overview_for(client, today):
    with connect(client) as conn:
        return overview(conn, ["kaleva"], today, "fi")


def test_the_heatmap_places_each_hour_in_local_time_across_dst(client, enrolment):
    # Sunday 25 October 2026: 03:00-03:59 happens twice (EEST, then EET).
    first_three = datetime(2026, 10, 25, 0, 10, tzinfo=UTC)  # 03:10 EEST
    second_three = datetime(2026, 10, 25, 1, 10, tzinfo=UTC)  # 03:10 EET
    items = [
        *ratings(first_three, [4, 4, 3]),
        *ratings(second_three, [4, 1]),
        *ratings(second_three + timedelta(minutes=20), [1], misuse=True),
        *ratings(local(2026, 10, 26, 10), [2, 2]),  # Monday 10: too few to show
        *ratings(local(2026, 6, 10, 12, offset=EEST), [4] * 5),  # Wednesday noon, summer
        ticket(local(2026, 10, 26, 9, 15), "laboratorio"),
        ticket(local(2026, 10, 26, 9, 20), "laboratorio"),
        ticket(local(2026, 10, 26, 9, 25), "neuvola"),
    ]
    accepted(client, enrolment["token"], items)
    period = (date(2026, 6, 1), date(2026, 10, 31))
    with connect(client) as conn:
        grid = heatmap(conn, ["kaleva"], *period)
        with_misuse = heatmap(conn, ["kaleva"], *period, include_misuse=True)
        lab = heatmap(conn, ["kaleva"], *period, service_point="laboratorio")
        stricter = heatmap(conn, ["kaleva"], *period, min_answers=6)
    assert len(grid["feedback"]) == 7 and all(len(row) == 24 for row in grid["feedback"])
    assert len(grid["checkins"]) == 7 and all(len(row) == 24 for row in grid["checkins"])
    sunday_three = grid["feedback"][6][3]
    assert sunday_three["weekday"] == 7 and sunday_three["hour"] == 3
    assert sunday_three["n"] == 5 and sunday_three["score"] == pytest.approx(73.3)
    assert grid["feedback"][6][2]["n"] == 0 and grid["feedback"][6][4]["n"] == 0
    monday_ten = grid["feedback"][0][10]
    assert monday_ten["hidden"] and monday_ten["n"] is None and monday_ten["fewer_than"] == 5
    assert monday_ten["score"] is None
    assert grid["feedback"][2][12]["n"] == 5 and grid["feedback"][2][12]["score"] == 100.0
    assert grid["checkins"][0][9] == 3 and sum(map(sum, grid["checkins"])) == 3
    assert grid["total"]["n"] == 12 and grid["total"]["checkins"] == 3
    assert with_misuse["feedback"][6][3]["n"] == 6
    assert lab["checkins"][0][9] == 2 and lab["total"]["n"] == 0
    assert stricter["min_answers"] == 6 and stricter["feedback"][6][3]["score"] is None
    scores, answers, checkins = heatmap_tables(grid)
    assert scores.headings[:3] == ["Weekday", "00", "01"] and len(scores.headings) == 25
    assert scores.rows[6][0] == "Sunday" and scores.rows[6][4] == pytest.approx(73.3)
    assert answers.rows[0][11] == "< 5" and checkins.rows[0][10] == 3
    sheet = load_workbook(io.BytesIO(to_xlsx(heatmap_tables(grid)))).worksheets[2]
    assert sheet.title == "Check-ins by hour" and sheet["K2"].value == 3


def test_the_comparison_shrinks_small_units_towards_the_mean(client, enrolment):
    lab = ratings(local(2026, 11, 10, 9), [4] * 36 + [3] * 4, service_point="laboratorio")
    child = ratings(local(2026, 11, 11, 9), [4] * 6, service_point="neuvola")
    nurse = ratings(local(2026, 11, 12, 9), [1, 1], service_point="hoitajan-vastaanotto")
    none = ratings(local(2026, 11, 12, 12), [1])  # feedback without a service point
    accepted(client, enrolment["token"], [*lab, *child, *nurse, *none])
    period = (date(2026, 11, 1), date(2026, 11, 30))
    with connect(client) as conn:
        points = comparison(conn, ["kaleva"], *period, by="service-point", language="en")
        raw = comparison(conn, ["kaleva"], *period, by="service-point", prior_strength=0)
    m = (36 * 100 + 4 * 200 / 3 + 6 * 100) / 48  # the no-point answer is in no unit
    assert points["formula"] == {
        "m": pytest.approx(round(m, 1)),
        "k": 10,
        "min_answers": 5,
        "n": 48,
        "fewer_than": None,
        "hidden": False,
    }
    assert points["without_service_point"] == 1
    order = [u["service_point"] for u in points["units"]]
    assert order == ["laboratorio", "neuvola", "hoitajan-vastaanotto"]
    first, second, small = points["units"]
    assert first["name"] == "Laboratory" and first["site_name"] == "Kaleva Health Station"
    assert first["score"] < second["score"] == 100.0  # raw order would be the other way
    lab_score = (36 * 100 + 4 * 200 / 3) / 40
    assert first["shrunk_score"] == pytest.approx(round((40 * lab_score + 10 * m) / 50, 1))
    assert second["shrunk_score"] == pytest.approx(round((6 * 100 + 10 * m) / 16, 1))
    assert small["hidden"] and small["n"] is None and small["fewer_than"] == 5
    for key in ("score", "shrunk_score", "distribution", "positive_share"):
        assert small[key] is None
    assert [u["service_point"] for u in raw["units"]][:2] == ["neuvola", "laboratorio"]
    assert raw["units"][0]["shrunk_score"] == raw["units"][0]["score"]
    units, formula = comparison_tables(points)
    assert units.rows[0][:5] == [
        "Kaleva Health Station", "Laboratory", 40, first["score"], first["shrunk_score"]
    ]  # fmt: skip
    assert units.rows[2][2] == "< 5" and units.rows[2][3] is None
    assert formula.rows[1][1] == 10


def test_comparing_sites_uses_the_largest_minimum(client, enrolment):
    stricter = OTHER_SITE + "\n[reports]\nmin_answers = 7\n"
    add_site(client, stricter)
    hervanta = enrol(client, "hervanta")
    accepted(client, enrolment["token"], ratings(local(2026, 11, 10, 9), [4] * 6 + [1] * 4))
    accepted(client, hervanta, ratings(local(2026, 11, 10, 9), [4] * 6))
    period = (date(2026, 11, 1), date(2026, 11, 30))
    with connect(client) as conn:
        sites = comparison(conn, ["kaleva", "hervanta"], *period, language="fi")
        alone = comparison(conn, ["kaleva"], *period)
    assert sites["formula"]["min_answers"] == 7 and alone["formula"]["min_answers"] == 5
    kaleva, other = sites["units"]
    assert kaleva["site"] == "kaleva" and kaleva["service_point"] is None
    assert kaleva["name"] == "Kalevan terveysasema" and kaleva["n"] == 10
    assert other["site"] == "hervanta" and other["hidden"] and other["score"] is None
    m = (6 * 100 + 6 * 100) / 16  # hervanta's hidden answers still count in the mean
    assert sites["formula"]["m"] == pytest.approx(round(m, 1))
    assert sites["without_service_point"] is None
    data = to_csv(comparison_tables(sites)[0], "en").decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(data)))[2][2] == "< 7"

"""The managers' pages (overview, site, comparison) against the real app: events sent through
the API, the pages' numbers checked against the JSON API's /api/v1/reports/feedback answer for
the same filters, and their XLSX downloads opened with openpyxl.

SQLite only: the figures beneath are tested on SQLite and PostgreSQL in test_figures.py; what
is tested here is the HTTP and HTML around them.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta
from html import unescape
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from central.db import write_transaction
from central.overview import weeks
from central.people import add_person
from tests.support.central import OTHER_SITE, accepted, add_site, at, enrol, key, ratings, ticket
from tests.support.console import PASSWORD, sign_in

pytestmark = pytest.mark.usefixtures("msgids")

HELSINKI = ZoneInfo("Europe/Helsinki")


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'central.sqlite'}"


def local(day: date, hour: int, minute: int = 0) -> datetime:
    """A Helsinki wall-clock time as a UTC instant."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=HELSINKI).astimezone(UTC)


TODAY = datetime.now(HELSINKI).date()
MONDAY = TODAY - timedelta(days=TODAY.weekday() + 21)  # three weeks back: a settled past
PERIOD = {"from": MONDAY.isoformat(), "to": (MONDAY + timedelta(days=13)).isoformat()}


def people(client: TestClient) -> None:
    with write_transaction(client.app.state.engine) as conn:
        add_person(conn, "hoitaja@example.fi", "manager", ["kaleva"], PASSWORD)
        add_person(conn, "paavo@example.fi", "admin", [], PASSWORD)
        add_person(conn, "it@example.fi", "it", [], PASSWORD)


@pytest.fixture
def stations(client: TestClient, enrolment: dict) -> TestClient:
    """Kaleva over two weeks (three service points, reasons, misuse, check-ins) and Hervanta
    with three answers (too few to show); a manager of Kaleva, an admin and an IT person."""
    add_site(client, OTHER_SITE)
    monday, wednesday = MONDAY, MONDAY + timedelta(days=9)
    lab, nurse = {"service_point": "laboratorio"}, {"service_point": "neuvola"}
    doctor = {"service_point": "laakarin-vastaanotto"}
    items = [
        *ratings(local(monday, 10), [4, 4], reason="friendly-staff", **lab),
        *ratings(local(monday, 10, 30), [3, 3, 2], **lab),
        *ratings(local(monday, 10, 50), [1], reason="waiting-time", **lab),
        *ratings(local(monday + timedelta(days=1), 14), [4, 4], **nurse),  # 2: too few
        *ratings(local(wednesday, 9), [3, 3, 3, 4, 4, 1, 2], **doctor),
        *ratings(local(wednesday, 11), [1, 1, 1], misuse=True, **lab),
        ticket(local(monday, 9), "laboratorio"),
        ticket(local(monday, 9, 10), "laboratorio"),
        ticket(local(wednesday, 8), "laakarin-vastaanotto"),
    ]
    # A kiosk whose clock was far in the past: left out of the rollups, counted apart.
    items.append(at(datetime(2019, 1, 1, tzinfo=UTC), monotonic_ms=99, rating=4))
    accepted(
        client, enrolment["token"], [{**e, "monotonic_ms": i + 1} for i, e in enumerate(items)]
    )
    accepted(client, enrol(client, "hervanta"), ratings(local(monday, 12), [4, 4, 4], **lab))
    people(client)
    return client


def api(client: TestClient, **params) -> dict:
    answer = client.get("/api/v1/reports/feedback", params=params, headers=key(client, "admin", []))
    assert answer.status_code == 200, answer.text
    return answer.json()


def text(html: str) -> str:
    """The page as one line of visible text (tags dropped), for matching figures."""
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def xlsx(client: TestClient, url: str, table: str) -> list[tuple]:
    joiner = "&" if "?" in url else "?"
    answer = client.get(f"{url}{joiner}download=xlsx&table={table}")
    assert answer.status_code == 200, answer.text
    sheet = load_workbook(io.BytesIO(answer.content)).active
    return list(sheet.iter_rows(values_only=True))


def comma(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}".replace(".", ",")


def query(**params) -> str:
    return "&".join(f"{k}={v}" for k, v in params.items())


# The site page


def test_the_site_page_shows_the_apis_numbers_and_hides_small_ones(stations):
    sign_in(stations, "hoitaja@example.fi")
    url = f"/sites/kaleva?{query(**PERIOD, by='day')}"
    page = stations.get(url)
    assert page.status_code == 200, page.text
    shown = text(page.text)
    truth = api(stations, site="kaleva", by="day", **PERIOD)
    total = truth["total"]
    assert total["n"] == 15
    assert f"Score {comma(total['score'])} Answers 15" in shown
    # Day by day: Monday's 6 answers are shown, Tuesday's 2 are not; Wednesday's 7 are.
    scores = xlsx(stations, url, "scores")
    assert scores[0] == ("Period", "Answers", "Score")
    by_day = {row[0].date(): row[1:] for row in scores[1:]}
    assert len(by_day) == 14  # every day of the period, empty ones too
    api_days = {b["bucket"]: b for b in truth["buckets"]}
    monday = api_days[MONDAY.isoformat()]
    assert by_day[MONDAY] == (6, monday["score"])
    assert by_day[MONDAY + timedelta(days=1)] == ("< 5", None)
    assert by_day[MONDAY + timedelta(days=2)] == (0, None)
    wednesday = api_days[(MONDAY + timedelta(days=9)).isoformat()]
    assert by_day[MONDAY + timedelta(days=9)] == (7, wednesday["score"])
    distribution = xlsx(stations, url, "distribution")
    row = next(r for r in distribution if r[0] and hasattr(r[0], "date") and r[0].date() == MONDAY)
    d = monday["distribution"]
    assert row[1:] == (6, d["1"], d["2"], d["3"], d["4"], monday["positive_share"])
    hidden = next(r for r in distribution[1:] if r[1] == "< 5")
    assert hidden[2:] == (None, None, None, None, None)
    # The chart has the same gaps: no number from Tuesday's two answers.
    config = re.search(r'id="chart-scores">(.*?)</script>', page.text).group(1)
    assert config.count("null") == 12 and str(monday["score"]) in config


def test_service_points_reasons_and_check_ins(stations):
    sign_in(stations, "hoitaja@example.fi")
    url = f"/sites/kaleva?{query(**PERIOD)}"
    shown = text(stations.get(url).text)
    points = {
        b["bucket"]: b
        for b in api(stations, site="kaleva", by="service-point", **PERIOD)["buckets"]
    }
    rows = {r[0]: r[1:] for r in xlsx(stations, url, "service-points")[1:]}
    lab = points["laboratorio"]
    assert rows["Laboratorio"][:2] == (6, lab["score"])
    assert rows["Neuvola"] == ("< 5", None, None, None, None, None, None)
    assert list(rows)[-1] == "Neuvola"  # hidden last
    assert "Lääkärin vastaanotto" in shown
    reasons = xlsx(stations, url, "reasons")
    assert reasons[1:] == [("Ystävällinen henkilökunta", 2, 0), ("Odotusaika", 1, 0)]
    checkins = {r[0].date(): r[1] for r in xlsx(stations, url, "checkins")[1:]}
    assert checkins[MONDAY] == 2 and sum(checkins.values()) == 3


def test_misuse_is_left_out_and_counted_and_can_be_included(stations):
    sign_in(stations, "hoitaja@example.fi")
    base = f"/sites/kaleva?{query(**PERIOD)}"
    assert "3 ratings were flagged as misuse" in text(stations.get(base).text)
    page = text(stations.get(base + "&include_misuse=1").text)
    truth = api(stations, site="kaleva", include_misuse="true", **PERIOD)["total"]
    assert truth["n"] == 18
    assert "The figures include 3 ratings flagged as misuse" in page
    assert f"Score {comma(truth['score'])} Answers 18" in page


def test_the_filters_narrow_the_figures(stations):
    sign_in(stations, "hoitaja@example.fi")
    url = f"/sites/kaleva?{query(**PERIOD, by='week', service_point='laboratorio')}"
    page = stations.get(url)
    assert 'value="laboratorio" selected' in page.text
    truth = api(stations, site="kaleva", by="week", service_point="laboratorio", **PERIOD)
    rows = xlsx(stations, url, "scores")[1:]
    assert len(rows) == 2  # two weeks
    assert rows[0][1:] == (6, truth["buckets"][0]["score"])
    assert rows[1][1:] == (0, None)  # the misuse of the second week is left out
    month = xlsx(stations, f"/sites/kaleva?{query(**PERIOD, by='month')}", "scores")
    assert sum(r[1] for r in month[1:] if isinstance(r[1], int)) == 15
    quick = stations.get("/sites/kaleva?quick=last_4_weeks")
    start = (TODAY - timedelta(days=27)).isoformat()
    assert f'name="from" type="date" value="{start}"' in quick.text


def test_the_heat_map_reads_as_tables(stations):
    sign_in(stations, "hoitaja@example.fi")
    url = f"/sites/kaleva?{query(**PERIOD)}"
    page = stations.get(url).text
    assert "<caption>Score by weekday and hour</caption>" in page
    assert '<th scope="row">maanantai</th>' in page  # Babel's weekday names, Finnish here
    scores = xlsx(stations, url, "heat-scores")
    monday = scores[1]
    assert monday[0] == "maanantai" and monday[11] == pytest.approx(61.1, abs=0.1)
    tuesday = scores[2]
    assert tuesday[15] is None  # two answers: no score
    assert xlsx(stations, url, "heat-answers")[2][15] == "< 5"
    checkins = xlsx(stations, url, "heat-checkins")
    assert checkins[1][10] == 2 and checkins[3][9] == 1
    heat = re.findall(r'<td class="heat (heat-[0-9]|heat-none)">(.*?)</td>', page)
    assert len(heat) == 2 * 7 * 7  # 08..14: the hours with anything in them; files have 24
    assert "the downloads have all 24" in page
    assert any(cls == "heat-none" and "Fewer than 5 answers" in cell for cls, cell in heat)


def test_left_out_times_are_counted_in_a_note(stations):
    sign_in(stations, "hoitaja@example.fi")
    shown = text(stations.get("/sites/kaleva").text)  # the last 28 days: the event came today
    assert "1 event is left out: its kiosk's clock was implausible" in shown


# The overview


@pytest.fixture
def this_week(client: TestClient, enrolment: dict) -> TestClient:
    now = datetime.now(UTC) - timedelta(minutes=30)
    if now.astimezone(HELSINKI).date().weekday() != datetime.now(HELSINKI).weekday():
        pytest.skip("the first half hour of a week has no 'this week' yet")
    earlier = now - timedelta(days=7)
    items = [
        *[at(now - timedelta(seconds=i), rating=r, reason="friendly-staff" if r == 4 else None)
          for i, r in enumerate([4, 4, 4, 3, 1, 2])],
        *[at(earlier - timedelta(seconds=i), rating=r) for i, r in enumerate([2, 2, 3, 4, 1])],
    ]  # fmt: skip
    accepted(
        client, enrolment["token"], [{**e, "monotonic_ms": i + 1} for i, e in enumerate(items)]
    )
    people(client)
    return client


def test_the_overview_has_this_week_against_last_week(this_week):
    sign_in(this_week, "hoitaja@example.fi")
    page = this_week.get("/")
    assert page.status_code == 200
    shown = text(page.text)
    first, last = weeks(TODAY)["this_week"]
    now = api(this_week, site="kaleva", by="week", **{"from": first, "to": last})["total"]
    first, last = weeks(TODAY)["last_week_to_date"]
    before = api(this_week, site="kaleva", by="week", **{"from": first, "to": last})["total"]
    assert f"{comma(now['score'])} score, n = 6" in shown
    change = round(now["score"] - before["score"], 1)
    assert f"▲ Up {comma(change)} points" in shown
    assert "0 = everyone very unhappy, 100 = everyone very happy" in shown
    assert "Ystävällinen henkilökunta (3)" in shown
    assert 'href="/sites/kaleva"' in page.text
    assert 'data-chart="chart-kaleva"' in page.text
    rows = xlsx(this_week, "/", "overview")
    assert rows[1][4:10] == (6, 1, 1, 1, 3, now["score"])
    assert rows[1][11] == change


def test_the_it_staff_go_to_the_fleet_and_an_admin_sees_every_site(this_week):
    add_site(this_week, OTHER_SITE)
    sign_in(this_week, "it@example.fi")
    assert this_week.get("/", follow_redirects=False).headers["location"] == "/fleet"
    assert this_week.get("/sites").status_code == 403
    assert this_week.get("/compare").status_code == 403
    sign_in(this_week, "paavo@example.fi")
    page = this_week.get("/").text
    shown = text(page)
    assert shown.count("Open the page of") == 2  # both sites (the copy has Kaleva's names)
    assert 'href="/sites/kaleva"' in page and 'href="/sites/hervanta"' in page
    assert "No answers this week" in shown  # the other site


def test_swedish_pages_have_decimal_commas_and_english_points(this_week):
    sign_in(this_week, "hoitaja@example.fi")
    page = this_week.get("/")
    csrf = re.findall(r'name="csrf_token" value="([^"]+)"', page.text)[0]
    first, last = weeks(TODAY)["this_week"]
    score = api(this_week, site="kaleva", by="week", **{"from": first, "to": last})["total"]
    for language, shown in (("sv", comma(score["score"])), ("en", f"{score['score']:.1f}")):
        this_week.post("/language", data={"language": language, "csrf_token": csrf, "next": "/"})
        body = this_week.get("/").text
        assert f'<span class="score">{shown}</span>' in body, language
        if language == "sv":
            assert "Kalevas hälsostation" in body
            share = comma(score["positive_share"] * 100)
            assert re.search(share + r"\s%", body)  # 66,7 % with Swedish spacing


# The comparison


def test_the_comparison_sorts_by_shrunken_score_and_hides_small_units(stations):
    sign_in(stations, "paavo@example.fi")
    url = f"/compare?{query(**PERIOD, by='service-point')}"
    page = stations.get(url)
    assert page.status_code == 200, page.text
    shown = text(page.text)
    truth = api(stations, site=["kaleva", "hervanta"], by="service-point", **PERIOD)
    counted = [b for b in truth["buckets"] if b["bucket"] != "-"]
    mean = sum(b["score"] * b["n"] for b in counted) / sum(b["n"] for b in counted)
    assert f"where m = {comma(mean)} is the mean of all the compared answers and k = 10" in shown
    rows = xlsx(stations, url, "comparison")[1:]
    assert {r[1] for r in rows[:2]} == {"Laboratorio", "Lääkärin vastaanotto"}
    shrunk = [r[4] for r in rows if r[2] != "< 5"]
    assert shrunk == sorted(shrunk, reverse=True)
    for row in rows:
        if row[2] == "< 5":
            assert row[3:] == (None,) * 7
    assert [r[2] for r in rows[-2:]] == ["< 5", "< 5"]  # Neuvola and Hervanta's laboratorio
    assert shown.count("Fewer than 5 answers") == 2
    lab = next(b for b in counted if b["bucket"] == "laboratorio")
    kaleva_lab = next(r for r in rows if r[0] == "Kalevan terveysasema" and r[1] == "Laboratorio")
    assert kaleva_lab[2] == 6 and kaleva_lab[3] == pytest.approx(61.1, abs=0.1)
    assert lab["n"] == 9  # the API sums both sites' laboratories; the comparison keeps them apart
    chart = re.search(r'id="chart-compare">(.*?)</script>', page.text).group(1)
    assert "Neuvola" not in chart and "Laboratorio" in chart


def test_the_comparison_of_sites_defaults_to_every_site_of_the_person(stations):
    sign_in(stations, "paavo@example.fi")
    page = stations.get(f"/compare?{query(**PERIOD)}")
    assert 'value="kaleva" checked' in page.text and 'value="hervanta" checked' in page.text
    rows = xlsx(stations, f"/compare?{query(**PERIOD)}", "comparison")[1:]
    assert rows[0][0] == "Kalevan terveysasema" and rows[0][2] == 15
    assert rows[1][2] == "< 5" and rows[1][3:] == (None,) * 7
    sign_in(stations, "hoitaja@example.fi")
    mine = stations.get("/compare")
    assert 'value="kaleva" checked' in mine.text and "hervanta" not in mine.text


# Access and bad requests


def test_a_manager_is_refused_another_sites_pages_and_downloads(stations):
    sign_in(stations, "hoitaja@example.fi")
    for url in (
        "/sites/hervanta",
        "/sites/hervanta?download=xlsx&table=scores",
        "/compare?site=hervanta",
        "/compare?site=kaleva&site=hervanta&download=csv&table=comparison",
        "/sites/no-such-site",  # a refusal says nothing of which ids are sites
    ):
        answer = stations.get(url)
        assert answer.status_code == 403, url
        assert "text/html" in answer.headers["content-type"]
    assert stations.get("/sites", follow_redirects=False).headers["location"] == "/sites/kaleva"
    sign_in(stations, "paavo@example.fi")
    assert stations.get("/sites/no-such-site").status_code == 404
    listed = stations.get("/sites", follow_redirects=False)
    assert listed.status_code == 200
    assert 'href="/sites/kaleva"' in listed.text and 'href="/sites/hervanta"' in listed.text


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "2026-11-30", "to": "2026-11-01"}, "The period ends before it starts"),
        ({"from": "2020-01-01", "to": "2026-11-01"}, "at most 1096 days"),
        ({"from": "30.11.2026", "to": "2026-12-01"}, "Write the days as year-month-day"),
        ({"from": "1999-12-31", "to": "2000-01-05"}, "Reports cover the days from 2000-01-01"),
        ({"service_point": "sauna"}, "no such service point"),
    ],
)
def test_a_bad_period_is_a_message_on_the_page_with_the_form_kept(stations, params, message):
    sign_in(stations, "hoitaja@example.fi")
    answer = stations.get("/sites/kaleva", params=params)
    assert answer.status_code == 422
    assert "text/html" in answer.headers["content-type"]
    assert message in text(answer.text)
    if "from" in params:
        assert f'value="{params["from"]}"' in answer.text
    download = stations.get(
        "/sites/kaleva", params={**params, "download": "csv", "table": "scores"}
    )
    assert download.status_code == 422 and message in text(download.text)


def test_a_comparison_over_twenty_years_is_refused_on_the_page(stations):
    sign_in(stations, "paavo@example.fi")
    answer = stations.get("/compare", params={"from": "2000-01-01", "to": "2026-01-01"})
    assert answer.status_code == 422 and "at most 7305 days" in text(answer.text)
    assert 'value="2000-01-01"' in answer.text

"""The site report as a PDF (central.report_pdf) and its SVG charts (central.svg_charts):
rendered by WeasyPrint from events sent through the API, read back with poppler's pdftotext
(the numbers, the station's name, the language), a page drawn with pdftoppm; a figure from
fewer answers than the minimum never in it.

SQLite only: the figures beneath are tested on both databases in test_figures.py.
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from central import svg_charts
from central.report_pdf import ReportPdfError, render_report, report_html
from central.site_store import load_site
from tests.support.central import HERVANTA_SITE, accepted, add_site, enrol, key, ratings, ticket

HELSINKI = ZoneInfo("Europe/Helsinki")
TODAY = datetime.now(HELSINKI).date()
MONDAY = TODAY - timedelta(days=TODAY.weekday() + 14)
SUNDAY = MONDAY + timedelta(days=6)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'central.sqlite'}"


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=HELSINKI).astimezone(UTC)


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    done = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return done.stdout


@pytest.fixture
def station(client: TestClient) -> TestClient:
    """Kaleva's week: seven answers at the laboratory on Monday (score 66,7), two at the child
    health clinic on Wednesday (ratings 1 and 2: a score of 16,7, too few to show), two
    check-ins; Hervanta with six answers."""
    add_site(client)
    add_site(client, HERVANTA_SITE)
    lab = {"service_point": "laboratorio"}
    items = [
        *ratings(local(MONDAY, 10), [4, 4, 3, 3, 2, 1, 4], reason="friendly-staff", **lab),
        *ratings(local(MONDAY + timedelta(days=2), 14), [1, 2], service_point="neuvola"),
        ticket(local(MONDAY, 9), "laboratorio"),
        ticket(local(MONDAY, 9, 5), "laboratorio"),
    ]
    numbered = [{**e, "monotonic_ms": i + 1} for i, e in enumerate(items)]
    accepted(client, enrol(client, "kaleva"), numbered)
    hervanta = ratings(local(MONDAY, 12), [4, 4, 4, 3, 3, 4], **lab)
    accepted(client, enrol(client, "hervanta"), hervanta)
    return client


def render(client: TestClient, sites: list[str], language: str, **options):
    with client.app.state.engine.connect() as conn:
        definitions = [load_site(conn, site) for site in sites]
        return render_report(conn, definitions, MONDAY, SUNDAY, language=language, **options)


def test_the_pdf_has_the_numbers_and_the_station_in_finnish(station, tmp_path):
    report = render(station, ["kaleva"], "fi")
    assert report.data.startswith(b"%PDF-")
    assert report.filename == f"hymy-kaleva-{MONDAY}-{SUNDAY}.pdf"
    text = pdf_text(report.data, tmp_path)
    assert "Kalevan terveysasema" in text
    assert "Indeksin kehitys" in text  # the Finnish catalog, ä and all
    # The laboratory's seven answers: score 66,7 and 71,4 % positive; the week's nine answers.
    assert "66,7" in text
    assert "71,4 %" in text
    assert re.search(r"Vastaukset\s.*\n\s*\S+\s+9\b", text) or " 9 " in text
    assert "Laboratorio" in text
    assert "Ystävällinen henkilökunta" in text  # the top reason, by its Finnish name


def test_a_figure_from_too_few_answers_is_never_in_the_pdf(station, tmp_path):
    text = pdf_text(render(station, ["kaleva"], "fi").data, tmp_path)
    # The clinic's two answers (1 and 2) would score 16,7: only "< 5" stands for them.
    assert "16,7" not in text
    assert re.search(r"<\s?5", text)  # pdftotext's layout may close up "< 5"
    clinic = next(line for line in text.splitlines() if "Neuvola" in line)
    assert re.search(r"<\s?5", clinic) and not re.search(r"\d+,\d", clinic)


def test_the_pdf_is_in_the_readers_language(station, tmp_path):
    swedish = pdf_text(render(station, ["kaleva"], "sv").data, tmp_path)
    assert "Kalevas hälsostation" in swedish
    assert "66,7" in swedish
    english = pdf_text(render(station, ["kaleva"], "en").data, tmp_path)
    assert "Kaleva Health Station" in english
    assert "66.7" in english and "Score over time" in english


def test_a_region_report_sums_up_every_site_then_each_on_its_pages(station, tmp_path):
    report = render(station, ["hervanta", "kaleva"], "fi")
    assert report.filename == f"hymy-sites-{MONDAY}-{SUNDAY}.pdf"
    text = pdf_text(report.data, tmp_path)
    summary = text.split("Kalevan terveysasema")[0]
    assert "Hervannan terveysasema" in summary
    assert text.count("Kalevan terveysasema") >= 2  # in the summary and as its own heading


def test_a_page_of_the_pdf_is_drawn(station, tmp_path):
    """pdftoppm draws the first page (the PNG of the docs; looked at when it changes)."""
    path = tmp_path / "report.pdf"
    path.write_bytes(render(station, ["kaleva"], "fi").data)
    subprocess.run(
        ["pdftoppm", "-r", "50", "-f", "1", "-l", "1", "-png", str(path), str(tmp_path / "page")],
        check=True,
    )
    (png,) = tmp_path.glob("page*.png")
    assert png.read_bytes().startswith(b"\x89PNG") and png.stat().st_size > 10_000


def test_a_language_the_console_has_not_is_refused(station):
    with station.app.state.engine.connect() as conn:
        definition = load_site(conn, "kaleva")
        with pytest.raises(ReportPdfError, match="fi, sv, en"):
            report_html(conn, [definition], MONDAY, SUNDAY, language="de")
        with pytest.raises(ReportPdfError, match="at least one site"):
            report_html(conn, [], MONDAY, SUNDAY, language="fi")


# The charts alone (pure).


def parsed(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)


NS = "{http://www.w3.org/2000/svg}"


def test_a_hidden_score_is_a_gap_not_a_zero():
    svg = parsed(svg_charts.line_chart(["a", "b", "c", "d"], [50.0, None, 70.0, 80.0], "Score"))
    assert svg.find(f"{NS}title").text == "Score"
    assert len(svg.findall(f"{NS}circle")) == 3
    (line,) = svg.findall(f"{NS}polyline")  # c-d joined; a stands alone
    assert len(line.get("points").split()) == 2


def test_a_hidden_distribution_draws_no_bar_and_words_are_escaped():
    svg = svg_charts.stacked_chart(
        ["a", "b"], [[1, 0, 2, 3], None], "Answers <by> rating", ["1", "2", "3", "4"]
    )
    tree = parsed(svg)
    assert tree.find(f"{NS}title").text == "Answers <by> rating"
    bars = [r for r in tree.findall(f"{NS}rect") if r.get("width") != "10"]  # not the legend's
    assert len(bars) == 3  # a's three ratings with answers; nothing for b


def test_bars_have_a_readable_scale():
    assert svg_charts.nice_top(0) == (4.0, 1.0)
    assert svg_charts.nice_top(7) == (8.0, 2.0)
    assert svg_charts.nice_top(93) == (100.0, 25.0) or svg_charts.nice_top(93)[0] >= 93
    tree = parsed(svg_charts.bar_chart(["a", "b"], [0, 12], "Check-ins"))
    assert len(tree.findall(f"{NS}rect")) == 1


# GET /api/v1/reports/pdf


def pdf_get(client: TestClient, headers: dict, **params):
    query = {"from": MONDAY.isoformat(), "to": SUNDAY.isoformat(), **params}
    return client.get("/api/v1/reports/pdf", params=query, headers=headers)


def test_the_api_gives_a_manager_the_pdf_of_their_own_site_only(station, tmp_path):
    manager = key(station, "manager", ["kaleva"])
    answer = pdf_get(station, manager, site="kaleva", language="sv")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    assert f'filename="hymy-kaleva-{MONDAY}-{SUNDAY}.pdf"' in answer.headers["content-disposition"]
    assert "Kalevas hälsostation" in pdf_text(answer.content, tmp_path)
    refused = pdf_get(station, manager, site="hervanta")
    assert refused.status_code == 403 and "hervanta" in refused.json()["detail"]
    both = pdf_get(station, manager, site=["kaleva", "hervanta"])
    assert both.status_code == 403
    assert pdf_get(station, key(station, "it", []), site="kaleva").status_code == 403


@pytest.mark.parametrize(
    ("params", "status", "words"),
    [
        ({"from": "2026-13-01"}, 422, "from"),
        ({"from": "2026-11-30", "to": "2026-11-01"}, 422, "before it starts"),
        ({"language": "de"}, 422, "language"),
        ({"by": "hour"}, 422, "by"),
        ({"from": "2026-01-01", "to": "2026-12-31"}, 422, "by week or month"),
        ({"site": "nowhere"}, 404, "nowhere"),
    ],
)
def test_bad_input_gets_a_clear_problem(station, params, status, words):
    answer = pdf_get(station, key(station, "admin", []), **{"site": "kaleva", **params})
    assert answer.status_code == status, answer.text
    assert words in answer.text


# hymy-central report pdf


def test_the_report_command_writes_the_pdf(station, db_url, tmp_path):
    out = tmp_path / "kaleva.pdf"
    cli = [sys.executable, "-m", "central.cli", "--db", db_url, "report", "pdf", "--site", "kaleva"]
    period = ["--from", MONDAY.isoformat(), "--to", SUNDAY.isoformat()]
    done = subprocess.run(
        [*cli, *period, "--language", "sv", "--out", str(out)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert f"wrote {out}" in done.stdout
    assert "Kalevas hälsostation" in pdf_text(out.read_bytes(), tmp_path)
    missing = subprocess.run([*cli, *period], capture_output=True, text=True)
    assert missing.returncode == 2 and "--out FILE" in missing.stderr
    other = subprocess.run(
        [*cli[:-1], "nowhere", *period, "--out", str(out)], capture_output=True, text=True
    )
    assert other.returncode == 1 and "nowhere" in other.stderr

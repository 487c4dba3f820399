"""`hymy-central export` on a central with a week of answers: the daily and monthly rollups and
the comments as CSV, XLSX and Parquet, read back with csv, openpyxl and pyarrow; a figure from
too few answers withheld as in the feed; clear errors for a bad site, period or file."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.support.central import HERVANTA_SITE, accepted, add_site, enrol, ratings

HELSINKI = ZoneInfo("Europe/Helsinki")
TODAY = datetime.now(HELSINKI).date()
MONDAY = TODAY - timedelta(days=TODAY.weekday() + 14)
WEDNESDAY = MONDAY + timedelta(days=2)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'central.sqlite'}"


def local(day, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=HELSINKI).astimezone(UTC)


@pytest.fixture
def station(client: TestClient) -> TestClient:
    """Kaleva: seven answers at the laboratory on Monday (one with a comment), two at the child
    health clinic on Wednesday (too few to show); Hervanta six on Monday."""
    add_site(client)
    add_site(client, HERVANTA_SITE)
    lab = ratings(local(MONDAY, 10), [4, 4, 3, 3, 2, 1, 4], service_point="laboratorio")
    lab[0] = {**lab[0], "comment": "Ystävällinen vastaanotto"}
    few = ratings(local(WEDNESDAY, 14), [1, 2], service_point="neuvola")
    accepted(client, enrol(client, "kaleva"), [*lab, *few])
    accepted(client, enrol(client, "hervanta"), ratings(local(MONDAY, 12), [4, 4, 4, 3, 3, 4]))
    return client


def export(db_url: str, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "central.cli", "--db", db_url, "export", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def period() -> list[str]:
    return ["--from", MONDAY.isoformat(), "--to", (MONDAY + timedelta(days=6)).isoformat()]


def test_daily_rollups_as_csv_xlsx_and_parquet_hold_the_same_guarded_figures(
    station, db_url, tmp_path
):
    files = {}
    for fmt in ("csv", "xlsx", "parquet"):
        out = tmp_path / f"week.{fmt}"
        done = export(db_url, *period(), "--site", "kaleva", "--format", fmt, "--out", str(out))
        assert done.returncode == 0, done.stderr
        assert f"wrote {out} (2 rows of daily, {fmt})" in done.stdout
        files[fmt] = out
    text = files["csv"].read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))  # Finnish: ; and 66,7
    by_point = {r["service_point"]: r for r in rows}
    assert by_point["laboratorio"]["answers"] == "7"
    assert (
        by_point["laboratorio"]["score"] == "66,7"
    )  # (100+100+66,7+66,7+33,3+0+100)/7, rounded as the feed
    assert by_point["neuvola"]["hidden"] == "true" and by_point["neuvola"]["score"] == ""
    assert by_point["neuvola"]["rating_1"] == ""  # two answers: not even the distribution
    sheet = load_workbook(files["xlsx"]).active
    header = [c.value for c in sheet[1]]
    xlsx = [dict(zip(header, [c.value for c in row], strict=True)) for row in sheet.iter_rows(2)]
    assert {r["service_point"]: r["answers"] for r in xlsx}["laboratorio"] == 7
    table = pq.read_table(files["parquet"])
    assert str(table.schema.field("day").type) == "date32[day]"
    assert str(table.schema.field("answers").type) == "int32"
    assert str(table.schema.field("score").type) == "double"
    parquet = {r["service_point"]: r for r in table.to_pylist()}
    assert parquet["laboratorio"]["day"] == MONDAY
    assert parquet["neuvola"]["score"] is None and parquet["neuvola"]["hidden"] is True
    assert header == table.column_names  # one column order in every format


def test_monthly_rollups_of_every_site_and_the_comments(station, db_url, tmp_path):
    out = tmp_path / "months.parquet"
    done = export(db_url, *period(), "--table", "monthly", "--format", "parquet", "--out", str(out))
    assert done.returncode == 0, done.stderr
    rows = pq.read_table(out).to_pylist()
    assert {r["site_id"] for r in rows} == {"kaleva", "hervanta"}
    assert all(r["month"].day == 1 for r in rows)
    out = tmp_path / "comments.csv"
    done = export(
        db_url, *period(), "--table", "comments", "--format", "csv", "--language", "en",
        "--out", str(out),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    (comment,) = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert comment["text"] == "Ystävällinen vastaanotto" and comment["rating"] == "4"


def test_mistakes_get_a_sentence_and_no_file(station, db_url, tmp_path):
    out = tmp_path / "x.csv"
    wrong_site = export(db_url, "--site", "nowhere", "--format", "csv", "--out", str(out))
    assert wrong_site.returncode == 1 and "nowhere" in wrong_site.stderr
    assert "site list" in wrong_site.stderr
    backwards = export(
        db_url, "--from", "2026-11-30", "--to", "2026-11-01", "--format", "csv", "--out", str(out)
    )
    assert backwards.returncode == 2 and "first day first" in backwards.stderr
    no_format = export(db_url, "--out", str(out))
    assert no_format.returncode == 2 and "--format" in no_format.stderr
    folder = export(db_url, "--format", "csv", "--out", str(tmp_path))
    assert folder.returncode == 2 and "is a directory" in folder.stderr
    assert not out.exists()
    for done in (wrong_site, backwards, no_format, folder):
        assert "Traceback" not in done.stderr

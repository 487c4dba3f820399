"""Downloads: CSV as Finnish, Swedish and English Excel read it, XLSX with real numbers, and no
formula from a text cell in either."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from central.downloads import Table, file_name, sheet_name, to_csv, to_xlsx

TABLE = Table(
    title="Viikko: kaleva/laboratorio [2026]?",
    headings=["Päivä", "Vastauksia", "Tulos", "Kommentti"],
    rows=[
        [date(2026, 11, 30), 12, 72.5, "Hyvä palvelu, kiitos"],
        [date(2026, 12, 1), 0, None, '=HYPERLINK("http://x")'],
        [date(2026, 12, 2), 7, 0.00001, "-1+2"],
        [None, None, 100.0, "@SUM(A1)"],
        ["yhteensä", 19, 1234.25, "\tsarkain"],
    ],
)


def read_csv(data: bytes, delimiter: str) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=delimiter))


@pytest.mark.parametrize("locale", ["fi", "sv", "fi-FI", "sv_FI"])
def test_finnish_and_swedish_csv_has_semicolons_and_decimal_commas(locale):
    rows = read_csv(to_csv(TABLE, locale), ";")
    assert rows[0] == ["Päivä", "Vastauksia", "Tulos", "Kommentti"]
    assert rows[1] == ["2026-11-30", "12", "72,5", "Hyvä palvelu, kiitos"]
    assert rows[2][2] == "" and rows[3][2] == "0,00001"
    assert rows[5][2] == "1234,25"


def test_english_csv_has_commas_and_points():
    rows = read_csv(to_csv(TABLE, "en"), ",")
    assert rows[1] == ["2026-11-30", "12", "72.5", "Hyvä palvelu, kiitos"]
    assert rows[5][2] == "1234.25"


def test_csv_text_that_a_spreadsheet_would_run_gets_an_apostrophe():
    rows = read_csv(to_csv(TABLE, "fi"), ";")
    assert [row[3] for row in rows[2:]] == [
        '\'=HYPERLINK("http://x")',
        "'-1+2",
        "'@SUM(A1)",
        "'\tsarkain",
    ]
    assert rows[4][0] == ""  # None is an empty field


def test_xlsx_has_real_numbers_a_bold_header_and_no_formulas():
    book = load_workbook(io.BytesIO(to_xlsx(TABLE)))
    sheet = book.worksheets[0]
    assert sheet.title == "Viikko- kaleva-laboratorio -2026--"[:31]
    header = sheet[1]
    assert [c.value for c in header] == TABLE.headings and all(c.font.b for c in header)
    assert sheet["B2"].value == 12 and sheet["B2"].data_type == "n"
    assert sheet["C2"].value == 72.5 and sheet["C2"].data_type == "n"
    assert sheet["A2"].value.date() == date(2026, 11, 30) and sheet["A2"].is_date
    formula = sheet["D3"]
    assert formula.value == '=HYPERLINK("http://x")' and formula.data_type == "s"
    assert sheet["D4"].data_type == "s" and sheet["D5"].data_type == "s"
    assert sheet["C3"].value is None
    widths = {k: d.width for k, d in sheet.column_dimensions.items()}
    assert widths["D"] >= len("Hyvä palvelu, kiitos") and widths["B"] >= len("Vastauksia")


def test_several_tables_are_several_sheets_with_distinct_names():
    long = "A title far longer than Excel's thirty-one characters"
    book = load_workbook(io.BytesIO(to_xlsx([Table(long, ["x"], [[1]]), Table(long, ["y"], [])])))
    names = book.sheetnames
    assert len(names) == 2 and len(set(names)) == 2 and all(len(n) <= 31 for n in names)
    assert names[1].endswith("(2)")
    assert sheet_name("'[]'") == "--"
    assert sheet_name("") == "Sheet"


def test_cells_of_other_types_are_refused():
    for wrong in (True, datetime(2026, 1, 1), [1]):
        with pytest.raises(TypeError):
            to_csv(Table("t", ["a"], [[wrong]]), "fi")
        with pytest.raises(TypeError):
            to_xlsx(Table("t", ["a"], [[wrong]]))


def test_file_names_are_ascii():
    assert file_name("kaleva", date(2026, 11, 30), extension="xlsx") == (
        "hymy-kaleva-2026-11-30.xlsx"
    )
    assert file_name("Hälsostation Åbo/../x", "viikko 48", extension=".CSV") == (
        "hymy-halsostation-abo-x-viikko-48.csv"
    )

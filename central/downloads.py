"""Downloads of the console's figures: one generic `Table` of typed cells, written as CSV that
Excel opens correctly in Finland and Sweden, or as XLSX with real numbers.

CSV: UTF-8 with a byte-order mark (without one Excel reads ä and å as two characters each).
Finnish and Swedish Excel expect `;` between fields and a decimal comma (their list separator is
`;` because `,` is the decimal mark); English gets `,` and a point.

Formula injection: a text cell that starts with = + - @, a tab or a carriage return could be run
as a formula by a spreadsheet (a comment or a site name is typed by someone else); in CSV it gets
a leading apostrophe, in XLSX it is stored as a string cell, never as a formula.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

Cell = str | int | float | date | None
DECIMAL_COMMA_LANGUAGES = ("fi", "sv")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SHEET_NAME_LENGTH = 31  # Excel's limit
SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
WIDEST_COLUMN = 60
BOM = "\ufeff"


@dataclass
class Table:
    """A titled table of typed cells: what a chart shows, as numbers a person can download.
    Cells are str, int, float, date or None (empty)."""

    title: str
    headings: list[str]
    rows: list[list[Cell]] = field(default_factory=list)


def _checked(value: object) -> Cell:
    # bool is an int and datetime a date, but neither has one obvious spreadsheet form
    if value is None or (
        isinstance(value, str | int | float | date) and not isinstance(value, bool | datetime)
    ):
        return value  # type: ignore[return-value]
    raise TypeError(f"A table cell is str, int, float, date or None, not {value!r}.")


def _defused(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_text(value: Cell, decimal_comma: bool) -> str:
    value = _checked(value)
    if value is None:
        return ""
    if isinstance(value, str):
        return _defused(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return ""  # no spreadsheet reads NaN or infinity as a number
        text = format(Decimal(repr(value)), "f")  # positional, never 1e-05
        return text.replace(".", ",") if decimal_comma else text
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def to_csv(table: Table, locale: str) -> bytes:
    """The headings and rows as CSV bytes (UTF-8 with BOM): `;` and a decimal comma for fi and
    sv (also fi-FI, sv_FI), `,` and a point otherwise. The title is not written: CSV has no
    place for it (the file name carries it)."""
    decimal_comma = re.split(r"[-_]", locale.lower())[0] in DECIMAL_COMMA_LANGUAGES
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if decimal_comma else ",", lineterminator="\r\n")
    writer.writerow([_defused(h) for h in table.headings])
    for row in table.rows:
        writer.writerow([_csv_text(cell, decimal_comma) for cell in row])
    return (BOM + out.getvalue()).encode("utf-8")


def sheet_name(title: str, taken: Iterable[str] = ()) -> str:
    """The title as an Excel sheet name: no []:*?/\\, not starting or ending with an
    apostrophe, at most 31 characters, not empty, and unlike the names in `taken`."""
    name = SHEET_FORBIDDEN.sub("-", title).strip().strip("'").strip() or "Sheet"
    name = name[:SHEET_NAME_LENGTH].rstrip("'")
    used = {t.lower() for t in taken}
    candidate, number = name, 1
    while candidate.lower() in used:
        number += 1
        suffix = f" ({number})"
        candidate = name[: SHEET_NAME_LENGTH - len(suffix)].rstrip("'") + suffix
    return candidate


def to_xlsx(tables: Table | Iterable[Table]) -> bytes:
    """An XLSX workbook, one sheet per table named after its title: a bold header row frozen at
    the top, numbers and dates as real cells, text always as text, columns wide enough."""
    book = Workbook()
    book.remove(book.active)
    for table in [tables] if isinstance(tables, Table) else list(tables):
        sheet = book.create_sheet(sheet_name(table.title, book.sheetnames))
        widths = [len(h) for h in table.headings]
        sheet.append(list(table.headings))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.data_type = "s"
        for r, row in enumerate(table.rows, start=2):
            for c, value in enumerate(row, start=1):
                value = _checked(value)
                if isinstance(value, float) and (value != value or abs(value) == float("inf")):
                    value = None
                cell = sheet.cell(row=r, column=c, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"  # "=1+1" stays text, never a formula
                elif isinstance(value, date):
                    cell.number_format = "yyyy-mm-dd"
                text = value.isoformat() if isinstance(value, date) else str(value)
                shown = 0 if value is None else len(text)
                if c > len(widths):
                    widths.append(0)
                widths[c - 1] = max(widths[c - 1], shown)
        for c, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(c)].width = min(width + 2, WIDEST_COLUMN)
        sheet.freeze_panes = "A2"
    if not book.sheetnames:
        book.create_sheet("Sheet")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def file_name(*parts: str | date, extension: str) -> str:
    """A safe ASCII download name: `file_name("Kaleva", date(2026, 11, 30), extension="xlsx")`
    is "hymy-kaleva-2026-11-30.xlsx" (accents dropped, anything else but a-z 0-9 a hyphen)."""
    words = ["hymy", *(p.isoformat() if isinstance(p, date) else p for p in parts)]
    ascii_text = unicodedata.normalize("NFKD", "-".join(words)).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    suffix = re.sub(r"[^a-z0-9]", "", extension.lower())
    return f"{stem[:120].rstrip('-')}.{suffix}"

"""`hymy-central export` as files, pure: the rows of one of the feed's entity sets
(central.feeds, central.odata.model) as CSV, XLSX or Parquet, columns in the set's order, each
column typed as its Edm type says (Parquet: string, int32, float64, bool, date32)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from central.downloads import Table, to_csv, to_xlsx
from central.odata.model import EntitySet

FORMATS = ("csv", "xlsx", "parquet")
# The command's table names and the feed's entity sets they are.
TABLES = {
    "daily": "DailyRollups",
    "monthly": "MonthlyRollups",
    "comments": "Comments",
    "answers": "Answers",
    "sites": "Sites",
    "service-points": "ServicePoints",
    "reasons": "Reasons",
}


def _cell(value: Any) -> Any:
    """A value as a spreadsheet cell: a flag as the words the feed uses (true, false)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _table(entity: EntitySet, rows: Sequence[dict[str, Any]]) -> Table:
    names = [p.name for p in entity.properties]
    return Table(entity.name, names, [[_cell(row.get(name)) for name in names] for row in rows])


def _parquet(entity: EntitySet, rows: Sequence[dict[str, Any]]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {
        "Edm.String": pa.string(),
        "Edm.Int32": pa.int32(),
        "Edm.Double": pa.float64(),
        "Edm.Boolean": pa.bool_(),
        "Edm.Date": pa.date32(),
    }
    schema = pa.schema(
        [
            pa.field(
                p.name, types[p.type], nullable=p.nullable, metadata={"description": p.description}
            )
            for p in entity.properties
        ]
    )
    columns = {p.name: [row.get(p.name) for row in rows] for p in entity.properties}
    table = pa.Table.from_pydict(columns, schema=schema)
    out = io.BytesIO()
    pq.write_table(table, out)
    return out.getvalue()


def export_bytes(entity: EntitySet, rows: Sequence[dict[str, Any]], fmt: str, locale: str) -> bytes:
    """The rows as a file in `fmt` (csv in `locale`'s decimal and list separators, as the
    console's downloads). Raises ValueError for another format."""
    if fmt == "csv":
        return to_csv(_table(entity, rows), locale)
    if fmt == "xlsx":
        return to_xlsx(_table(entity, rows))
    if fmt == "parquet":
        return _parquet(entity, rows)
    raise ValueError(f"format {fmt!r}: give one of {', '.join(FORMATS)}")

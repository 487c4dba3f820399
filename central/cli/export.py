"""`hymy-central export`: a period's rollups (by day or month), comments, or the sites, service
points and reasons, as CSV, XLSX or Parquet for an analyst; the same rows and the same
small-number rule as the OData feed (central.feeds)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from central.cli import main, pass_settings, read
from central.settings import Settings


@main.command("export")
@click.option("--from", "first", type=click.DateTime(["%Y-%m-%d"]), help="First local day.")
@click.option("--to", "last", type=click.DateTime(["%Y-%m-%d"]), help="Last local day.")
@click.option("--site", "sites", multiple=True, help="Site id (repeat; default: every site).")
@click.option(
    "--table",
    "table",
    type=click.Choice(
        ["daily", "monthly", "comments", "answers", "sites", "service-points", "reasons"]
    ),
    default="daily",
    show_default=True,
    help="What to write: rollups per day or month, comments, the national set's answers (one "
    "row each, the national structure), or the sites' names and lists.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "xlsx", "parquet"]),
    required=True,
    help="File type.",
)
@click.option("--out", "out", type=click.Path(path_type=Path), required=True, help="The file.")
@click.option(
    "--language", default="fi", show_default=True, help="CSV: fi/sv write ; and a decimal comma."
)
@pass_settings
def export_command(
    settings: Settings,
    first: Any,
    last: Any,
    sites: tuple[str, ...],
    table: str,
    fmt: str,
    out: Path,
    language: str,
) -> None:
    """Write a period's figures to a file for Excel, Power BI, R or pandas.

    Example: hymy-central export --from 2026-11-01 --to 2026-11-30 --format xlsx --out nov.xlsx
    """
    from central.export_files import TABLES, export_bytes
    from central.feeds import (
        Period,
        check_sites_exist,
        entity_rows,
        readable_sites,
        rollup_rows,
    )
    from central.odata.model import ENTITY_SETS
    from central.site_store import NotFoundError

    period = Period(first.date() if first else None, last.date() if last else None)
    if period.first and period.last and period.first > period.last:
        raise click.UsageError(
            f"--from {period.first} is after --to {period.last}: give the first day first."
        )
    if out.is_dir():
        raise click.UsageError(
            f"--out {out} is a directory: give a file name, e.g. {out / ('hymy.' + fmt)}"
        )
    entity = ENTITY_SETS[TABLES[table]]

    def rows(conn):
        if sites:
            check_sites_exist(conn, sites)
        records = readable_sites(conn, sites or None)
        if table == "monthly":  # a month at an end counts only the period's days
            definitions = {s: r.definition for s, r in records.items()}
            return rollup_rows(conn, definitions, period, by="month")
        return entity_rows(conn, entity.name, records, period)

    try:
        found = read(settings, rows)
    except NotFoundError as err:
        raise click.ClickException(str(err)) from None
    data = export_bytes(entity, found, fmt, language)
    try:
        out.write_bytes(data)
    except OSError as err:
        raise click.ClickException(
            f"{out} cannot be written ({err.strerror}): give another --out."
        ) from None
    click.echo(f"wrote {out} ({len(found)} rows of {table}, {fmt})")

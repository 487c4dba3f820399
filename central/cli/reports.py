"""`hymy-central report ...`: feedback and check-in reports on the command line."""

from __future__ import annotations

import click

from central.cli import main, pass_settings, read
from central.settings import Settings


@main.command("report")
@click.argument("kind", type=click.Choice(["feedback", "checkins"]))
@click.option("--site", "sites", multiple=True, required=True, help="Site id (repeat).")
@click.option("--from", "first", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--to", "last", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option(
    "--by",
    type=click.Choice(["hour", "day", "week", "month", "service-point"]),
    default="day",
    show_default=True,
)
@click.option("--service-point", help="Only this service point.")
@click.option("--include-misuse", is_flag=True, help="Count ratings flagged as misuse too.")
@click.option(
    "--include-implausible",
    is_flag=True,
    help="Count events whose kiosk time was implausible (at the time they reached the central).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
@pass_settings
def report_command(
    settings: Settings,
    kind: str,
    sites: tuple[str, ...],
    first,
    last,
    by: str,
    service_point: str | None,
    include_misuse: bool,
    include_implausible: bool,
    fmt: str,
) -> None:
    """Print a feedback or check-in report of local days FROM..TO.

    Example: hymy-central report feedback --site kaleva --from 2026-11-01 --to 2026-11-30 --by week
    """
    import json

    from central.limits import LimitError
    from central.report_queries import ReportError
    from central.reports import report, to_csv, to_table
    from central.site_store import NotFoundError

    try:
        answer = read(
            settings,
            lambda conn: report(
                conn,
                kind,
                list(sites),
                first.date(),
                last.date(),
                by,
                include_misuse,
                service_point,
                include_implausible,
            ),
        )
    except (ReportError, LimitError, NotFoundError) as err:
        raise click.ClickException(str(err)) from None
    if fmt == "json":
        click.echo(json.dumps(answer, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        click.echo(to_csv(answer), nl=False)
    else:
        click.echo(to_table(answer))

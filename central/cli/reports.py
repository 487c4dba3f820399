"""`hymy-central report ...`: feedback and check-in reports on the command line, and the site
report as a PDF (`report pdf ... --out FILE`)."""

from __future__ import annotations

import click

from central.cli import main, pass_settings, read
from central.settings import Settings


@main.command("report")
@click.argument("kind", type=click.Choice(["feedback", "checkins", "national", "pdf"]))
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
@click.option(
    "--language",
    type=click.Choice(["fi", "sv", "en"]),
    default="fi",
    show_default=True,
    help="pdf: the report's language.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, allow_dash=False),
    help="pdf: the file to write (required for pdf).",
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
    language: str,
    out: str | None,
) -> None:
    """Print a feedback or check-in report of local days FROM..TO, the national question
    set's (national: NPS and statements, each with its n), or write the site report as a PDF
    (pdf: the console's site page with its charts; several --site: a region's).

    Example: hymy-central report feedback --site kaleva --from 2026-11-01 --to 2026-11-30 --by week

    Example: hymy-central report pdf --site kaleva --from 2026-11-23 --to 2026-11-29 --out k.pdf
    """
    import json

    if kind == "pdf":
        _write_pdf(settings, sites, first.date(), last.date(), by, language, out)
        return
    if kind == "national":
        _print_national(settings, sites, first.date(), last.date(), service_point,
                        include_misuse, fmt)  # fmt: skip
        return

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


def _print_national(
    settings: Settings,
    sites: tuple[str, ...],
    first,
    last,
    service_point: str | None,
    include_misuse: bool,
    fmt: str,
) -> None:
    """`report national`: NPS and statements per question, each with its n."""
    import csv
    import io
    import json

    from central.limits import LimitError
    from central.national_report import ROW_KEYS, national_report, national_rows, national_text
    from central.report_queries import ReportError
    from central.site_store import NotFoundError

    try:
        answer = read(
            settings,
            lambda conn: national_report(
                conn, list(sites), first, last, service_point=service_point,
                include_misuse=include_misuse,
            ),
        )  # fmt: skip
    except (ReportError, LimitError, NotFoundError) as err:
        raise click.ClickException(str(err)) from None
    if fmt == "json":
        click.echo(json.dumps(answer, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, ROW_KEYS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(national_rows(answer))
        click.echo(out.getvalue(), nl=False)
    else:
        click.echo(national_text(answer))


def _write_pdf(
    settings: Settings,
    sites: tuple[str, ...],
    first,
    last,
    by: str,
    language: str,
    out: str | None,
) -> None:
    """`report pdf`: the PDF written to --out, and a line saying where."""
    from pathlib import Path

    from central.limits import LimitError, check_sites
    from central.report_pdf import ReportPdfError, render_report
    from central.report_queries import ReportError
    from central.site_store import NotFoundError, load_site

    if out is None:
        raise click.UsageError("report pdf writes a file: add --out FILE, e.g. --out report.pdf.")
    if by not in ("day", "week", "month"):
        raise click.UsageError(f"report pdf goes by day, week or month, not by {by}.")

    def render(conn):
        definitions = [load_site(conn, site) for site in check_sites(sites)]
        return render_report(conn, definitions, first, last, language=language, by=by)

    try:
        pdf = read(settings, render)
    except (ReportError, LimitError, NotFoundError, ReportPdfError) as err:
        raise click.ClickException(str(err)) from None
    Path(out).write_bytes(pdf.data)
    click.echo(f"wrote {out} ({len(pdf.data) // 1024} KiB, {first} to {last}, {language})")

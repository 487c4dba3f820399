"""The site report as a PDF: the console's site page on paper (central.site_report's figures,
its tables, its heat map), with its charts drawn as SVG on the server (central.svg_charts)
and a table of the numbers beside each, in the reader's language (fi, sv, en: the console's
catalogs and Babel's formats). WeasyPrint turns the HTML into PDF; the fonts are Debian's
DejaVu (fonts-dejavu-core, as on the kiosk), which has å, ä and ö.

Every feedback figure has been through central.fairness.guard in central.site_report: a figure
from fewer answers than the site's minimum is not in the PDF, only "fewer than N answers".

One site, or several (a region: every site a person may read), each on its own pages after a
summary table of all of them.

Errors: ReportPdfError (a ValueError) for a language the console has not; what
central.site_report.site_report raises (ValueError for a bucket, ReportError, LimitError,
NotFoundError) for a period or site that cannot be reported.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from markupsafe import Markup
from sqlalchemy import Connection

from central import svg_charts
from central.names import service_point_name, site_name
from central.national_report import national_section
from central.site_report import BUCKETS, period_buckets, site_report, site_tables
from central.sites import SiteDefinition
from central.web import i18n
from central.web.charts import RATING_WORDS, bucket_cell, bucket_text
from central.web.site_page import heat_rows
from central.web.templating import environment

log = logging.getLogger(__name__)
TEMPLATE = "pdf/report.html"
CONTENT_TYPE = "application/pdf"
MAX_BUCKETS = 62  # rows of a table on paper: two months by day, a year by week


class ReportPdfError(ValueError):
    """A PDF that cannot be made as asked; the message says what to change."""


@dataclass(frozen=True)
class RenderedReport:
    """A rendered PDF and what names it."""

    data: bytes
    filename: str  # hymy-kaleva-2026-11-23-2026-11-29.pdf
    title: str  # the site's name; "" for several
    totals: tuple[tuple[str, str, dict[str, Any]], ...]  # (site id, name, guarded total) each


def check_language(language: str) -> str:
    """The language, or ReportPdfError when the console has no catalog of it."""
    if language not in i18n.LANGUAGES:
        raise ReportPdfError(
            f"A report's language is one of {', '.join(i18n.LANGUAGES)}, not {language!r}."
        )
    return language


def _one_site(
    conn: Connection,
    definition: SiteDefinition,
    first: date,
    last: date,
    by: str,
    language: str,
    filters: dict[str, Any],
) -> dict[str, Any]:
    """One site's part of the report: the site page's figures, tables and charts."""
    _ = i18n.translations(language).gettext
    answer = site_report(conn, definition, first, last, by=by, language=language, **filters)
    tables = site_tables(answer, _, lambda bucket: bucket_cell(bucket, by, language, _))
    # the national set apart, each question with its own n
    national, national_table = national_section(conn, definition, first, last, language, _,
                                                **filters)  # fmt: skip
    if national_table is not None:
        tables["national"] = national_table
    labels = [bucket_text(b, by, language, _) for b in answer["buckets"]]
    buckets = answer["buckets"]
    charts = {
        "scores": svg_charts.line_chart(
            labels,
            [b["score"] for b in buckets],
            _("Score over time; gaps where there are too few answers"),
            frame=svg_charts.NARROW,
        ),
        "distribution": svg_charts.stacked_chart(
            labels,
            [
                None
                if b["distribution"] is None
                else [b["distribution"].get(str(r), 0) for r in (1, 2, 3, 4)]
                for b in buckets
            ],
            _("Answers by rating in each period"),
            [_(word) for word in RATING_WORDS],
        ),
        "checkins": svg_charts.bar_chart(
            labels,
            [b["checkins"] for b in buckets],
            _("Check-ins in each period"),
            frame=svg_charts.NARROW,
        ),
    }
    return {
        "id": definition.site.id,
        "name": site_name(definition, language),
        "answer": answer,
        "tables": tables,
        "charts": {
            key: Markup(svg) for key, svg in charts.items()
        },  # drawn here, every word escaped
        "heat": heat_rows(answer["heatmap"], language),
        "national": national,
        "service_point": None
        if answer["service_point"] is None
        else service_point_name(definition, answer["service_point"], language),
    }


def report_html(
    conn: Connection,
    definitions: Sequence[SiteDefinition],
    first: date,
    last: date,
    *,
    language: str,
    by: str = "day",
    now: datetime | None = None,
    service_point: str | None = None,
    include_misuse: bool = False,
) -> str:
    """The report as HTML for WeasyPrint: one site, or a summary of several and each site."""
    filters = {"service_point": service_point, "include_misuse": include_misuse}
    sites = _sites(conn, definitions, first, last, language=language, by=by, filters=filters)
    return _html(sites, first, last, language=language, by=by, now=now)


def _sites(
    conn: Connection,
    definitions: Sequence[SiteDefinition],
    first: date,
    last: date,
    *,
    language: str,
    by: str,
    filters: dict[str, Any],
) -> list[dict[str, Any]]:
    check_language(language)
    if not definitions:
        raise ReportPdfError("A report needs at least one site the reader may read.")
    if by in BUCKETS and first <= last and len(period_buckets(first, last, by)) > MAX_BUCKETS:
        raise ReportPdfError(
            f"from={first.isoformat()} to={last.isoformat()} by {by} is more than "
            f"{MAX_BUCKETS} rows on paper: choose a shorter period, or by week or month."
        )
    return [_one_site(conn, d, first, last, by, language, filters) for d in definitions]


def _html(
    sites: list[dict[str, Any]],
    first: date,
    last: date,
    *,
    language: str,
    by: str,
    now: datetime | None,
) -> str:
    page = environment(language).get_template(TEMPLATE)
    return page.render(
        language=language,
        sites=sites,
        first=first,
        last=last,
        by=by,
        region=len(sites) > 1,
        generated_at=now or datetime.now(UTC),
    )


def render_report(
    conn: Connection,
    definitions: Sequence[SiteDefinition],
    first: date,
    last: date,
    *,
    language: str,
    by: str = "day",
    now: datetime | None = None,
    service_point: str | None = None,
    include_misuse: bool = False,
) -> RenderedReport:
    """The report of the sites over local days first..last as a PDF (see the module's
    docstring for what it raises); `service_point` and `include_misuse` as on the site page."""
    for noisy in ("weasyprint", "fontTools"):  # a line per step and font at INFO
        logging.getLogger(noisy).setLevel(logging.WARNING)
    from weasyprint import HTML  # imported when a PDF is made: it loads Pango

    filters = {"service_point": service_point, "include_misuse": include_misuse}
    sites = _sites(conn, definitions, first, last, language=language, by=by, filters=filters)
    html = _html(sites, first, last, language=language, by=by, now=now)
    data = HTML(string=html, base_url=None).write_pdf()
    names = [d.site.id for d in definitions]
    who = names[0] if len(names) == 1 else "sites"
    filename = f"hymy-{who}-{first.isoformat()}-{last.isoformat()}.pdf"
    title = site_name(definitions[0], language) if len(names) == 1 else ""
    totals = tuple((site["id"], site["name"], site["answer"]["total"]) for site in sites)
    return RenderedReport(data, filename, title, totals)

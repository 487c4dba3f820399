"""What every console page answers: the page itself, or one of its tables as a download.

A page builds its tables (central.downloads.Table: what each chart and list shows) and calls
`page(...)`. The same URL with `?download=csv|xlsx&table=NAME` answers that table as a file, so
a download goes through the very route, access check and filters of the page a person sees:
a manager can never download what they could not open.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import Connection

from central.downloads import Table, file_name, to_csv, to_xlsx
from central.web.session import PageError
from central.web.templating import gettext_for, language_of, render

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def download_url(request: Request, table: str, fmt: str) -> str:
    """This page's URL, its filters kept, asking for one table as a file."""
    query = [
        (k, v) for k, v in request.query_params.multi_items() if k not in ("download", "table")
    ]
    return f"{request.url.path}?{urlencode([*query, ('download', fmt), ('table', table)])}"


def page(
    request: Request,
    template: str,
    *,
    tables: Mapping[str, Table] | None = None,
    name_parts: tuple[Any, ...] = (),
    **context: Any,
) -> Response:
    """The page, or the table the query asks to download (`name_parts` name the file after
    `hymy-`: the site and the period, say). Raises PageError 404 for a table it has not."""
    tables = dict(tables or {})
    fmt = request.query_params.get("download")
    if fmt is None:
        return render(
            request,
            template,
            tables=tables,
            download_url=lambda name, f: download_url(request, name, f),
            **context,
        )
    name = request.query_params.get("table", "")
    if fmt not in FORMATS or name not in tables:
        _ = gettext_for(request)
        raise PageError(404, _("There is no such download on this page."))
    table = tables[name]
    body = to_csv(table, language_of(request)) if fmt == "csv" else to_xlsx(table)
    filename = file_name(*(str(p) for p in name_parts), name, extension=fmt)
    return Response(
        body,
        media_type=FORMATS[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


def form_page(
    request: Request, db: Connection, template: str, status_code: int = 200, **context: Any
) -> Response:
    """An admin form's page, rendered after a write or a refused form: `posted` (what the
    person typed, kept) and `problems` (field -> message) default to none. The connection
    starts a fresh snapshot first: SQLite would otherwise show it what it read before the
    write."""
    db.rollback()
    context.setdefault("posted", None)
    context.setdefault("problems", {})
    return render(request, template, status_code, **context)

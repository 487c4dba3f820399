"""`/public/{site}` (a page), `/public/{site}/widget` (a small page for an iframe on a region's
website) and `/public/{site}/results.json`: a station's last 30 days' score and n, without
sign-in, for a site that opted in (`[public] results = true`; central.public_results).

The language comes from `?lang=fi|sv|en`, else the browser's Accept-Language. A site that has
not opted in answers exactly as an unknown address does (404). Only the widget may be framed by
other sites (`frame-ancestors *`); the page and the console may not. Answers may be kept for
MAX_AGE seconds by browsers and proxies.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from central.api.deps import Db
from central.public_results import NotPublicError, PublicCache
from central.web import i18n
from central.web.templating import PAGE_HEADERS, environment

router = APIRouter(include_in_schema=False)
MAX_AGE = 300
_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors "
)


def _language(request: Request, lang: str | None) -> str:
    return i18n.chosen(lang) or i18n.from_browser(request.headers.get("accept-language"))


def _results(request: Request, db: Db, site_id: str) -> dict[str, Any]:
    cache = getattr(request.app.state, "public_cache", None)
    if cache is None:
        cache = request.app.state.public_cache = PublicCache()
    try:
        return cache.results(db, site_id)
    except NotPublicError:
        raise HTTPException(404) from None


def _cached(response: Response, body: bytes, request: Request) -> Response:
    tag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
    response.headers["ETag"] = tag
    response.headers["Vary"] = "Accept-Language"
    if request.headers.get("if-none-match") == tag:
        return Response(status_code=304, headers=dict(response.headers))
    return response


def _page(request: Request, db: Db, site_id: str, lang: str | None, template: str) -> Response:
    figures = _results(request, db, site_id)
    language = _language(request, lang)
    name = figures["name"]
    html = (
        environment(language)
        .get_template(template)
        .render(
            language=language,
            figures=figures,
            station=name.get(language) or next(iter(name.values()), site_id),
            site_id=site_id,
        )
    )
    response = Response(html, media_type="text/html; charset=utf-8")
    framed = "*" if template == "public_widget.html" else "'none'"
    response.headers.update(
        {
            "Content-Security-Policy": _POLICY + framed,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": PAGE_HEADERS["Referrer-Policy"],
            "Content-Language": language,
        }
    )
    return _cached(response, html.encode(), request)


@router.get("/public/{site_id}")
def public_page(request: Request, db: Db, site_id: str, lang: str | None = None) -> Response:
    """The station's last 30 days' score and n, without sign-in."""
    return _page(request, db, site_id, lang, "public_results.html")


@router.get("/public/{site_id}/widget")
def public_widget(request: Request, db: Db, site_id: str, lang: str | None = None) -> Response:
    """The same figures as a small page for an iframe on another site."""
    return _page(request, db, site_id, lang, "public_widget.html")


@router.get("/public/{site_id}/results.json")
def public_json(request: Request, db: Db, site_id: str) -> Response:
    """The same figures as JSON, for a region's own page (any origin may read it)."""
    figures = _results(request, db, site_id)
    body = json.dumps(figures, ensure_ascii=False, sort_keys=True).encode()
    response = JSONResponse(figures)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return _cached(response, body, request)

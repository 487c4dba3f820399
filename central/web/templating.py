"""Rendering the console's pages: Jinja2 templates (autoescaped) with the request's language
(gettext `_()`, `{% trans %}`) and Babel's formats of numbers, percentages and dates in the
person's locale (decimal commas in Finnish and Swedish).

One Jinja2 environment per language, made once: installing translations into a shared
environment per request would race between requests in other languages.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_timedelta
from babel.numbers import format_decimal, format_percent
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from central.web import i18n

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC_PREFIX = "/static/console"
NOTHING = "–"  # a figure that is not there (no answers, or hidden for too few)
HELSINKI = ZoneInfo("Europe/Helsinki")
# Every page: scripts and styles only from the package (no inline script, no style attribute:
# a page passes data to its script as <script type="application/json">), never framed.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",  # pages hold figures and comments: not kept by the browser
}


def language_of(request: Request) -> str:
    """The request's language: the signed-in person's choice, the language cookie, the
    browser's Accept-Language, Finnish."""
    session = getattr(request.state, "web_session", None)
    own = i18n.chosen(session.person.language) if session else None
    return (
        own
        or i18n.chosen(request.cookies.get(i18n.LANGUAGE_COOKIE))
        or i18n.from_browser(request.headers.get("accept-language"))
    )


@cache
def environment(language: str) -> Environment:
    """The Jinja2 environment of one language, with its filters."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(i18n.translations(language), newstyle=True)  # type: ignore[attr-defined]
    where = i18n.locale(language)

    def number(value: float | int | None, digits: int = 0) -> str:
        if value is None:
            return NOTHING
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, format=pattern, locale=where)

    def signed(value: float | int | None, digits: int = 1) -> str:
        """A change, with its sign: +3,2 or −1,0."""
        if value is None:
            return NOTHING
        text = number(abs(value), digits)
        return ("+" if value > 0 else "−" if value < 0 else "±") + text

    def percent(value: float | None, digits: int = 0) -> str:
        if value is None:
            return NOTHING
        pattern = "#,##0" + ("." + "0" * digits if digits else "") + " %"
        return format_percent(value, format=pattern, locale=where)

    def day(value: date | str | None, form: str = "medium") -> str:
        if value is None:
            return NOTHING
        if isinstance(value, str):
            value = date.fromisoformat(value)
        return format_date(value, form, locale=where)

    def moment(value: datetime | str | None, form: str = "short") -> str:
        """A moment in Helsinki time (every site of a Finnish county is in it)."""
        if value is None:
            return NOTHING
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return format_datetime(value, form, tzinfo=HELSINKI, locale=where)

    def ago(value: datetime | None) -> str:
        """How long ago, in words of the locale: '12 min ago', '12 min sitten'."""
        if value is None:
            return NOTHING
        return format_timedelta(
            value - datetime.now(UTC), add_direction=True, format="short", locale=where
        )

    env.filters.update(
        number=number, signed=signed, percent=percent, date=day, datetime=moment, ago=ago
    )
    env.globals.update(
        static=lambda name: f"{STATIC_PREFIX}/{name}",
        languages=i18n.LANGUAGES,
        autonyms=i18n.AUTONYMS,
        NOTHING=NOTHING,
    )
    return env


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """The page `template` in the request's language. Every page gets `request`, `language`,
    `person` (None when signed out), `caller` (what they may read) and `csrf_token` (for the
    hidden field of each form)."""
    language = language_of(request)
    session = getattr(request.state, "web_session", None)
    page = environment(language).get_template(template)
    html = page.render(
        request=request,
        language=language,
        person=session.person if session else None,
        caller=session.person.caller if session else None,
        csrf_token=session.csrf_token if session else getattr(request.state, "csrf_token", None),
        **context,
    )
    response = HTMLResponse(html, status_code=status_code)
    response.headers.update(PAGE_HEADERS)
    response.headers["Content-Language"] = language
    return response


def gettext_for(request: Request) -> Any:
    """The request's gettext, for text a router makes (a message after a form, say)."""
    return i18n.translations(language_of(request)).gettext

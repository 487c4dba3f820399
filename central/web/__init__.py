"""The web console for people (managers, IT staff, admins), served by `hymy-central serve` at
`/` beside the API: server-rendered pages in the person's language, sign-in at `/login`.

`install(app)` adds its routers, its error pages and its static files (htmx, Chart.js, the
style sheet: all from the package, never a CDN, gzipped on the way)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.middleware.gzip import GZipMiddleware
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

from central.web import (
    admin_keys,
    admin_people,
    admin_sites,
    alerts_page,
    comments,
    compare_page,
    deliveries_page,
    errors,
    fleet_page,
    overview_page,
    public_page,
    report_pages,
    session,
    site_page,
    sso,
)
from central.web.templating import STATIC_PREFIX

STATIC = Path(__file__).resolve().parent / "static"
# Each page's own router.
PAGE_MODULES = [
    overview_page,
    site_page,
    report_pages,
    alerts_page,
    compare_page,
    comments,
    fleet_page,
    deliveries_page,
    admin_sites,
    admin_people,
    admin_keys,
    sso,
    public_page,
]


class _Cached:
    """Static files may be kept by the browser for a day (vendored files have their version in
    their names; the style sheet changes only with a release)."""

    def __init__(self, app: StaticFiles) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_cache(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (b"cache-control", b"public, max-age=86400"),
                    (b"x-content-type-options", b"nosniff"),
                ]
            await send(message)

        await self.app(scope, receive, with_cache)


def install(app: FastAPI) -> None:
    session.install_handlers(app)
    errors.install(app)  # the error page for browsers, JSON problems for the API
    app.include_router(session.router)
    for module in PAGE_MODULES:
        app.include_router(module.router)
    app.mount(
        STATIC_PREFIX,
        GZipMiddleware(_Cached(StaticFiles(directory=STATIC)), minimum_size=1000),
        name="console-static",
    )

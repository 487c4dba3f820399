"""The console's error pages: an unknown address, or a method a console page does not take,
answers a browser with the console's own page (in the person's language, with the way back)
instead of the API's JSON problem. The API, the probes and the OpenAPI document keep their
problem documents, and so does any client that does not ask for HTML (curl, scripts).

The API's handlers (central.api.problems) stay as they are: `install` wraps them, so this
module decides only *which* answer a request gets."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from central.web.templating import gettext_for, render

# Paths that are not the console's: they answer problem documents whatever the client accepts.
NOT_CONSOLE = ("/api", "/healthz", "/readyz", "/metrics", "/openapi.json", "/docs")
Handler = Callable[[Request, Exception], Awaitable[Response]]


def is_console_path(path: str) -> bool:
    """Whether a path is the console's (every path but the API's, the probes' and the docs')."""
    return not any(path == p or path.startswith(p + "/") for p in NOT_CONSOLE)


def wants_page(request: Request) -> bool:
    """A browser asking for a console page: its Accept names text/html."""
    accept = request.headers.get("accept", "").lower()
    return is_console_path(request.url.path) and "text/html" in accept


def _message(request: Request, status: int) -> str:
    _ = gettext_for(request)
    if status == 404:
        return _("There is no page at this address. Check the address, or start again below.")
    if status == 405:
        return _("This page cannot be used that way. Go back to the page and try again.")
    if status == 422:
        return _("Some of what was sent could not be used. Go back to the page and try again.")
    return _("The console could not answer this request (error %(status)d). Try again.") % {
        "status": status
    }


def install(app: FastAPI) -> None:
    """Put the console's error page in front of the API's handlers of HTTP errors (404, 405,
    ...) and of malformed requests; call after central.api.problems.install."""
    http_problem: Handler = app.exception_handlers[StarletteHTTPException]
    invalid_problem: Handler = app.exception_handlers[RequestValidationError]

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if not wants_page(request):
            return await http_problem(request, exc)
        response = render(
            request, "error.html", exc.status_code, message=_message(request, exc.status_code)
        )
        allow = (getattr(exc, "headers", None) or {}).get("Allow")
        if allow:
            response.headers["Allow"] = allow
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        if not wants_page(request):
            return await invalid_problem(request, exc)
        return render(request, "error.html", 422, message=_message(request, 422))

"""Errors as RFC 9457 problem details whose `detail` says what to fix; never a stack trace."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)
DATABASE_RETRY_AFTER_S = 30
MEDIA_TYPE = "application/problem+json"
# What FastAPI answers a JSON body it cannot decode at all (not UTF-8, say): said again here as
# what to send instead.
_UNREADABLE_BODY = "There was an error parsing the body"
UNREADABLE_BODY = "The body could not be read: send JSON text in UTF-8."

TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Content too large",
    422: "Unprocessable content",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


# What each status means at the central, for the OpenAPI document; a route's own sentence
# (`problem_responses(..., described=...)`) says more where it can.
DESCRIPTIONS = {
    400: "The request could not be read or used as sent; `detail` says what to change.",
    401: "No, unknown or revoked credentials; send 'Authorization: Bearer <token>'.",
    403: "The credentials are valid but may not do this; `detail` says why.",
    404: "Something the request names (a site, say) is not known to the central.",
    409: "The request conflicts with the central's state; `detail` says what to do.",
    413: "The request body is over this endpoint's limit.",
    422: "A parameter or the body is malformed; `detail` names each one and what is wrong.",
    429: "Too many requests: nothing was done; send it again after Retry-After seconds.",
    503: "The central cannot use its database right now; nothing was stored. Try again after "
    "Retry-After seconds.",
}
RETRY_AFTER_HEADER = {
    "description": "Seconds to wait before sending the request again.",
    "schema": {"type": "integer", "minimum": 0},
}
HEADERS: dict[int, dict[str, Any]] = {
    401: {
        "WWW-Authenticate": {
            "description": "The scheme to authenticate with: Bearer.",
            "schema": {"type": "string"},
        }
    },
    429: {"Retry-After": RETRY_AFTER_HEADER},
    503: {"Retry-After": RETRY_AFTER_HEADER},
}


class Problem(BaseModel):
    """An error as RFC 9457 problem details: `detail` says what went wrong and what to do."""

    type: str = Field("about:blank", description="Always about:blank: the status says it all.")
    title: str = Field(description="The status in words, e.g. 'Unauthorized'.")
    status: int = Field(ge=400, le=599, description="The HTTP status code, repeated.")
    detail: str = Field(description="What went wrong and what to do about it, in English.")


def problem_response_doc(status: int, description: str | None = None) -> dict[str, Any]:
    """The OpenAPI response object of one error status: a Problem as application/problem+json,
    with the headers the central sends with it (Retry-After, WWW-Authenticate)."""
    doc: dict[str, Any] = {
        "description": description or DESCRIPTIONS.get(status, TITLES.get(status, "Error")),
        "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    if status in HEADERS:
        doc["headers"] = HEADERS[status]
    return doc


def problem_responses(
    *statuses: int, described: Mapping[int, str] | None = None
) -> dict[int | str, dict[str, Any]]:
    """`responses=` of a route: each status a Problem document; `described` gives a status a
    sentence of its own (its other statuses keep the general one of DESCRIPTIONS)."""
    described = described or {}
    wanted = sorted({*statuses, *described})
    return {status: problem_response_doc(status, described.get(status)) for status in wanted}


class ProblemError(Exception):
    """Raise in a handler to answer with a problem document."""

    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.headers = status, detail, headers or {}


def problem_response(
    status: int, detail: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {
            "type": "about:blank",
            "title": TITLES.get(status, "Error"),
            "status": status,
            "detail": detail,
        },
        status_code=status,
        media_type=MEDIA_TYPE,
        headers=headers,
    )


def install(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def _problem(_request: Request, exc: ProblemError) -> JSONResponse:
        return problem_response(exc.status, exc.detail, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = str(exc.detail)
        headers = getattr(exc, "headers", None)
        if exc.status_code == 400 and detail == _UNREADABLE_BODY:
            detail = UNREADABLE_BODY
        elif exc.status_code == 405 and headers and "Allow" in headers:  # Starlette's router
            detail = f"{request.url.path} takes {headers['Allow']} only."
        elif exc.status_code == 404 and detail == "Not Found":  # no route has the path
            detail = f"No such path at the central: {request.url.path}; /docs lists the API."
        return problem_response(exc.status_code, detail, headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        parts = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        return problem_response(422, "; ".join(parts))

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    async def _database(request: Request, exc: Exception) -> JSONResponse:
        # The database is down, unreachable or still locked after every retry: nothing could
        # be done, and the same request may well succeed later.
        log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc)
        return problem_response(
            503,
            "The central cannot use its database right now; nothing was stored. Try again later.",
            {"Retry-After": str(DATABASE_RETRY_AFTER_S)},
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        return problem_response(
            500, "Something went wrong on the central; it is logged. Try again later."
        )

"""Dependencies shared by the routers: a database connection, the calling device."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy import Connection

from central.access import Caller, caller_for_key
from central.api.problems import ProblemError
from central.enrollment import Device, device_for_token


def get_db(request: Request) -> Iterator[Connection]:
    """One transaction per request: committed when the handler returns, rolled back on error."""
    with request.app.state.engine.begin() as connection:
        yield connection


Db = Annotated[Connection, Depends(get_db)]


def bearer_token(authorization: str | None) -> str:
    if not authorization or not authorization.lower().startswith("bearer "):
        raise ProblemError(
            401,
            "Send the device token as 'Authorization: Bearer <token>'.",
            {"WWW-Authenticate": "Bearer"},
        )
    return authorization[7:].strip()


def authenticated_device(conn: Connection, token: str) -> Device:
    """The device a token belongs to. Raises ProblemError 401 for an unknown or revoked one."""
    device = device_for_token(conn, token)
    if device is None or device.revoked:
        raise ProblemError(
            401,
            "Unknown or revoked device token; enrol the kiosk again (hymy-sync enroll).",
            {"WWW-Authenticate": "Bearer"},
        )
    return device


def get_device(db: Db, authorization: Annotated[str | None, Header()] = None) -> Device:
    return authenticated_device(db, bearer_token(authorization))


CurrentDevice = Annotated[Device, Depends(get_device)]


def get_caller(db: Db, authorization: Annotated[str | None, Header()] = None) -> Caller:
    caller = caller_for_key(db, bearer_token(authorization))
    if caller is None:
        raise ProblemError(
            401,
            "Unknown or revoked API key; ask an admin for one (hymy-central api-key create).",
            {"WWW-Authenticate": "Bearer"},
        )
    return caller


CurrentCaller = Annotated[Caller, Depends(get_caller)]

"""Dependencies shared by the routers: a connection for reading, the calling device or person,
and `run_write` for every handler that writes.

Why writes do not use a dependency: FastAPI ends a dependency with yield after the response is
sent, so a transaction committed there is acknowledged before it is durable, and on SQLite its
read-then-write upgrade fails at once ("database is locked") when another writer got in between.
A handler that writes calls `await run_write(request, work)` instead: `work(conn)` runs off the
event loop in one write transaction (the write lock taken at BEGIN on SQLite, waited for rather
than failed; retried on a PostgreSQL deadlock), committed before the handler answers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool

from central.access import Caller, caller_for_key
from central.api.problems import ProblemError
from central.db import in_write_transaction
from central.enrollment import Device, device_for_token
from central.logs import audit, audit_key_refused, audit_key_used, client_address

T = TypeVar("T")


def get_db(request: Request) -> Iterator[Connection]:
    """A connection for reading: whatever the handler runs on it is rolled back at the end, so
    a write belongs in `run_write`, never here."""
    with request.app.state.engine.connect() as connection:
        yield connection


Db = Annotated[Connection, Depends(get_db)]


async def run_write(request: Request, work: Callable[[Connection], T]) -> T:
    """`work(conn)` in one write transaction on a worker thread, committed before this returns
    (see central.db.in_write_transaction). What `work` raises is raised here, nothing written."""
    return await run_in_threadpool(in_write_transaction, request.app.state.engine, work)


# Two bearer schemes in the OpenAPI document, so each route says which credential it takes.
# auto_error=False: a missing or malformed header is answered by our own 401 problem below.
device_bearer = HTTPBearer(
    scheme_name="DeviceToken",
    description="A kiosk's device token, from POST /api/v1/enroll (hymy-sync enroll).",
    auto_error=False,
)
api_key_bearer = HTTPBearer(
    scheme_name="ApiKey",
    description="A person's API key, from `hymy-central api-key create`.",
    auto_error=False,
)
DeviceCredentials = Annotated[HTTPAuthorizationCredentials | None, Depends(device_bearer)]
ApiKeyCredentials = Annotated[HTTPAuthorizationCredentials | None, Depends(api_key_bearer)]


def bearer_token(
    credentials: HTTPAuthorizationCredentials | None, what: str = "the device token"
) -> str:
    """The token of an 'Authorization: Bearer <token>' header. Raises ProblemError 401 (with
    WWW-Authenticate: Bearer) when there is none."""
    token = credentials.credentials.strip() if credentials else ""
    if not token:
        raise ProblemError(
            401,
            f"Send {what} as 'Authorization: Bearer <token>'.",
            {"WWW-Authenticate": "Bearer"},
        )
    return token


def authenticated_device(conn: Connection, token: str, *, client: str = "unknown") -> Device:
    """The device a token belongs to. Raises ProblemError 401 for an unknown or revoked one
    (an audit line: central.logs)."""
    device = device_for_token(conn, token)
    if device is None or device.revoked:
        reason = "unknown device token" if device is None else "revoked device"
        audit(
            "sign_in_refused",
            f"device sign-in refused: {reason}",
            level=logging.WARNING,
            credential="device token",
            reason=reason,
            client=client,
            device_id=device.id if device else None,
        )
        raise ProblemError(
            401,
            "Unknown or revoked device token; enrol the kiosk again (hymy-sync enroll).",
            {"WWW-Authenticate": "Bearer"},
        )
    return device


def get_device(request: Request, db: Db, credentials: DeviceCredentials) -> Device:
    return authenticated_device(db, bearer_token(credentials), client=client_address(request))


CurrentDevice = Annotated[Device, Depends(get_device)]


def get_caller(request: Request, db: Db, credentials: ApiKeyCredentials) -> Caller:
    caller = caller_for_key(db, bearer_token(credentials, "the API key"))
    if caller is None:
        audit_key_refused(request)
        raise ProblemError(
            401,
            "Unknown or revoked API key; ask an admin for one (hymy-central api-key create).",
            {"WWW-Authenticate": "Bearer"},
        )
    audit_key_used(request, caller)
    return caller


CurrentCaller = Annotated[Caller, Depends(get_caller)]

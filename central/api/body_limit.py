"""A size limit on every request body, enforced while it is read: a client can never make the
central hold more of a body than its endpoint takes (on main a 300 MB body to the open
POST /api/v1/enroll was read whole into memory before it was refused).

A body over its limit is answered 413 with what to send instead: at once when Content-Length
declares it, else as soon as the bytes read pass the limit.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from central.api.problems import problem_response

MAX_JSON_BODY_BYTES = 64 * 1024  # an enrolment or a heartbeat is well under 2 KiB


class BodyLimit:
    """ASGI middleware: `limits` maps a path to its limit and the sentence of its 413; every
    other path gets `default`."""

    def __init__(
        self,
        app: ASGIApp,
        limits: Mapping[str, tuple[int, str]],
        default: tuple[int, str] = (
            MAX_JSON_BODY_BYTES,
            f"A request body may be at most {MAX_JSON_BODY_BYTES} bytes here.",
        ),
    ) -> None:
        self.app, self.limits, self.default = app, limits, default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, advice = self.limits.get(scope["path"], self.default)
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await problem_response(413, advice)(scope, receive, send)
            return
        read = 0

        async def limited() -> Message:
            nonlocal read
            message = await receive()
            if message["type"] == "http.request":
                read += len(message.get("body", b""))
                if read > limit:  # raised in the handler reading it, answered as a problem
                    raise HTTPException(413, advice)  # (FastAPI makes any other error a 400)
            return message

        await self.app(scope, limited, send)

"""Signing in and out of the console, and what every page depends on: the signed-in person
(`CurrentSession`), their role (`require_role`), CSRF protection of every form (`check_csrf`),
and the error page (`PageError`).

The session cookie is HttpOnly, SameSite=Lax, Secure when the console is served over TLS (as
uvicorn sees the request: behind nginx, from X-Forwarded-Proto). Forms carry a CSRF token: the
session's own once signed in; on the sign-in page, a random one in a cookie of its own (double
submit), so a sign-in cannot be forced from another site either.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Connection

from central.api.deps import Db, run_write
from central.db import in_write_transaction
from central.logs import audit, client_address
from central.people import SigninRefused, set_language, verify_signin
from central.web import i18n
from central.web.templating import gettext_for, render
from central.web_sessions import (
    LIFETIME,
    WebSession,
    end_session,
    mark_seen,
    session_for_token,
    start_session,
)

COOKIE = "hymy_session"
LOGIN_CSRF_COOKIE = "hymy_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"

router = APIRouter(include_in_schema=False)


class PageError(Exception):
    """A page that cannot be shown: rendered as the error page with this status and message
    (already in the person's language)."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message


class SignInRequired(Exception):  # noqa: N818 - a redirect, not an error
    """No live session: the browser goes to the sign-in page and comes back afterwards."""


def is_secure(request: Request) -> bool:
    return request.url.scheme == "https"


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path of this console only (never another site)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target:
        return "/"
    return target


def current_session(request: Request, db: Db) -> WebSession:
    """The signed-in person's session. Raises SignInRequired without one."""
    token = request.cookies.get(COOKIE, "")
    session, due = session_for_token(db, token)
    if session is None:
        raise SignInRequired()
    if due:
        in_write_transaction(request.app.state.engine, lambda conn: mark_seen(conn, token))
    request.state.web_session = session
    return session


CurrentSession = Annotated[WebSession, Depends(current_session)]


def require_role(*roles: str) -> Callable[[WebSession, Request], WebSession]:
    """A dependency: the session, when its person has one of `roles`; else the 403 page."""

    def check(session: CurrentSession, request: Request) -> WebSession:
        if session.person.role not in roles:
            _ = gettext_for(request)
            raise PageError(403, _("Your account may not open this page."))
        return session

    return check


async def check_csrf(request: Request, session: CurrentSession) -> WebSession:
    """A dependency of every POST: the form's csrf_token (or the X-CSRF-Token header of an
    htmx request) must be the session's own; else 403 and nothing is done."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()
        sent = str(form.get(CSRF_FIELD) or "")
    if not secrets.compare_digest(sent.encode(), session.csrf_token.encode()):
        _ = gettext_for(request)
        raise PageError(
            403,
            _(
                "This form has expired or did not come from this console. "
                "Reload the page and try again."
            ),
        )
    return session


FormSession = Annotated[WebSession, Depends(check_csrf)]


def login_page(request: Request, status_code: int = 200, **context: object) -> Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    request.state.csrf_token = token
    oidc = getattr(request.app.state, "oidc", None)
    response = render(request, "login.html", status_code, oidc=oidc, **context)
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=is_secure(request),
        path="/login",
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    return login_page(request, next=safe_next(next))


def signed_in(request: Request, token: str, target: str) -> Response:
    """The answer to a successful sign-in (password or single sign-on): the cookie, then on."""
    response = RedirectResponse(safe_next(target), status_code=303)
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=is_secure(request),
        path="/",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


def audit_sign_in(request: Request, email: str, method: str, role: str) -> None:
    audit(
        "sign_in",
        f"console sign-in: {email} ({role}) by {method}",
        email=email,
        role=role,
        method=method,
        client=client_address(request),
    )


def audit_sign_in_refused(request: Request, email: str, method: str, reason: str) -> None:
    audit(
        "sign_in_refused",
        f"console sign-in refused: {email or '-'} by {method}: {reason}",
        level=logging.WARNING,
        credential=method,
        email=email,
        reason=reason,
        client=client_address(request),
    )


@router.post("/login")
async def login(
    request: Request,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    _ = gettext_for(request)
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(csrf_token.encode(), expected.encode()):
        return login_page(
            request,
            403,
            error=_("The sign-in form had expired. Please try again."),
            email=email,
            next=safe_next(next),
        )
    address = client_address(request)

    def attempt(conn: Connection) -> tuple[str, WebSession] | SigninRefused:
        try:
            person = verify_signin(conn, email, password, address)
        except SigninRefused as refused:
            return refused  # returned, not raised: the failure it recorded is committed
        return start_session(conn, person.id)

    outcome = await run_write(request, attempt)
    if isinstance(outcome, SigninRefused):
        audit_sign_in_refused(request, email.strip().lower(), "password", outcome.reason)
        messages = {
            "wrong": _("The e-mail address or the password is wrong."),
            "locked": _(
                "Too many failed sign-ins. Wait 15 minutes and try again, or ask an "
                "administrator to reset your password."
            ),
            "disabled": _("This account is disabled. Ask an administrator."),
        }
        status = 429 if outcome.reason == "locked" else 401
        return login_page(
            request, status, error=messages[outcome.reason], email=email, next=safe_next(next)
        )
    token, session = outcome
    audit_sign_in(request, session.person.email, "password", session.person.role)
    return signed_in(request, token, next)


@router.post("/logout")
async def logout(request: Request, session: FormSession) -> Response:
    token = request.cookies.get(COOKIE, "")
    await run_write(request, lambda conn: end_session(conn, token))
    audit("sign_out", f"console sign-out: {session.person.email}", email=session.person.email)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.post("/language")
async def choose_language(
    request: Request,
    language: Annotated[str, Form(max_length=8)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """The language switch: kept with the account when signed in, in a cookie before."""
    chosen = i18n.chosen(language)
    token = request.cookies.get(COOKIE, "")
    session = None
    if token:
        with request.app.state.engine.connect() as conn:
            session, _due = session_for_token(conn, token)
    if session is not None:
        if not secrets.compare_digest(csrf_token.encode(), session.csrf_token.encode()):
            raise PageError(403, gettext_for(request)("This form has expired. Reload the page."))
        await run_write(request, lambda conn: set_language(conn, session.person.id, chosen))
    response = RedirectResponse(safe_next(next), status_code=303)
    if chosen:
        response.set_cookie(
            i18n.LANGUAGE_COOKIE,
            chosen,
            max_age=365 * 24 * 3600,
            samesite="lax",
            secure=is_secure(request),
            path="/",
        )
    return response


def install_handlers(app: FastAPI) -> None:
    """The sign-in redirect and the error page for the console's routes."""

    @app.exception_handler(SignInRequired)
    async def to_sign_in(request: Request, _exc: SignInRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        location = f"/login?next={quote(target, safe='')}"
        if request.headers.get("HX-Request"):  # htmx: the whole page goes, not a fragment
            return Response(status_code=401, headers={"HX-Redirect": location})
        return RedirectResponse(location, status_code=303)

    @app.exception_handler(PageError)
    async def error_page(request: Request, exc: PageError) -> Response:
        return render(request, "error.html", exc.status_code, message=exc.message)

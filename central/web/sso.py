"""`/login/sso` and `/login/sso/callback`: single sign-on with the county's identity provider
(the `[oidc]` setting, central.oidc_config), when it is set.

`/login/sso` keeps a new state, nonce and PKCE verifier in the database (central.oidc) and
sends the browser to the provider, with a random cookie of its own (`hymy_sso`, HttpOnly) that
binds the answer to this browser. The callback takes that state once, has the ID token
verified, maps the person's claims to a role and sites, and signs them in as a password would.
Every way it can fail (the person cancelled, a stale or replayed answer, a token that does not
verify, no mapped group, the provider down) is the sign-in page with a sentence, and an audit
line; never an error of the server.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Connection

from central.api.deps import run_write
from central.oidc import (
    IdentityProvider,
    ProviderRefusedError,
    ProviderUnavailableError,
    SignOnError,
    SsoRefused,
    StateError,
    TokenError,
    save_pending,
    sign_in_person,
    take_pending,
)
from central.oidc_config import OidcConfig, SsoAccess
from central.tokens import new_token
from central.web.session import (
    audit_sign_in,
    audit_sign_in_refused,
    is_secure,
    login_page,
    safe_next,
    signed_in,
)
from central.web.templating import gettext_for, language_of
from central.web_sessions import WebSession, start_session

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
BROWSER_COOKIE = "hymy_sso"
COOKIE_PATH = "/login/sso"


def _provider(request: Request) -> IdentityProvider | None:
    """The identity provider of the app's setting (made at the first sign-on), or None."""
    config: OidcConfig | None = getattr(request.app.state, "oidc", None)
    if config is None:
        return None
    provider: IdentityProvider | None = getattr(request.app.state, "identity_provider", None)
    if provider is None or provider.config is not config:
        provider = IdentityProvider(config)
        request.app.state.identity_provider = provider
    return provider


def _failed(request: Request, config: OidcConfig, err: SignOnError, next_path: str) -> Response:
    """The sign-in page with what went wrong in words, and the audit line."""
    _ = gettext_for(request)
    name = config.display_name_for(language_of(request))
    email = getattr(err, "email", "")
    words = {"provider": name, "email": email}
    status = 400
    if isinstance(err, SsoRefused):
        status = 403
        messages = {
            "no role": _(
                "You signed in at %(provider)s as %(email)s, but none of your groups there "
                "gives access to Hymy. Ask your administrator to add you to a group for Hymy; "
                "it holds from your next sign-in."
            ),
            "groups overage": _(
                "You signed in at %(provider)s as %(email)s, but it sent none of your groups "
                "(you are in too many). Ask your administrator to give Hymy app roles instead."
            ),
            "disabled": _("This account is disabled. Ask an administrator."),
            "email taken": _(
                "The address %(email)s belongs to another account in Hymy. Ask an administrator."
            ),
            "email unverified": _(
                "%(provider)s has not verified the address %(email)s, so Hymy cannot use it. "
                "Ask your administrator."
            ),
            "unknown site": _(
                "Your access at %(provider)s names a site that Hymy does not have. Ask your "
                "administrator."
            ),
        }
        message = messages.get(
            err.reason,
            _(
                "%(provider)s did not send your e-mail address, so Hymy cannot tell who you "
                "are. Ask your administrator."
            ),
        )
    elif isinstance(err, ProviderRefusedError) and err.error in ("access_denied", "login_required"):
        status = 401
        message = _(
            "The sign-in at %(provider)s was cancelled or refused. Sign in again, or with "
            "your e-mail address and password."
        )
    elif isinstance(err, ProviderRefusedError):
        status = 401
        message = _(
            "%(provider)s did not sign you in. Try again; if it happens again, ask your "
            "administrator."
        )
    elif isinstance(err, StateError):
        message = _("This sign-in had expired or was used already. Please sign in again.")
    elif isinstance(err, TokenError):
        status = 401
        message = _(
            "The answer from %(provider)s could not be verified, so you were not signed in. "
            "Try again; if it happens again, ask your administrator."
        )
    else:  # ProviderUnavailableError: the page itself is fine, and the password form works
        status = 200
        message = _(
            "%(provider)s cannot be reached just now. Try again in a moment, or sign in with "
            "your e-mail address and password."
        )
    log.warning("single sign-on failed: %s: %s", err.reason, err.detail)
    audit_sign_in_refused(request, email, "oidc", err.reason)
    return login_page(request, status, error=message % words, next=next_path)


@router.get("/login/sso")
async def start_sso(request: Request, next: str = "/") -> Response:
    """Send the browser to the identity provider."""
    provider = _provider(request)
    if provider is None:
        _ = gettext_for(request)
        return login_page(
            request, 404, error=_("Single sign-on is not set up here."), next=safe_next(next)
        )
    target = safe_next(next)
    try:
        authorization = await provider.authorization(str(request.url_for("sso_callback")), target)
    except ProviderUnavailableError as err:
        return _failed(request, provider.config, err, target)
    browser = request.cookies.get(BROWSER_COOKIE, "")
    if not 40 <= len(browser) <= 64:  # ours are 43 characters; keep one for every tab
        browser = new_token()
    await run_write(
        request,
        lambda conn: save_pending(conn, authorization.state, browser, authorization.pending),
    )
    response = RedirectResponse(authorization.url, status_code=303)
    response.set_cookie(
        BROWSER_COOKIE,
        browser,
        max_age=3600,
        httponly=True,
        samesite="lax",  # sent on the provider's redirect back, a top-level GET
        secure=is_secure(request),
        path=COOKIE_PATH,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/login/sso/callback", name="sso_callback")
async def sso_callback(
    request: Request,
    state: str = "",
    code: str = "",
    error: str = "",
    error_description: str = "",
) -> Response:
    """The provider's answer: sign the person in, or say why not."""
    provider = _provider(request)
    if provider is None:
        return RedirectResponse("/login", status_code=303)
    config = provider.config
    browser = request.cookies.get(BROWSER_COOKIE, "")
    next_path = "/"
    try:
        taken = await run_write(request, lambda conn: take_pending(conn, state[:300]))
        try:
            if taken is None:
                raise StateError("the state is unknown or was used already")
            pending = taken.check(browser)
        except StateError:
            if error:  # the provider's own word says more than a missing state
                raise ProviderRefusedError(error[:100], error_description[:300]) from None
            raise
        next_path = pending.next_path
        if error or not code:
            raise ProviderRefusedError(error[:100] or "no code", error_description[:300])
        claims = await provider.claims(code[:2000], pending)

        def sign_in(conn: Connection) -> tuple[str, WebSession, SsoAccess]:
            person, access = sign_in_person(conn, config, claims)
            token, session = start_session(conn, person.id)
            return token, session, access

        token, session, access = await run_write(request, sign_in)
    except SignOnError as err:
        return _failed(request, config, err, next_path)
    log.info(
        "single sign-on of %s: %s %s from %s",
        session.person.email,
        access.role,
        ", ".join(access.sites) or "every site",
        ", ".join(access.matched),
    )
    audit_sign_in(request, session.person.email, "oidc", session.person.role)
    return signed_in(request, token, next_path)

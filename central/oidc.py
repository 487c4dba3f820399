"""Single sign-on to the console with OpenID Connect: the identity provider through Authlib
(Authorization Code flow with PKCE S256, a nonce and a state), the flow's state kept in the
database between the redirect and the answer, and the account a signed-in person gets.

Why the state is a row (`sso_states`), not a signed cookie: the redirect and the answer may
reach different workers or servers, and a row needs no secret that all of them must share; it
is used once (deleted as it is read, so a replayed answer finds nothing) and counts only in
the browser that asked (the hash of a random cookie of its own is in the row).

The ID token is checked by Authlib and joserfc: its signature with the provider's keys (the
JWKS of its discovery document; fetched again for an unknown key id, as when the provider
rotates keys), and here given the values to check: the issuer of the setting (which the
discovery document must name too), the audience (our client id), the nonce of this sign-on, the
expiry and the time it was issued (two minutes' leeway for clocks).

Exceptions:

    SignOnError                   a sign-on that did not complete; `reason` for the audit line
    ├── ProviderUnavailableError  the provider cannot be reached, or its discovery document or
    │                             keys cannot be used (the setting's issuer is wrong, say)
    ├── ProviderRefusedError      the provider answered with an error (access_denied,
    │                             invalid_grant)
    ├── StateError                the answer's state is unknown, expired, used, or another
    │                             browser's
    ├── TokenError                the ID token does not verify (signature, issuer, audience,
    │                             nonce, expiry)
    └── SsoRefused                the person may not sign in: no mapped group, no e-mail
                                  address, a disabled account, an address taken by another
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2 as http_client  # the HTTP client Authlib itself uses
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.starlette_client import OAuth
from joserfc.errors import JoseError
from sqlalchemy import Connection, delete, insert, select, update

from central.access import ApiKeyError, checked_scope
from central.oidc_config import OidcConfig, SsoAccess
from central.people import (
    PeopleError,
    Person,
    add_person,
    find_person,
    normal_email,
    person_by_id,
    person_by_subject,
)
from central.tables import people, sso_states
from central.tokens import digest

log = logging.getLogger(__name__)

STATE_LIFETIME = timedelta(minutes=10)  # from the redirect to the provider's answer
PROVIDER_TIMEOUT_S = 10.0  # each request to the provider; a page waits at most a few of these
METADATA_EVERY_S = 24 * 3600  # the discovery document is read again after this
LEEWAY_S = 120  # clock difference allowed in exp, iat and nbf
# Asymmetric signatures only: an ID token signed with "none" or with the client secret (HS256)
# is refused whatever the discovery document offers.
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384")


class SignOnError(Exception):
    """A sign-on that did not complete. `reason` names it in the audit line; `detail` is for
    the log (what the provider or the check said), never for the page."""

    reason = "failed"

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.reason)
        self.detail = detail


class ProviderUnavailableError(SignOnError):
    reason = "provider unavailable"


class ProviderRefusedError(SignOnError):
    reason = "provider refused"

    def __init__(self, error: str, detail: str = "") -> None:
        super().__init__(f"{error}: {detail}" if detail else error)
        self.error = error


class StateError(SignOnError):
    reason = "unknown, expired or used state"


class TokenError(SignOnError):
    reason = "invalid id token"


class SsoRefused(SignOnError):  # noqa: N818 - a refusal, not an error of the program
    """The person signed in at the provider but may not sign in here. `why` is one of
    "no role", "no email", "disabled", "email taken", "email unverified", "unknown site",
    "groups overage"; `email` is the address the claims gave, when they gave one."""

    def __init__(self, why: str, email: str = "", detail: str = "") -> None:
        super().__init__(detail or why)
        self.reason = why
        self.email = email


@dataclass(frozen=True)
class PendingSignOn:
    """What the answer is checked with: kept in `sso_states` under the flow's state."""

    nonce: str
    code_verifier: str
    redirect_uri: str
    next_path: str


@dataclass(frozen=True)
class Authorization:
    """Where to send the browser, and what to keep until it comes back."""

    url: str
    state: str
    pending: PendingSignOn


def save_pending(
    conn: Connection, state: str, browser: str, pending: PendingSignOn, now: datetime | None = None
) -> None:
    """Keep a sign-on's state until its answer (STATE_LIFETIME); older ones are cleared."""
    now = now or datetime.now(UTC)
    conn.execute(delete(sso_states).where(sso_states.c.created_at < now - STATE_LIFETIME))
    conn.execute(
        insert(sso_states).values(
            state_hash=digest(state),
            browser_hash=digest(browser),
            nonce=pending.nonce,
            code_verifier=pending.code_verifier,
            redirect_uri=pending.redirect_uri,
            next_path=pending.next_path,
            created_at=now,
        )
    )


@dataclass(frozen=True)
class TakenSignOn:
    """A row of `sso_states` as it was taken (deleted) from the table."""

    pending: PendingSignOn
    browser_hash: str
    created_at: datetime

    def check(self, browser: str, now: datetime | None = None) -> PendingSignOn:
        """The sign-on, when it is this browser's and not expired. Raises StateError."""
        now = now or datetime.now(UTC)
        if self.created_at < now - STATE_LIFETIME:
            raise StateError("the state has expired")
        if not browser or digest(browser) != self.browser_hash:
            raise StateError("the answer came to another browser than the one that asked")
        return self.pending


def take_pending(conn: Connection, state: str) -> TakenSignOn | None:
    """The sign-on of this state, deleted as it is read, so that an answer counts once even
    when it is refused: check it (TakenSignOn.check) after the transaction. None for a state
    that is unknown or used."""
    if not state or len(state) > 200:
        return None
    key = digest(state)
    row = conn.execute(select(sso_states).where(sso_states.c.state_hash == key)).first()
    # The delete decides: of two answers with one state in two workers, one deletes the row.
    taken = conn.execute(delete(sso_states).where(sso_states.c.state_hash == key)).rowcount
    if row is None or not taken:
        return None
    created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)
    pending = PendingSignOn(row.nonce, row.code_verifier, row.redirect_uri, row.next_path)
    return TakenSignOn(pending, row.browser_hash, created)


class IdentityProvider:
    """The provider of the setting, through Authlib. Nothing is fetched until the first
    sign-on (the central starts while the provider is down); the discovery document and keys
    are then kept, and read again after METADATA_EVERY_S or for an unknown key id."""

    def __init__(self, config: OidcConfig, *, timeout_s: float = PROVIDER_TIMEOUT_S) -> None:
        self.config = config
        self.client = OAuth().register(
            "hymy",
            client_id=config.client_id,
            client_secret=config.client_secret,
            server_metadata_url=config.metadata_url,
            client_kwargs={
                "scope": " ".join(config.scopes),
                "code_challenge_method": "S256",
                "timeout": timeout_s,
            },
        )

    async def metadata(self) -> dict[str, Any]:
        """The provider's discovery document, checked: it must name the setting's issuer.

        Raises ProviderUnavailableError.
        """
        loaded = self.client.server_metadata.get("_loaded_at")
        if loaded is not None and time.time() - loaded > METADATA_EVERY_S:
            self.client.server_metadata.clear()
        try:
            metadata = await self.client.load_server_metadata()
        except (http_client.HTTPError, ValueError, TypeError) as err:  # not JSON, not an object
            self.client.server_metadata.clear()
            raise ProviderUnavailableError(
                f"{self.config.metadata_url} cannot be read: {type(err).__name__}: {err}"
            ) from None
        if metadata.get("issuer") != self.config.issuer:
            found = metadata.get("issuer")
            self.client.server_metadata.clear()
            raise ProviderUnavailableError(
                f"{self.config.metadata_url} names the issuer {found!r}, not {self.config.issuer!r}"
                f" as {self.config.path} does: write issuer = {found!r} there"
            )
        offered = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
        metadata["id_token_signing_alg_values_supported"] = [
            alg for alg in offered if alg in SIGNING_ALGORITHMS
        ] or ["RS256"]
        return metadata

    async def authorization(self, redirect_uri: str, next_path: str) -> Authorization:
        """The provider's URL for a new sign-on: a fresh state, nonce and PKCE verifier.

        Raises ProviderUnavailableError.
        """
        await self.metadata()
        try:
            made = await self.client.create_authorization_url(redirect_uri)
        except (http_client.HTTPError, RuntimeError) as err:
            raise ProviderUnavailableError(f"{type(err).__name__}: {err}") from None
        pending = PendingSignOn(made["nonce"], made["code_verifier"], redirect_uri, next_path)
        return Authorization(made["url"], made["state"], pending)

    async def claims(self, code: str, pending: PendingSignOn) -> dict[str, Any]:
        """The verified claims of the person the provider signed in (exchanging `code`).

        Raises ProviderUnavailableError, ProviderRefusedError (say, the code was used), TokenError.
        """
        await self.metadata()
        try:
            token = await self.client.fetch_access_token(
                redirect_uri=pending.redirect_uri,
                code=code,
                code_verifier=pending.code_verifier,
            )
        except http_client.HTTPError as err:
            raise ProviderUnavailableError(f"token endpoint: {type(err).__name__}: {err}") from None
        except AuthlibBaseError as err:
            raise ProviderRefusedError(err.error or "error", err.description or "") from None
        except (ValueError, TypeError, KeyError) as err:  # an answer that is not a token
            raise ProviderRefusedError("invalid token response", str(err)) from None
        if not isinstance(token, Mapping) or "id_token" not in token:
            raise TokenError("the token endpoint sent no id_token (is 'openid' a scope?)")
        options = {
            "iss": {"essential": True, "value": self.config.issuer},
            "aud": {"essential": True, "value": self.config.client_id},
            "sub": {"essential": True},
            "exp": {"essential": True},
        }
        try:
            claims = await self.client.parse_id_token(
                token, nonce=pending.nonce, claims_options=options, leeway=LEEWAY_S
            )
        except http_client.HTTPError as err:
            raise ProviderUnavailableError(f"keys: {type(err).__name__}: {err}") from None
        except (JoseError, AuthlibBaseError, ValueError, RuntimeError) as err:
            raise TokenError(f"{type(err).__name__}: {err}") from None
        return dict(claims)


def _claim_email(config: OidcConfig, claims: Mapping[str, Any]) -> str:
    value = claims.get(config.email_claim)
    if not isinstance(value, str) or not value.strip():
        raise SsoRefused("no email", detail=f"no {config.email_claim!r} claim")
    try:
        return normal_email(value)
    except PeopleError:
        raise SsoRefused(
            "no email", detail=f"{config.email_claim!r} is {value!r}, not an e-mail address"
        ) from None


def sign_in_person(
    conn: Connection,
    config: OidcConfig,
    claims: Mapping[str, Any],
    now: datetime | None = None,
) -> tuple[Person, SsoAccess]:
    """The account of the person these verified claims describe, made or updated: its subject
    ("issuer subject"), e-mail address, and the role and sites of the setting's map, on every
    sign-in (a change in the provider's groups holds from the next sign-in). An account with
    the same address and no subject yet (made with `user add`) is linked. Call it in a write
    transaction.

    Raises SsoRefused (nothing is written then).
    """
    now = now or datetime.now(UTC)
    email = _claim_email(config, claims)
    sub = claims.get("sub")
    subject = f"{config.issuer} {sub}"
    if not isinstance(sub, str) or not sub or len(subject) > 512:
        raise SsoRefused("no subject", email, f"sub is {sub!r}")
    access = config.access_for(claims)
    if access is None:
        why = "groups overage" if config.groups_overage(claims) else "no role"
        values = ", ".join(config.claim_values(claims)) or "none"
        raise SsoRefused(why, email, f"{config.claim}: {values}")
    try:
        sites = checked_scope(conn, access.role, list(access.sites), "account")
    except ApiKeyError as err:
        raise SsoRefused("unknown site", email, str(err)) from None
    person = person_by_subject(conn, subject)
    holder = find_person(conn, email)
    if person is None and holder is not None:
        if holder.oidc_subject is not None:
            raise SsoRefused("email taken", email, f"{email} is linked to {holder.oidc_subject}")
        if claims.get("email_verified") is False:
            raise SsoRefused("email unverified", email, "email_verified is false")
        person = holder
    elif person is not None and holder is not None and holder.id != person.id:
        raise SsoRefused("email taken", email, f"{email} belongs to another account")
    if person is not None and person.disabled_at is not None:
        raise SsoRefused("disabled", email)
    if person is None:
        person = add_person(conn, email, access.role, sites, None, oidc_subject=subject, now=now)
    conn.execute(
        update(people)
        .where(people.c.id == person.id)
        .values(
            email=email,
            oidc_subject=subject,
            role=access.role,
            sites=json.dumps(sites),
            last_signin_at=now,
        )
    )
    updated = person_by_id(conn, person.id)
    assert updated is not None
    return updated, access

"""The test identity provider (oidc_provider.mjs under Node) as a child process: start it with
one confidential client and the test users, change the client's redirect URIs while it runs, and
sign in on its page in a browser."""

from __future__ import annotations

import json
import logging
import os
import secrets
import subprocess
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

import httpx
from playwright.sync_api import Page

from tests.support.paths import ROOT

log = logging.getLogger(__name__)

WEB_TESTS = ROOT / "tests" / "central" / "web"  # the provider script and its npm packages
PROVIDER_SCRIPT = WEB_TESTS / "oidc_provider.mjs"
CLIENT_ID = "hymy-console"

# The people of the tests, by the name tests use for them. `groups` is what a county's directory
# sends (Entra ID and Keycloak put it in the id token); `roles` is the same as app roles.
TEST_USERS: dict[str, dict[str, Any]] = {
    "admin": {
        "sub": "u-admin",
        "email": "paivi.paakayttaja@example.com",
        "name": "Päivi Pääkäyttäjä",
        "groups": ["hymy-admins"],
        "roles": ["admin"],
    },
    "it": {
        "sub": "u-it",
        "email": "ilkka.it@example.com",
        "name": "Ilkka Tietohallinto",
        "groups": ["hymy-it"],
        "roles": ["it"],
    },
    "manager": {
        "sub": "u-manager",
        "email": "maija.esihenkilo@example.com",
        "name": "Maija Esihenkilö",
        "groups": ["hymy-managers", "hymy-site-kaleva"],
        "roles": ["manager"],
    },
    "norole": {
        "sub": "u-norole",
        "email": "veikko.vieras@example.com",
        "name": "Veikko Vieras",
        "groups": ["kaikki-tyontekijat"],
        "roles": [],
    },
}


class OidcProviderError(RuntimeError):
    """The provider did not start, or refused an admin request; the message has its output."""


class OidcProvider:
    """A running test identity provider: its issuer, the console's client, the test users.

    The client is confidential (client_secret_basic), allows the Authorization Code flow with
    PKCE (S256) and refresh tokens, and redirects only to `redirect_uris` (exact match, as a real
    provider): a test sets its central's callback with set_redirect_uris.
    """

    def __init__(
        self,
        *,
        redirect_uris: Iterable[str] = (),
        users: dict[str, dict[str, Any]] | None = None,
        log_path: Path | None = None,
    ) -> None:
        self.client_id = CLIENT_ID
        self.client_secret = secrets.token_urlsafe(24)
        self.redirect_uris = list(redirect_uris)
        self.users = {name: dict(claims) for name, claims in (users or TEST_USERS).items()}
        self.log_path = log_path
        self.issuer = ""
        self._admin_token = secrets.token_urlsafe(24)
        self._process: subprocess.Popen[str] | None = None
        self._stderr: list[str] = []

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def config(self) -> dict[str, Any]:
        """The JSON the script starts with."""
        return {
            "clients": [
                {
                    "client_id": self.client_id,
                    "client_secret": self.client_secret,
                    "redirect_uris": self.redirect_uris,
                }
            ],
            "users": list(self.users.values()),
            "admin_token": self._admin_token,
        }

    def start(self, timeout_s: float = 20.0) -> None:
        """Start node on a free port and wait for its READY line.

        Raises OidcProviderError when it exits or stays silent.
        """
        self._process = subprocess.Popen(
            ["node", str(PROVIDER_SCRIPT), "--port", "0"],
            env={**os.environ, "HYMY_OIDC_CONFIG": json.dumps(self.config())},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        # Its stderr is drained all along (a full pipe would stall it) and kept for errors.
        threading.Thread(target=self._drain, args=(self._process.stderr,), daemon=True).start()
        ready: list[str] = []
        reader = threading.Thread(
            target=lambda: ready.append(self._process.stdout.readline()),  # type: ignore[union-attr]
            daemon=True,
        )
        reader.start()
        reader.join(timeout_s)
        line = ready[0] if ready else ""
        if not line.startswith("READY "):
            self.stop()
            raise OidcProviderError(
                f"oidc_provider.mjs did not start within {timeout_s:g} s:\n"
                + "".join(self._stderr)[-3000:]
            )
        self.issuer = json.loads(line.removeprefix("READY "))["issuer"]
        threading.Thread(target=self._drain, args=(self._process.stdout,), daemon=True).start()
        log.info("test identity provider at %s", self.issuer)

    def _drain(self, stream: IO[str]) -> None:
        sink = self.log_path.open("a", encoding="utf-8") if self.log_path else None
        try:
            for line in stream:
                self._stderr.append(line)
                if sink:
                    sink.write(line)
                    sink.flush()
        finally:
            if sink:
                sink.close()

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process = None

    def _admin(self, path: str, body: Any) -> Any:
        answer = httpx.put(
            f"{self.issuer}{path}",
            json=body,
            headers={"Authorization": f"Bearer {self._admin_token}"},
            timeout=10,
        )
        if answer.status_code != 200:
            raise OidcProviderError(f"PUT {path}: {answer.status_code} {answer.text}")
        return answer.json()

    def set_redirect_uris(self, uris: Iterable[str]) -> None:
        """Let the client redirect to exactly these URIs from now on (a central's callback)."""
        self.redirect_uris = list(uris)
        self._admin(f"/_test/clients/{self.client_id}/redirect_uris", self.redirect_uris)

    def add_user(self, name: str, claims: dict[str, Any]) -> dict[str, Any]:
        """Add a test user (or replace the one with the same `sub`) while the provider runs;
        `claims` needs `sub` and may have any others (email, name, groups, roles...)."""
        self.users[name] = dict(claims)
        return self._admin("/_test/users", self.users[name])

    def sign_in(self, page: Page, user: str) -> None:
        """On the provider's sign-in page (where the console sent the browser), sign in as the
        test user called `user` ("admin", "manager"...; or any sub or e-mail). Consent is given
        at once, so the browser is then on its way back to the redirect URI."""
        claims = self.users.get(user)
        page.wait_for_url(f"{self.issuer}/interaction/**")
        page.fill("#login", claims["sub"] if claims else user)
        page.click("#sign-in")

    def __enter__(self) -> OidcProvider:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

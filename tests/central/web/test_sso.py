"""Single sign-on against a real OpenID Connect provider (oidc_provider.mjs, panva's
oidc-provider on 127.0.0.1): the whole Authorization Code flow with PKCE, a nonce and a state,
walked by an HTTP client that fills in the provider's sign-in form (and once in chromium
against a served central), with the ID token checked as it must be: a token for another
audience, a changed nonce or a broken signature signs nobody in.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page
from sqlalchemy import update

from central.app import create_app
from central.db import write_transaction
from central.oidc import IdentityProvider
from central.people import add_person, disable_person, find_person
from central.settings import Settings
from central.tables import sso_states
from hymy_dev.local_central import free_port
from tests.support.browser_tools import node_missing, unavailable
from tests.support.central import add_site
from tests.support.live_central import LiveCentral
from tests.support.oidc import CLIENT_ID, TEST_USERS, OidcProvider

BASE = "http://127.0.0.1"  # the TestClient's central
CALLBACK = f"{BASE}/login/sso/callback"
OTHER_CLIENT, OTHER_SECRET = "another-app", "another-apps-secret"


def oidc_toml(issuer: str, client_id: str = CLIENT_ID) -> str:
    return f"""
[oidc]
issuer = "{issuer}"
client_id = "{client_id}"
client_secret_file = "oidc-secret"
display_name = {{ fi = "Testin hyvinvointialue", sv = "Testens område", en = "Test County" }}

[[oidc.map]]
value = "hymy-admins"
role = "admin"

[[oidc.map]]
value = "hymy-it"
role = "it"

[[oidc.map]]
value = "hymy-site-kaleva"
role = "manager"
sites = ["kaleva"]
"""


def write_setting(folder: Path, issuer: str, secret: str, client_id: str = CLIENT_ID) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "oidc-secret").write_text(secret + "\n", encoding="utf-8")
    (folder / "oidc-secret").chmod(0o600)
    path = folder / "oidc.toml"
    path.write_text(oidc_toml(issuer, client_id), encoding="utf-8")
    return path


@pytest.fixture
def central_for(tmp_path: Path) -> Iterator[Callable[..., TestClient]]:
    """A central (in this process, SQLite) whose [oidc] setting points at `issuer`."""
    clients: list[TestClient] = []

    def make(issuer: str, secret: str, client_id: str = CLIENT_ID) -> TestClient:
        folder = tmp_path / f"central-{len(clients)}"
        setting = write_setting(folder / "etc", issuer, secret, client_id)
        app = create_app(Settings(data_dir=folder, oidc_file=setting))
        client = TestClient(app, base_url=BASE, headers={"Accept-Language": "en"})
        client.__enter__()
        clients.append(client)
        add_site(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def central(oidc_provider: OidcProvider, central_for: Callable[..., TestClient]) -> TestClient:
    oidc_provider.set_redirect_uris([CALLBACK])
    return central_for(oidc_provider.issuer, oidc_provider.client_secret)


def to_provider(central: TestClient, next_: str = "/") -> str:
    """Start a sign-on at the central; the provider's URL it sends the browser to."""
    answer = central.get(f"/login/sso?{urlencode({'next': next_})}", follow_redirects=False)
    assert answer.status_code == 303, answer.text
    assert "hymy_sso=" in answer.headers["set-cookie"]
    assert "HttpOnly" in answer.headers["set-cookie"]
    url = answer.headers["location"]
    query = parse_qs(urlsplit(url).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["nonce"][0] and query["state"][0] and query["response_type"] == ["code"]
    return url


def at_provider(url: str, login: str | None, *, cancel: bool = False) -> str:
    """Walk the provider's pages as a browser would (its own cookie jar), sign in as `login`
    on its form (or press Cancel); the URL it finally sends the browser back to."""
    with httpx.Client(timeout=20) as browser_like:
        answer = browser_like.get(url)
        while answer.is_redirect:
            location = str(answer.next_request.url)  # type: ignore[union-attr]
            if location.startswith(CALLBACK):
                return location
            answer = browser_like.get(location)
            if "/interaction/" in location and answer.status_code == 200:
                assert 'name="login"' in answer.text
                if cancel:
                    answer = browser_like.post(f"{location}/abort")
                else:
                    answer = browser_like.post(f"{location}/login", data={"login": login})
    raise AssertionError(f"the provider sent no one back: {answer.status_code} {answer.text}")


def back_at_central(central: TestClient, callback: str) -> httpx.Response:
    parts = urlsplit(callback)
    return central.get(f"{parts.path}?{parts.query}", follow_redirects=False)


def sso_sign_in(central: TestClient, login: str, next_: str = "/") -> httpx.Response:
    """Sign in through the provider as the test user `login` ("admin", ...; or a sub)."""
    login = TEST_USERS.get(login, {}).get("sub", login)
    return back_at_central(central, at_provider(to_provider(central, next_), login))


def audit_lines(caplog: pytest.LogCaptureFixture, event: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if getattr(r, "event", "") == event]


def failed_because(caplog: pytest.LogCaptureFixture) -> str:
    """What the central logged of the last sign-on that failed (the check that refused it)."""
    found = [r.getMessage() for r in caplog.records if "single sign-on failed" in r.getMessage()]
    return found[-1] if found else ""


def with_state(callback: str, state: str) -> str:
    parts = urlsplit(callback)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    return urlunsplit(parts._replace(query=urlencode({**query, "state": state})))


def test_a_manager_from_a_group_gets_their_sites_only(
    central: TestClient, oidc_provider: OidcProvider, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="central.audit")
    login = central.get("/login?next=/sites/kaleva")
    assert 'href="/login/sso?next=/sites/kaleva">Sign in with Test County</a>' in login.text
    finnish = central.get("/login", headers={"Accept-Language": "fi"})
    assert "Kirjaudu palvelun Testin hyvinvointialue kautta" in finnish.text
    answer = sso_sign_in(central, "manager", next_="/?week=2026-W48")
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/?week=2026-W48"
    assert "hymy_session=" in answer.headers["set-cookie"]
    assert central.get("/", follow_redirects=False).status_code == 200
    with central.app.state.engine.connect() as conn:
        person = find_person(conn, TEST_USERS["manager"]["email"])
    assert person is not None
    assert (person.role, person.sites) == ("manager", ("kaleva",))
    assert person.oidc_subject == f"{oidc_provider.issuer} u-manager"
    assert not person.has_password
    assert person.caller.may_read_site("kaleva") and not person.caller.may_read_site("hervanta")
    (line,) = audit_lines(caplog, "sign_in")
    assert (line.method, line.role, line.email) == ("oidc", "manager", person.email)


def test_an_admin_and_a_change_at_the_provider_holds_from_the_next_sign_in(
    central: TestClient, oidc_provider: OidcProvider
) -> None:
    assert sso_sign_in(central, "admin").status_code == 303
    with central.app.state.engine.connect() as conn:
        admin = find_person(conn, TEST_USERS["admin"]["email"])
    assert admin is not None and (admin.role, admin.sites) == ("admin", ())
    # The manager is made IT at the provider (and keeps the site group): the highest role wins.
    promoted = {**TEST_USERS["manager"], "sub": "u-promoted", "email": "ylennetty@example.com"}
    oidc_provider.add_user("promoted", promoted)
    assert sso_sign_in(central, "u-promoted").status_code == 303
    oidc_provider.add_user("promoted", {**promoted, "groups": ["hymy-it", "hymy-site-kaleva"]})
    assert sso_sign_in(central, "u-promoted").status_code == 303
    with central.app.state.engine.connect() as conn:
        it = find_person(conn, "ylennetty@example.com")
    assert it is not None and (it.role, it.sites) == ("it", ())


def test_a_person_in_no_mapped_group_is_refused_in_words(
    central: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="central.audit")
    answer = sso_sign_in(central, "norole")
    assert answer.status_code == 403
    assert "none of your groups there gives access to Hymy" in answer.text
    assert TEST_USERS["norole"]["email"] in answer.text
    assert "hymy_session=" not in answer.headers.get("set-cookie", "")
    with central.app.state.engine.connect() as conn:
        assert find_person(conn, TEST_USERS["norole"]["email"]) is None
    (line,) = audit_lines(caplog, "sign_in_refused")
    assert (line.credential, line.reason) == ("oidc", "no role")
    assert line.email == TEST_USERS["norole"]["email"]


def test_a_disabled_account_stays_refused(central: TestClient) -> None:
    assert sso_sign_in(central, "manager").status_code == 303
    with write_transaction(central.app.state.engine) as conn:
        disable_person(conn, TEST_USERS["manager"]["email"])
    answer = sso_sign_in(central, "manager")
    assert answer.status_code == 403 and "This account is disabled" in answer.text


def test_a_password_account_is_linked_once(
    central: TestClient, oidc_provider: OidcProvider
) -> None:
    email = TEST_USERS["it"]["email"]
    with write_transaction(central.app.state.engine) as conn:
        add_person(conn, email, "manager", ["kaleva"], "kolme sanaa peräkkäin")
    assert sso_sign_in(central, "it").status_code == 303
    with central.app.state.engine.connect() as conn:
        linked = find_person(conn, email)
    assert linked is not None and linked.has_password
    assert (linked.role, linked.oidc_subject) == ("it", f"{oidc_provider.issuer} u-it")
    # Another subject of the provider with the same address gets no one else's account.
    oidc_provider.add_user("impostor", {**TEST_USERS["it"], "sub": "u-impostor"})
    answer = sso_sign_in(central, "u-impostor")
    assert answer.status_code == 403
    assert f"The address {email} belongs to another account" in answer.text


def test_a_tampered_state_a_replay_and_another_browser_are_refused(central: TestClient) -> None:
    callback = at_provider(to_provider(central), "u-manager")
    tampered = back_at_central(central, with_state(callback, "not-the-state"))
    assert tampered.status_code == 400
    assert "This sign-in had expired or was used already" in tampered.text
    assert "hymy_session=" not in tampered.headers.get("set-cookie", "")
    # An answer opened in another browser (a link sent to someone) signs nobody in there...
    stranger = TestClient(central.app, base_url=BASE, headers={"Accept-Language": "en"})
    elsewhere = back_at_central(stranger, callback)
    assert elsewhere.status_code == 400
    # ...and is used up: its own browser must start again, as must a replay.
    assert back_at_central(central, callback).status_code == 400
    fresh = at_provider(to_provider(central), "u-manager")
    assert back_at_central(central, fresh).status_code == 303
    assert back_at_central(central, fresh).status_code == 400


def test_cancelling_at_the_provider_is_told(central: TestClient) -> None:
    callback = at_provider(to_provider(central), None, cancel=True)
    assert "error=access_denied" in callback
    answer = back_at_central(central, callback)
    assert answer.status_code == 401
    assert "The sign-in at Test County was cancelled or refused" in answer.text


def test_a_changed_nonce_is_refused(central: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    callback = at_provider(to_provider(central), "u-admin")
    with write_transaction(central.app.state.engine) as conn:
        conn.execute(update(sso_states).values(nonce="another-nonce"))
    answer = back_at_central(central, callback)
    assert answer.status_code == 401 and "could not be verified" in answer.text
    assert "Invalid claim: 'nonce'" in failed_because(caplog)


def test_a_broken_signature_is_refused(
    central: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    to_provider(central)  # the app's identity provider is made at the first sign-on
    client = central.app.state.identity_provider.client
    real = client.fetch_access_token

    async def forged(**kwargs: Any) -> dict[str, Any]:
        token = await real(**kwargs)
        header, payload, signature = token["id_token"].split(".")
        flipped = ("A" if signature[10] != "A" else "B").join((signature[:10], signature[11:]))
        return {**token, "id_token": f"{header}.{payload}.{flipped}"}

    monkeypatch.setattr(client, "fetch_access_token", forged)
    caplog.set_level(logging.INFO, logger="central.audit")
    answer = sso_sign_in(central, "admin")
    assert answer.status_code == 401 and "could not be verified" in answer.text
    assert audit_lines(caplog, "sign_in_refused")[-1].reason == "invalid id token"
    assert "BadSignatureError" in failed_because(caplog)


def test_an_expired_id_token_is_refused(
    central: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import time

    from joserfc._rfc7519 import claims

    callback = at_provider(to_provider(central), "u-admin")
    # The central's clock an hour on: past the token's ten minutes and the two minutes' leeway.
    monkeypatch.setattr(claims, "_generate_now", lambda: int(time.time()) + 3600)
    answer = back_at_central(central, callback)
    assert answer.status_code == 401 and "could not be verified" in answer.text
    assert "ExpiredTokenError" in failed_because(caplog)


class TwoClientProvider(OidcProvider):
    """The test provider with a second application registered, whose tokens are not ours."""

    def config(self) -> dict[str, Any]:
        config = super().config()
        config["clients"].append(
            {"client_id": OTHER_CLIENT, "client_secret": OTHER_SECRET, "redirect_uris": [CALLBACK]}
        )
        return config


@pytest.fixture(scope="module")
def two_clients(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    reason = node_missing()
    if reason:
        unavailable(reason)
    provider = TwoClientProvider(redirect_uris=[CALLBACK])
    with provider:
        yield provider


def test_an_id_token_for_another_audience_is_refused(
    two_clients: OidcProvider,
    central_for: Callable[..., TestClient],
    caplog: pytest.LogCaptureFixture,
) -> None:
    central = central_for(two_clients.issuer, two_clients.client_secret)
    # A central whose Authlib client is, by a mistake, another application's: the provider
    # signs a real token for that one, and the check of the audience against the setting's
    # client_id is what refuses it.
    provider = IdentityProvider(central.app.state.oidc)
    provider.client.client_id, provider.client.client_secret = OTHER_CLIENT, OTHER_SECRET
    central.app.state.identity_provider = provider
    caplog.set_level(logging.INFO, logger="central.audit")
    url = to_provider(central)
    assert f"client_id={OTHER_CLIENT}" in url
    answer = sso_sign_in(central, "admin")
    assert answer.status_code == 401 and "could not be verified" in answer.text
    assert audit_lines(caplog, "sign_in_refused")[-1].reason == "invalid id token"
    assert "Invalid claim: 'aud'" in failed_because(caplog)
    # With its own client the same central signs the admin in.
    central.app.state.identity_provider = IdentityProvider(central.app.state.oidc)
    assert sso_sign_in(central, "admin").status_code == 303


def test_another_issuer_in_the_discovery_document_is_refused(
    oidc_provider: OidcProvider,
    central_for: Callable[..., TestClient],
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The same provider by another name: its discovery document names 127.0.0.1, not localhost.
    issuer = oidc_provider.issuer.replace("127.0.0.1", "localhost")
    central = central_for(issuer, oidc_provider.client_secret)
    caplog.set_level(logging.WARNING)
    answer = central.get("/login/sso", follow_redirects=False)
    assert answer.status_code == 200 and "cannot be reached just now" in answer.text
    assert any("names the issuer" in r.getMessage() for r in caplog.records)


def test_the_central_starts_and_answers_while_the_provider_is_down(
    central_for: Callable[..., TestClient],
) -> None:
    central = central_for(f"http://127.0.0.1:{free_port()}", "secret")
    assert central.get("/healthz").status_code == 200
    assert "Sign in with" in central.get("/login").text
    answer = central.get("/login/sso", follow_redirects=False)
    assert answer.status_code == 200
    assert "Test County cannot be reached just now" in answer.text
    # The provider's answer to a sign-on that was never started: the page, not an error.
    stray = central.get("/login/sso/callback?code=x&state=y", follow_redirects=False)
    assert stray.status_code == 400 and "expired or was used already" in stray.text


def test_sign_in_with_the_button_in_chromium_against_a_served_central(
    oidc_provider: OidcProvider,
    live_central_factory: Callable[..., LiveCentral],
    page: Page,
    tmp_path: Path,
) -> None:
    def env(url: str) -> dict[str, str]:
        oidc_provider.set_redirect_uris([f"{url}/login/sso/callback"])
        setting = write_setting(tmp_path, oidc_provider.issuer, oidc_provider.client_secret)
        return {"HYMY_CENTRAL_OIDC_FILE": str(setting)}

    served = live_central_factory(env)
    page.goto(f"{served.url}/login?next=/")
    page.get_by_role("link", name="Sign in with Test County").click()
    oidc_provider.sign_in(page, "manager")
    page.wait_for_url(f"{served.url}/")
    assert page.locator(".who").inner_text() == TEST_USERS["manager"]["email"]
    assert "hymy_session" in {cookie["name"] for cookie in page.context.cookies()}

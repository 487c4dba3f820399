"""The console's test infrastructure works: Debian's chromium under Playwright (and nothing
downloaded), axe in the page, a served central fed through the API, and a full OpenID Connect
Authorization Code flow with PKCE against the test identity provider, with Authlib as the client
as in the console."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import OAuth2Client
from joserfc import jwt
from joserfc.jwk import KeySet
from playwright.sync_api import Browser, Page, Route

from tests.support.axe import AXE_JS, assert_accessible, axe_check, describe
from tests.support.live_central import SERVICE_POINTS, LiveCentral
from tests.support.oidc import TEST_USERS, OidcProvider

log = logging.getLogger(__name__)
# Nothing listens here: a browser test catches the redirect with page.route, an HTTP client
# reads it from the Location header.
CALLBACK = "http://127.0.0.1:9/login/callback"


def test_chromium_is_debians_and_nothing_was_downloaded(browser: Browser, browsers_path: Path):
    assert browser.browser_type.name == "chromium"
    assert browser.version.split(".")[0].isdigit()
    assert not browsers_path.exists(), "Playwright created a browser download folder"


def test_swagger_ui_in_chromium_and_axe_on_it(live_central: LiveCentral, page: Page):
    page.goto(f"{live_central.url}/docs")
    page.locator(".swagger-ui .info .title").wait_for()
    assert "Hymy" in page.locator(".swagger-ui .info .title").inner_text()
    violations = axe_check(page)
    # Swagger UI's own findings are reported, not failed: it is not our markup.
    log.info("axe on /docs: %d violation(s)\n%s", len(violations), describe(violations))
    assert page.evaluate("axe.version") in AXE_JS.read_text(encoding="utf-8")[:40]


def test_assert_accessible_names_the_problem_and_its_element(page: Page):
    page.set_content(
        '<html lang="en"><head><title>t</title></head><body><main><h1>Hymy</h1>'
        '<img id="logo" src="data:,"></main></body></html>'
    )
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page)
    assert "image-alt (critical)" in str(failure.value) and "#logo" in str(failure.value)
    page.set_content(
        '<html lang="en"><head><title>t</title></head><body><main><h1>Hymy</h1>'
        '<img src="data:," alt="Hymy logo"></main></body></html>'
    )
    assert_accessible(page)


def test_phone_page_is_a_touch_phone(phone_page: Page):
    phone_page.set_content("<p>hei</p>")
    assert phone_page.viewport_size == {"width": 390, "height": 844}
    assert phone_page.evaluate(
        "navigator.maxTouchPoints > 0 && matchMedia('(pointer: coarse)').matches"
    )


def test_seeded_history_reaches_the_reports(seeded_central: LiveCentral):
    history = seeded_central.history
    assert history is not None and len(history.days) == 14
    key = seeded_central.api_key("manager", "kaleva")
    answer = httpx.get(
        f"{seeded_central.url}/api/v1/reports/feedback",
        params={
            "site": "kaleva",
            "from": history.days[0].isoformat(),
            "to": history.days[-1].isoformat(),
            "by": "service-point",
        },
        headers={"Authorization": f"Bearer {key}"},
    ).raise_for_status()
    body = answer.json()
    counted = {row["bucket"]: row["n"] for row in body["buckets"]}
    for point in SERVICE_POINTS:
        assert counted.get(point, 0) == len(history.ratings(point=point)), (point, body)
    assert 0 < len(history.ratings(point="neuvola")) < 5
    checkins = httpx.get(
        f"{seeded_central.url}/api/v1/reports/checkins",
        params={"site": "kaleva", "from": history.days[0].isoformat(), "to": history.days[-1]},
        headers={"Authorization": f"Bearer {key}"},
    ).raise_for_status()
    assert sum(row["checkins"] for row in checkins.json()["buckets"]) == history.checkins()


def test_a_central_gets_environment_that_names_its_own_address(live_central_factory):
    addresses = []

    def env(url: str) -> dict[str, str]:
        addresses.append(url)
        return {"HYMY_CENTRAL_LOG_FORMAT": "json"}

    central = live_central_factory(env)
    assert addresses == [central.url]
    assert httpx.get(f"{central.url}/healthz").status_code == 200
    logged = central.log_path.read_text(encoding="utf-8").splitlines()
    assert logged and all(line.startswith("{") for line in logged), logged[:3]


def test_discovery_document(oidc_provider: OidcProvider):
    discovery = httpx.get(oidc_provider.discovery_url).raise_for_status().json()
    assert discovery["issuer"] == oidc_provider.issuer
    assert discovery["issuer"].startswith("http://127.0.0.1:")
    assert "S256" in discovery["code_challenge_methods_supported"]
    assert "groups" in discovery["claims_supported"]


def _authlib_client(provider: OidcProvider) -> OAuth2Client:
    return OAuth2Client(
        provider.client_id,
        provider.client_secret,
        scope="openid email profile",
        redirect_uri=CALLBACK,
        code_challenge_method="S256",
    )


def _id_token_claims(provider: OidcProvider, id_token: str, nonce: str) -> dict:
    discovery = httpx.get(provider.discovery_url).json()
    keys = KeySet.import_key_set(httpx.get(discovery["jwks_uri"]).json())
    token = jwt.decode(id_token, keys, algorithms=["RS256"])
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": provider.issuer},
        aud={"essential": True, "value": provider.client_id},
        nonce={"essential": True, "value": nonce},
        exp={"essential": True},
    ).validate(token.claims)
    return token.claims


def _code_by_http(provider: OidcProvider, authorization_url: str, login: str) -> str:
    """Walk the sign-in as a browser would, with a cookie jar; the redirect to the callback."""
    with httpx.Client() as browser_like:
        answer = browser_like.get(authorization_url)
        while answer.is_redirect:
            location = str(answer.next_request.url)
            if location.startswith(CALLBACK):
                return location
            answer = browser_like.get(location)
            if "/interaction/" in location and answer.status_code == 200:
                assert 'name="login"' in answer.text
                answer = browser_like.post(f"{location}/login", data={"login": login})
    raise AssertionError(f"no redirect to the callback: {answer.status_code} {answer.text}")


def test_authorization_code_flow_with_pkce_over_http(oidc_provider: OidcProvider):
    oidc_provider.set_redirect_uris([CALLBACK])
    discovery = httpx.get(oidc_provider.discovery_url).json()
    client = _authlib_client(oidc_provider)
    verifier, nonce = generate_token(48), secrets.token_urlsafe(16)
    url, state = client.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    callback = _code_by_http(oidc_provider, url, TEST_USERS["manager"]["email"])
    assert parse_qs(urlsplit(callback).query)["state"] == [state]

    # The code is bound to the verifier: another one is refused.
    wrong = _authlib_client(oidc_provider)
    with pytest.raises(Exception, match="invalid_grant"):
        wrong.fetch_token(
            discovery["token_endpoint"],
            authorization_response=callback,
            code_verifier=generate_token(48),
        )
    # ...and a refused exchange spends the code, as the spec allows: start again.
    url, state = client.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    callback = _code_by_http(oidc_provider, url, "u-manager")
    token = client.fetch_token(
        discovery["token_endpoint"], authorization_response=callback, code_verifier=verifier
    )
    claims = _id_token_claims(oidc_provider, token["id_token"], nonce)
    assert claims["sub"] == "u-manager"
    assert claims["groups"] == ["hymy-managers", "hymy-site-kaleva"]
    assert claims["roles"] == ["manager"]
    assert claims["email"] == "maija.esihenkilo@example.com"
    assert claims["name"] == "Maija Esihenkilö"
    userinfo = client.get(discovery["userinfo_endpoint"]).raise_for_status().json()
    assert userinfo["groups"] == claims["groups"]


def test_sign_in_page_in_chromium(oidc_provider: OidcProvider, page: Page):
    oidc_provider.set_redirect_uris([CALLBACK])
    discovery = httpx.get(oidc_provider.discovery_url).json()
    client = _authlib_client(oidc_provider)
    verifier, nonce = generate_token(48), secrets.token_urlsafe(16)
    url, _state = client.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    landed: list[str] = []

    def callback(route: Route) -> None:
        landed.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<title>back</title>")

    page.route(f"{CALLBACK}*", callback)
    page.goto(url)
    assert_accessible(page)  # the provider's own page: no excuse there
    oidc_provider.sign_in(page, "admin")
    page.wait_for_url(f"{CALLBACK}*")
    token = client.fetch_token(
        discovery["token_endpoint"], authorization_response=landed[0], code_verifier=verifier
    )
    claims = _id_token_claims(oidc_provider, token["id_token"], nonce)
    assert claims["groups"] == ["hymy-admins"] and claims["roles"] == ["admin"]


def test_unknown_account_is_told_so(oidc_provider: OidcProvider, page: Page):
    oidc_provider.set_redirect_uris([CALLBACK])
    client = _authlib_client(oidc_provider)
    url, _state = client.create_authorization_url(
        f"{oidc_provider.issuer}/auth", code_verifier=generate_token(48), nonce="n"
    )
    page.goto(url)
    oidc_provider.sign_in(page, "nobody@example.com")
    assert "No test user" in page.locator("#error").inner_text()


def test_users_and_redirect_uris_change_while_it_runs(oidc_provider: OidcProvider):
    oidc_provider.add_user(
        "auditor", {"sub": "u-auditor", "email": "a@example.com", "groups": ["auditors"]}
    )
    oidc_provider.set_redirect_uris([CALLBACK])
    discovery = httpx.get(oidc_provider.discovery_url).json()
    client = _authlib_client(oidc_provider)
    verifier, nonce = generate_token(48), "n-1"
    url, _state = client.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    callback = _code_by_http(oidc_provider, url, "u-auditor")
    token = client.fetch_token(
        discovery["token_endpoint"], authorization_response=callback, code_verifier=verifier
    )
    assert _id_token_claims(oidc_provider, token["id_token"], nonce)["groups"] == ["auditors"]

    oidc_provider.set_redirect_uris(["http://127.0.0.1:9/elsewhere"])
    refused = httpx.get(url)
    assert refused.status_code == 400 and "redirect_uri" in refused.text
    oidc_provider.set_redirect_uris([CALLBACK])

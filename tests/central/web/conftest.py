"""Fixtures of the console's browser tests: Debian's chromium through Playwright (one browser per
test process, a fresh context per test), a real central serving the console, and a real OpenID
Connect provider for single sign-on. Accessibility checks are in tests.support.axe.

Playwright never downloads a browser here: it launches /usr/bin/chromium, with
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 and PLAYWRIGHT_BROWSERS_PATH pointing at a folder that must
stay absent (test_browser_infra checks). Chromium gets the flags that keep it off the network,
which this machine's closed network would otherwise refuse at every start.

Without chromium, Node.js or the npm packages, the tests fail on CI (env CI set) with a message
to run scripts/setup.sh, and are skipped elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from hymy_dev.local_central import free_port
from tests.support.browser_tools import node_missing, unavailable
from tests.support.live_central import LiveCentral
from tests.support.oidc import OidcProvider

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
# English: the msgids, which stay put when the Finnish and Swedish catalogs are filled in.
LOCALE = "en-GB"
TIMEOUT_MS = 10_000  # a page that has not done it in 10 s will not; fail soon, not in 30 s


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder drives a browser or its servers: marked `browser`."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browsers_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where Playwright would put browsers it downloads: never created."""
    return tmp_path_factory.mktemp("playwright") / "browsers"


@pytest.fixture(scope="session")
def playwright(browsers_path: Path) -> Iterator[Playwright]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
        env.setenv("PLAYWRIGHT_BROWSERS_PATH", str(browsers_path))
        with sync_playwright() as running:
            yield running


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's chromium, headless; one per test process (xdist worker)."""
    if not CHROMIUM.is_file():
        unavailable(f"{CHROMIUM} is missing: run scripts/setup.sh as root (Debian's chromium).")
    launched = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield launched
    launched.close()


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    """Open a page in a fresh browser context (own cookies and storage), closed after the test.

    new_page(phone=False, base_url=None, locale="en-GB", **context_options): 1366x768 by
    default; phone=True gives a 390x844 touch phone. Other keywords go to new_context
    (e.g. extra_http_headers, color_scheme).
    """
    contexts = []

    def open_page(
        *,
        phone: bool = False,
        base_url: str | None = None,
        locale: str = LOCALE,
        **context_options: Any,
    ) -> Page:
        if phone:
            context_options = {
                "viewport": PHONE,
                "is_mobile": True,
                "has_touch": True,
                "device_scale_factor": 2,
                **context_options,
            }
        context = browser.new_context(
            **{"viewport": DESKTOP, "base_url": base_url, "locale": locale, **context_options}
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    """A 1366x768 page in a fresh context."""
    return new_page()


@pytest.fixture
def phone_page(new_page: Callable[..., Page]) -> Page:
    """A 390x844 touch-screen phone page in a fresh context."""
    return new_page(phone=True)


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    """The test identity provider, one per test process. Its client's redirect URIs start empty:
    a test sets its central's callback with set_redirect_uris (the last call wins)."""
    reason = node_missing()
    if reason:
        unavailable(reason)
    log_path = tmp_path_factory.mktemp("oidc") / "provider.log"
    with OidcProvider(log_path=log_path) as provider:
        yield provider


@pytest.fixture(scope="module")
def live_central_factory(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., LiveCentral]]:
    """Start a central: start(env=None, *, seed=False) -> LiveCentral, stopped after the module.

    `env` adds environment variables (the console's sign-in settings): a mapping, or a function
    of the central's URL that returns one (for settings that name the central's own address,
    such as a redirect URI). seed=True enrols two kiosks and sends them 14 days of history
    (LiveCentral.seed).
    """
    started: list[LiveCentral] = []

    def start(
        env: Mapping[str, str] | Callable[[str], Mapping[str, str]] | None = None,
        *,
        seed: bool = False,
    ) -> LiveCentral:
        port = free_port()
        if callable(env):
            env = env(f"http://127.0.0.1:{port}")
        central = LiveCentral(tmp_path_factory.mktemp("central"), env=env, port=port)
        started.append(central)
        central.start()
        if seed:
            central.seed()
        return central

    yield start
    for central in started:
        central.stop()


@pytest.fixture(scope="module")
def live_central(live_central_factory: Callable[..., LiveCentral]) -> LiveCentral:
    """A served central with the example site (kaleva) and no kiosks yet."""
    return live_central_factory()


@pytest.fixture(scope="module")
def seeded_central(live_central_factory: Callable[..., LiveCentral]) -> LiveCentral:
    """A served central with the example site, two kiosks and 14 days of their events
    (`.history` says what was sent)."""
    return live_central_factory(seed=True)

"""The managers' pages in chromium, on a served central with 14 days of seeded history: every
chart drawn from its JSON block under the strict Content-Security-Policy (no refused script or
style), no axe-core WCAG 2 A/AA violation, and a phone-sized page that does not scroll sideways."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from tests.support.axe import axe_check, describe
from tests.support.live_central import LiveCentral

PASSWORD = "kolme sanaa peräkkäin"
PAGES = [
    "/",
    "/sites/kaleva",
    "/sites/kaleva?by=week&include_misuse=1",
    "/compare?by=service-point",
]


def signed_in(new_page: Callable[..., Page], central: LiveCentral, *, phone: bool) -> Page:
    page = new_page(phone=phone, base_url=central.url)
    page.goto("/login")
    page.fill("#email", "hoitaja@example.fi")
    page.fill("#password", PASSWORD)
    page.click("form.stack button")
    page.wait_for_url(f"{central.url}/")
    return page


@pytest.fixture(scope="module")
def central(seeded_central: LiveCentral) -> LiveCentral:
    seeded_central.add_person("hoitaja@example.fi", "manager", "kaleva", password=PASSWORD)
    return seeded_central


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_the_pages_draw_their_charts_and_pass_axe(central, new_page, phone):
    page = signed_in(new_page, central, phone=phone)
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if m.type == "error" else None)
    for path in PAGES:
        page.goto(path)
        page.wait_for_load_state("load")
        charts = page.locator("canvas[data-chart]")
        assert charts.count() > 0, path
        for i in range(charts.count()):
            assert charts.nth(i).get_attribute("data-drawn") == "1", path
        violations = axe_check(page, options={"runOnly": ["wcag2a", "wcag2aa"]})
        assert not violations, f"{path}:\n{describe(violations)}"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= page.viewport_size["width"], path
    assert not refused

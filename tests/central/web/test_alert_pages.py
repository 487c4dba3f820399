"""The alert pages in chromium, on a served central fed through the API: unhappy ratings open
an alert a moment after their batch, the manager sees it on /alerts and acknowledges it with a
comment; she changes a rule, the opening hours and adds a webhook on the site's alert settings;
a manager of another site sees none of it. No axe-core WCAG 2 A/AA violation, nothing
scrolling sideways on a phone. Screenshots (English, Finnish, Swedish) go to tmp_path."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page

from tests.support.axe import axe_check, describe
from tests.support.central import HERVANTA_SITE
from tests.support.live_central import LiveCentral

PASSWORD = "kolme sanaa peräkkäin"


def signed_in(
    new_page: Callable[..., Page], central: LiveCentral, email: str, *, phone: bool = False,
    locale: str = "en-GB",
) -> Page:  # fmt: skip
    page = new_page(phone=phone, base_url=central.url, locale=locale)
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("form.stack button")
    page.wait_for_url(f"{central.url}/")
    return page


@pytest.fixture(scope="module")
def central(live_central_factory, tmp_path_factory) -> LiveCentral:
    served = live_central_factory(env={"HYMY_CENTRAL_ALERT_CHECK_SECONDS": "5"})
    hervanta = tmp_path_factory.mktemp("sites") / "hervanta.toml"
    hervanta.write_text(HERVANTA_SITE, encoding="utf-8")
    served.add_site(hervanta)
    served.add_person("osasto@example.fi", "manager", "kaleva", password=PASSWORD)
    served.add_person("hervanta@example.fi", "manager", "hervanta", password=PASSWORD)
    kiosk = served.enrol_kiosk("aula-1")
    now = datetime.now(UTC)
    kiosk.send(
        [kiosk.feedback(r, now - timedelta(minutes=5 - i)) for i, r in enumerate([1, 1, 2, 1, 4])]
    )
    return served


def _wait_for_alert(page: Page) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        page.goto("/alerts")
        if page.locator("tbody tr").count():
            return
        time.sleep(0.5)
    raise AssertionError("no alert on /alerts 20 s after the unhappy ratings")


def test_a_manager_sees_and_acknowledges_the_alert(central, new_page, tmp_path: Path) -> None:
    page = signed_in(new_page, central, "osasto@example.fi")
    page.get_by_role("link", name="Alerts", exact=True).click()
    _wait_for_alert(page)
    row = page.locator("tbody tr").first
    assert "Unhappy visitors" in row.inner_text() and "Not yet" in row.inner_text()
    violations = axe_check(page, options={"runOnly": ["wcag2a", "wcag2aa"]})
    assert not violations, describe(violations)
    page.screenshot(path=str(tmp_path / "alerts-en.png"), full_page=True)
    row.get_by_role("link", name="Unhappy visitors").click()
    assert (
        page.get_by_role("heading", level=1).inner_text()
        == "Unhappy visitors at Kaleva Health Station"
    )
    table = page.locator("table").inner_text()
    assert "Ratings\t5" in table and "Unhappy share\t80 %" in table
    page.fill("#comment", "Aulan jono purettu, lisähoitaja paikalla.")
    page.get_by_role("button", name="Acknowledge").click()
    page.wait_for_load_state("load")
    assert page.get_by_text("Acknowledged by osasto@example.fi").is_visible()
    assert "Aulan jono purettu" in page.locator("blockquote").inner_text()
    violations = axe_check(page, options={"runOnly": ["wcag2a", "wcag2aa"]})
    assert not violations, describe(violations)
    page.screenshot(path=str(tmp_path / "alert-en.png"), full_page=True)


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_the_site_alert_settings(central, new_page, phone, tmp_path: Path) -> None:
    page = signed_in(new_page, central, "osasto@example.fi", phone=phone)
    page.goto("/sites/kaleva/alerts")
    form = page.locator("form#unhappy")
    form.locator("input[name=share_percent]").fill("0")
    form.get_by_role("button", name="Save the rule").click()
    page.wait_for_load_state("load")
    assert page.get_by_text("write a whole number from 1 to 100").is_visible()
    form = page.locator("form#unhappy")
    form.locator("input[name=share_percent]").fill("60")
    form.get_by_role("button", name="Save the rule").click()
    page.wait_for_url("**saved=unhappy**")
    assert page.locator("form#unhappy input[name=share_percent]").input_value() == "60"
    page.fill("#hours-sat", "09:00-13:00")
    page.get_by_role("button", name="Save the opening hours").click()
    page.wait_for_url("**saved=hours**")
    assert page.locator("#hours-sat").input_value() == "09:00-13:00"
    if page.get_by_role("button", name="Add", exact=True).count():
        page.get_by_role("button", name="Add", exact=True).click()
        page.wait_for_load_state("load")
    assert page.locator("#people").get_by_text("osasto@example.fi").is_visible()
    page.fill("#url", "https://hooks.example.fi/kaleva")
    page.select_option("#style", "teams")
    page.get_by_role("button", name="Add the webhook").click()
    page.wait_for_load_state("load")
    assert (
        page.locator("#webhooks").get_by_text("https://hooks.example.fi/kaleva").first.is_visible()
    )
    violations = axe_check(page, options={"runOnly": ["wcag2a", "wcag2aa"]})
    assert not violations, describe(violations)
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    page.screenshot(path=str(tmp_path / f"alert-settings-{'phone' if phone else 'desktop'}.png"),
                    full_page=True)  # fmt: skip


@pytest.mark.parametrize("locale", ["fi-FI", "sv-FI"])
def test_the_pages_in_finnish_and_swedish(central, new_page, locale, tmp_path: Path) -> None:
    page = signed_in(new_page, central, "osasto@example.fi", locale=locale)
    _wait_for_alert(page)
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading == {"fi-FI": "Hälytykset", "sv-FI": "Larm"}[locale]
    page.screenshot(path=str(tmp_path / f"alerts-{locale}.png"), full_page=True)
    page.goto("/sites/kaleva/alerts")
    page.screenshot(path=str(tmp_path / f"alert-settings-{locale}.png"), full_page=True)


def test_a_manager_of_another_site_sees_nothing(central, new_page) -> None:
    page = signed_in(new_page, central, "osasto@example.fi")
    _wait_for_alert(page)
    link = page.locator("tbody tr a").first.get_attribute("href")
    other = signed_in(new_page, central, "hervanta@example.fi")
    other.goto("/alerts")
    assert other.get_by_text("No open alerts.").is_visible()
    assert other.locator("tbody tr").count() == 0
    answer = other.goto(link)
    assert answer is not None and answer.status == 404
    answer = other.goto("/sites/kaleva/alerts")
    assert answer is not None and answer.status == 403
    forged = httpx.post(f"{central.url}{link}/acknowledge", data={"comment": "x"}, timeout=10)
    assert (forged.status_code in (303, 401, 403) and "location" not in forged.headers) or (
        "/login" in forged.headers.get("location", "")
    )

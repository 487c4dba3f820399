"""The PDF download and the reports-by-email page in chromium, on a served central with 14 days
of seeded history: "Download PDF" on the site page gives a PDF of the page's period, and a
manager subscribes and unsubscribes on /reports (no axe-core WCAG 2 A/AA violation, nothing
scrolling sideways on a phone). Screenshots go to the test's tmp_path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.support.axe import axe_check, describe
from tests.support.live_central import LiveCentral

PASSWORD = "kolme sanaa peräkkäin"


def signed_in(new_page: Callable[..., Page], central: LiveCentral, *, phone: bool) -> Page:
    page = new_page(phone=phone, base_url=central.url)
    page.goto("/login")
    page.fill("#email", "osasto@example.fi")
    page.fill("#password", PASSWORD)
    page.click("form.stack button")
    page.wait_for_url(f"{central.url}/")
    return page


@pytest.fixture(scope="module")
def central(seeded_central: LiveCentral) -> LiveCentral:
    seeded_central.add_person("osasto@example.fi", "manager", "kaleva", password=PASSWORD)
    return seeded_central


def test_the_site_page_downloads_its_pdf(central, new_page, tmp_path: Path):
    page = signed_in(new_page, central, phone=False)
    page.goto("/sites/kaleva?quick=last-7-days")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name.startswith("hymy-kaleva-") and saved.read_bytes().startswith(b"%PDF-")
    page.screenshot(path=str(tmp_path / "site-page.png"), full_page=False)


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_a_manager_subscribes_and_unsubscribes(central, new_page, phone, tmp_path: Path):
    page = signed_in(new_page, central, phone=phone)
    page.get_by_role("link", name="Reports by e-mail").click()
    page.wait_for_url(f"{central.url}/reports")
    while page.get_by_role("button", name="Unsubscribe").count():  # left by the other size
        page.get_by_role("button", name="Unsubscribe").first.click()
        page.wait_for_load_state("load")
    assert page.get_by_text("No reports by e-mail yet.").is_visible()
    page.select_option("#frequency", "monthly")
    page.get_by_role("button", name="Subscribe").click()
    page.wait_for_load_state("load")
    row = page.locator("tbody tr")
    assert row.count() == 1 and "Every month" in row.inner_text()
    violations = axe_check(page, options={"runOnly": ["wcag2a", "wcag2aa"]})
    assert not violations, describe(violations)
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    page.screenshot(path=str(tmp_path / f"reports-{'phone' if phone else 'desktop'}.png"))
    page.get_by_role("button", name="Unsubscribe").click()
    page.wait_for_load_state("load")
    assert page.get_by_text("No reports by e-mail yet.").is_visible()

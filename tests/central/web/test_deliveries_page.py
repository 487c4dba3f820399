"""The deliveries page in chromium, on a served central without an SMTP server: a manager sees
their site's e-mails and webhooks (an e-mail waiting, with the reason on the page; a failed
webhook with its error and "Try again now"), never another site's; axe WCAG 2 A/AA clean, in
English and in Finnish, on a desktop and a phone. Screenshots go to the test's tmp_path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from central import db
from central.db import write_transaction
from central.deliveries import Notice, queue_email, queue_webhook
from central.tables import deliveries
from tests.support.axe import axe_check, describe
from tests.support.live_central import LiveCentral
from tests.support.smtp import free_port

PASSWORD = "kolme sanaa peräkkäin"
NOTICE = Notice("Tyytymättömiä vastauksia", "5 vastausta 8:sta oli 1 tai 2.", (("n", "8"),))


@pytest.fixture(scope="module")
def central(live_central: LiveCentral) -> LiveCentral:
    live_central.add_person("osasto@example.fi", "manager", "kaleva", password=PASSWORD)
    engine = db.make_engine(live_central.db_url or db.default_url(live_central.data_dir))
    dead = f"http://127.0.0.1:{free_port()}/hooks/secret-path"
    with write_transaction(engine) as conn:
        queue_email(
            conn, to="osasto@example.fi", subject="Hymy-viikkoraportti: Kalevan terveysasema",
            text="t", site_id="kaleva", about="report:1",
        )  # fmt: skip
        queue_webhook(
            conn, url=dead, secret=None, style="teams", notice=NOTICE, site_id="kaleva",
            about="alert:1",
        )  # fmt: skip
        queue_webhook(
            conn, url=dead, secret=None, style="slack", notice=Notice("Hervannan hälytys", "x"),
            site_id="hervanta", about="alert:2",
        )  # fmt: skip
        conn.execute(
            update(deliveries)
            .where(deliveries.c.kind == "webhook")
            .values(
                status="failed",
                attempts=8,
                last_error="ConnectError: [Errno 111] Connection refused",
                created_at=datetime.now(UTC) - timedelta(hours=25),
            )
        )
    engine.dispose()
    return live_central


@pytest.mark.parametrize("phone", [True, False])  # the desktop run ends in Finnish
def test_a_manager_sees_their_deliveries_and_tries_a_failed_one_again(
    central, new_page, tmp_path: Path, phone
):
    page = new_page(phone=phone, base_url=central.url)
    page.goto("/login")
    page.fill("#email", "osasto@example.fi")
    page.fill("#password", PASSWORD)
    page.click("form.stack button")
    page.wait_for_url(f"{central.url}/")
    page.goto("/deliveries")
    text = page.inner_text("main")
    assert "Kalevan terveysasema" in text and "Tyytymättömiä vastauksia" in text
    assert "Hervannan" not in text  # another site's
    assert "No e-mail server is set" in text
    assert "secret-path" not in text and "http://127.0.0.1:" in text  # the URL masked
    violations = axe_check(page, options={"runOnly": ["wcag2a", "wcag2aa"]})
    assert not violations, describe(violations)
    page.screenshot(path=str(tmp_path / f"deliveries-{'phone' if phone else 'desktop'}.png"))
    if phone:
        return
    page.get_by_role("button", name="Try again now").last.click()
    page.wait_for_url(f"{central.url}/deliveries")
    page.get_by_role("button", name="suomi").click()
    page.wait_for_load_state("load")
    assert page.get_by_role("heading", name="Lähetykset").is_visible()
    violations = axe_check(page, options={"runOnly": ["wcag2a", "wcag2aa"]})
    assert not violations, describe(violations)
    page.screenshot(path=str(tmp_path / "deliveries-fi.png"), full_page=True)

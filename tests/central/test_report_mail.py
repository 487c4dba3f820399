"""Scheduled reports by e-mail (central.report_mail), end to end: a due subscription's PDF
queued through central.deliveries and read from a real SMTP server (aiosmtpd on 127.0.0.1), in
the recipient's language; never twice, also with two runs at once; a manager of one site gets
no report of another."""

from __future__ import annotations

import subprocess
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from central.app import create_app
from central.db import write_transaction
from central.people import add_person, change_access, find_person, set_language
from central.report_mail import STALE_CLAIM, due_jobs, run_due
from central.report_subscriptions import EVERY_SITE, subscribe
from central.settings import Settings
from central.tables import report_sends, report_subscriptions
from tests.support.central import HERVANTA_SITE, accepted, add_site, enrol, ratings
from tests.support.smtp import Mailbox, smtp_server

HELSINKI = ZoneInfo("Europe/Helsinki")
TODAY = datetime.now(HELSINKI).date()
LAST_MONDAY = TODAY - timedelta(days=TODAY.weekday() + 7)  # the week just past
NEXT_MONDAY = LAST_MONDAY + timedelta(days=7)
# Monday 07:00 in Helsinki: the week before is due (at 06:00).
SEND_TIME = datetime(NEXT_MONDAY.year, NEXT_MONDAY.month, NEXT_MONDAY.day, 7, tzinfo=HELSINKI)
SUBSCRIBED = SEND_TIME - timedelta(days=6)  # the Tuesday before: one week is due


@pytest.fixture
def smtp() -> Mailbox:
    with smtp_server() as box:
        yield box


@pytest.fixture
def central(db_url: str, tmp_path: Path, smtp: Mailbox):
    settings = Settings(
        data_dir=tmp_path,
        db_url=db_url,
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        smtp_starttls=False,
        mail_from="hymy@example.fi",
        public_url="https://hymy.example.fi",
        report_check_minutes=0,  # the tests run the scheduler themselves, at a chosen moment
    )
    with TestClient(create_app(settings)) as client:
        add_site(client)
        add_site(client, HERVANTA_SITE)
        moment = datetime(
            LAST_MONDAY.year, LAST_MONDAY.month, LAST_MONDAY.day, 10, tzinfo=HELSINKI
        ).astimezone(UTC)
        accepted(client, enrol(client, "kaleva"), ratings(moment, [4, 4, 3, 3, 2, 4, 1]))
        accepted(client, enrol(client, "hervanta"), ratings(moment, [4, 4, 4, 4, 4, 4]))
        with write_transaction(client.app.state.engine) as conn:
            nurse = add_person(conn, "hoitaja@example.fi", "manager", ["kaleva"], None)
            set_language(conn, nurse.id, "sv")
            add_person(conn, "alue@example.fi", "manager", ["kaleva", "hervanta"], None)
        yield client


def person(client: TestClient, address: str):
    with client.app.state.engine.connect() as conn:
        return find_person(conn, address)


def subscribed(client: TestClient, address: str, scope: str, frequency: str = "weekly"):
    with write_transaction(client.app.state.engine) as conn:
        return subscribe(conn, find_person(conn, address), scope, frequency, now=SUBSCRIBED)


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "attached.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def attachment(message) -> bytes:
    (part,) = [p for p in message.iter_attachments() if p.get_content_type() == "application/pdf"]
    return part.get_content()


def test_a_due_weekly_report_arrives_with_its_pdf_in_the_recipients_language(
    central, smtp, tmp_path
):
    subscribed(central, "hoitaja@example.fi", "kaleva")
    engine, settings = central.app.state.engine, central.app.state.settings
    queued = run_due(engine, settings, now=SEND_TIME.astimezone(UTC))
    assert len(queued) == 1
    (message,) = smtp.wait(1)
    assert message["To"] == "hoitaja@example.fi"
    assert "veckorapport" in message["Subject"] and "Kalevas hälsostation" in message["Subject"]
    body = message.get_body(("plain",)).get_content()
    assert "bifogad som PDF" in body
    assert f"https://hymy.example.fi/sites/kaleva?from={LAST_MONDAY.isoformat()}" in body
    assert "https://hymy.example.fi/reports" in body
    text = pdf_text(attachment(message), tmp_path)
    assert "Kalevas hälsostation" in text and "Hervanta" not in text
    # The week's seven answers (4, 4, 3, 3, 2, 4, 1): score 66,7.
    assert "66,7" in text
    with engine.connect() as conn:
        (sent,) = conn.execute(select(report_sends)).all()
    assert (sent.state, sent.period_first, sent.delivery_id) == ("sent", LAST_MONDAY, queued[0])


def test_a_report_is_never_sent_twice_even_by_two_runs_at_once(central, smtp):
    subscribed(central, "hoitaja@example.fi", "kaleva")
    engine, settings = central.app.state.engine, central.app.state.settings
    now = SEND_TIME.astimezone(UTC)
    results: list[list[str]] = []
    runs = [threading.Thread(target=lambda: results.append(run_due(engine, settings, now=now)))
            for _ in range(2)]  # fmt: skip
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    assert sorted(len(r) for r in results) == [0, 1]
    assert run_due(engine, settings, now=now + timedelta(hours=5)) == []
    smtp.wait(1)
    time.sleep(0.5)
    assert len(smtp.messages) == 1


def test_a_manager_of_one_site_gets_no_report_of_another(central, smtp, tmp_path):
    engine, settings = central.app.state.engine, central.app.state.settings
    subscribed(central, "alue@example.fi", "hervanta")
    subscribed(central, "hoitaja@example.fi", EVERY_SITE)
    # The regional manager loses Hervanta before Monday: its report is not sent to them.
    with write_transaction(engine) as conn:
        change_access(conn, "alue@example.fi", "manager", ["kaleva"])
    queued = run_due(engine, settings, now=SEND_TIME.astimezone(UTC))
    assert len(queued) == 1  # only the nurse's "every site": Kaleva alone
    (message,) = smtp.wait(1)
    assert message["To"] == "hoitaja@example.fi"
    text = pdf_text(attachment(message), tmp_path)
    assert "Kalevas hälsostation" in text
    assert "Hervanta" not in text and "Hervanta" not in message.get_body(("plain",)).get_content()


def test_a_region_report_holds_every_site_the_person_may_read(central, smtp, tmp_path):
    subscribed(central, "alue@example.fi", EVERY_SITE, "monthly")
    engine, settings = central.app.state.engine, central.app.state.settings
    first_of_next = (LAST_MONDAY.replace(day=28) + timedelta(days=4)).replace(day=1)
    month_send = datetime(first_of_next.year, first_of_next.month, 1, 8, tzinfo=HELSINKI)
    # Subscribed within the month, after the month before's report was due: one report due.
    with write_transaction(engine) as conn:
        conn.execute(
            update(report_subscriptions).values(created_at=month_send - timedelta(days=25))
        )
    queued = run_due(engine, settings, now=month_send.astimezone(UTC))
    assert len(queued) == 1
    (message,) = smtp.wait(1)
    assert "kuukausiraportti" in message["Subject"]  # no language of their own: Finnish
    text = pdf_text(attachment(message), tmp_path)
    assert "Hervannan terveysasema" in text and "Kalevan terveysasema" in text


def test_a_stale_claim_is_taken_over_and_a_disabled_account_gets_nothing(central, smtp):
    subscription = subscribed(central, "hoitaja@example.fi", "kaleva")
    engine, settings = central.app.state.engine, central.app.state.settings
    now = SEND_TIME.astimezone(UTC)
    with engine.connect() as conn:
        (job,) = due_jobs(conn, now)
    with write_transaction(engine) as conn:  # a worker that claimed the week and died
        conn.execute(
            report_sends.insert().values(
                subscription_id=subscription.id, period_first=job.period.first,
                period_last=job.period.last, state="claimed", claim="gone",
                claimed_at=now - STALE_CLAIM + timedelta(minutes=1),
                person_id=job.person.id, sites='["kaleva"]',
            )
        )  # fmt: skip
    assert run_due(engine, settings, now=now) == []  # still its claim
    assert len(run_due(engine, settings, now=now + timedelta(minutes=2))) == 1
    smtp.wait(1)
    from central.people import disable_person

    with write_transaction(engine) as conn:
        disable_person(conn, "hoitaja@example.fi")
    later = now + timedelta(days=7)
    assert run_due(engine, settings, now=later) == []


def test_the_schedule_comes_from_the_subscription_date():
    """A week that ended before the subscription was made is never sent (pure, quick)."""
    from central.report_schedule import due_periods

    made = datetime(2026, 11, 25, 12, tzinfo=UTC)
    periods = due_periods("weekly", HELSINKI, created_at=made, now=made + timedelta(days=6))
    assert [p.first for p in periods] == [date(2026, 11, 23)]

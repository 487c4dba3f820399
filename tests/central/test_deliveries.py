"""The delivery queue (central.deliveries) against real servers on 127.0.0.1: e-mail through an
SMTP server that requires STARTTLS and AUTH (aiosmtpd), read back and parsed; webhooks to a
local HTTP server that checks the signature, answers 500 first and then 200; an SMTP server
that is down, then up; a mailbox refused for good; the console's deliveries page; the
`hymy-central mail test` command and the settings behind it in a real `serve`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from central import db
from central.app import create_app
from central.db import write_transaction
from central.deliveries import (
    Attachment,
    Notice,
    deliver_due,
    queue_email,
    queue_notice_email,
    queue_webhook,
    recent,
    wake,
)
from central.delivery_messages import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature
from central.settings import Settings
from central.tables import deliveries
from tests.support.central import ENGLISH
from tests.support.console import csrf_of, person, sign_in
from tests.support.smtp import PASSWORD, USER, Mailbox, free_port, smtp_server

SECRET = "jaettu-salaisuus"
NOTICE = Notice(
    title="Kalevan terveysasema: tyytymättömiä vastauksia",
    text="Viimeisen 15 minuutin aikana 5 vastauksesta 4 oli tyytymättömiä.",
    facts=(("Vastauksia", "5"), ("Tyytymättömiä", "80 %")),
    link="https://hymy.example.fi/alerts/a1",
    data={"kind": "unhappy", "site": "kaleva"},
    link_label="Avaa Hymyssä",
)


@pytest.fixture
def tls_smtp(tmp_path: Path) -> Mailbox:
    with smtp_server(tmp_path) as box:
        yield box


def secure_settings(tmp_path: Path, box: Mailbox, **extra) -> Settings:
    return Settings(
        data_dir=tmp_path,
        smtp_host="127.0.0.1",
        smtp_port=box.port,
        smtp_username=USER,
        smtp_password=PASSWORD,
        smtp_ca_file=box.cafile,
        mail_from="Hymy <hymy@example.fi>",
        public_url="https://hymy.example.fi",
        report_check_minutes=0,
        **extra,
    )


def queued(client: TestClient, make) -> str:
    with write_transaction(client.app.state.engine) as conn:
        delivery = make(conn)
    wake()
    return delivery


def row(client: TestClient, delivery_id: str):
    with client.app.state.engine.connect() as conn:
        return conn.execute(select(deliveries).where(deliveries.c.id == delivery_id)).one()


def until(check, timeout: float = 20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(0.05)
    raise AssertionError("not in time")


def test_an_email_goes_through_starttls_and_auth_with_its_attachment(tmp_path, tls_smtp):
    subject = "Viikkoraportti: Kalevan terveysasema – ääkköset å ja ö"
    with TestClient(create_app(secure_settings(tmp_path, tls_smtp))) as client:
        delivery = queued(
            client,
            lambda conn: queue_email(
                conn,
                to="hoitaja@example.fi",
                subject=subject,
                text="Hei,\nraportti on liitteenä.",
                html="<p>Hei, raportti on liitteenä.</p>",
                attachments=[Attachment("raportti.pdf", "application/pdf", b"%PDF-1.7 test")],
                site_id="kaleva",
                about="report:s1:2026-11-23",
            ),
        )
        (message,) = tls_smtp.wait(1)
        assert until(lambda: row(client, delivery).status == "sent")
    assert message["Subject"] == subject  # decoded exactly, spaces between words kept
    assert message["From"] == "Hymy <hymy@example.fi>" and message["To"] == "hoitaja@example.fi"
    assert message["Message-ID"] and message["Date"]
    assert "raportti on liitteenä" in message.get_body(("plain",)).get_content()
    assert "<p>" in message.get_body(("html",)).get_content()
    (pdf,) = list(message.iter_attachments())
    assert pdf.get_filename() == "raportti.pdf" and pdf.get_content() == b"%PDF-1.7 test"
    assert tls_smtp.envelopes == [("hymy@example.fi", ["hoitaja@example.fi"])]


def test_a_notice_email_has_the_facts_and_the_link(tmp_path, tls_smtp):
    with TestClient(create_app(secure_settings(tmp_path, tls_smtp))) as client:
        queued(
            client,
            lambda conn: queue_notice_email(
                conn, to="hoitaja@example.fi", notice=NOTICE, site_id="kaleva", about="alert:a1"
            ),
        )
        (message,) = tls_smtp.wait(1)
    text = message.get_body(("plain",)).get_content()
    assert message["Subject"] == NOTICE.title
    assert "Vastauksia: 5" in text and "Tyytymättömiä: 80 %" in text
    assert "https://hymy.example.fi/alerts/a1" in text


def test_a_wrong_password_is_retried_and_its_error_shown(tmp_path, tls_smtp):
    settings = secure_settings(tmp_path, tls_smtp)
    wrong = Settings(**{**settings.__dict__, "smtp_password": "väärä"})
    with TestClient(create_app(wrong)) as client:
        delivery = queued(
            client,
            lambda conn: queue_email(
                conn, to="a@example.fi", subject="s", text="t", site_id=None, about="x"
            ),
        )
        waiting = until(lambda: (r := row(client, delivery)).attempts and r.last_error and r)
    assert waiting.status == "queued" and "535" in waiting.last_error
    assert tls_smtp.messages == []


def test_an_smtp_server_that_is_down_gets_the_email_when_it_is_up(tmp_path):
    port = free_port()
    settings = Settings(
        data_dir=tmp_path, smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False,
        mail_from="hymy@example.fi", report_check_minutes=0,
    )  # fmt: skip
    engine = db.make_engine(settings.database_url)  # no server: this test is the worker
    db.ensure_schema(engine)
    with write_transaction(engine) as conn:
        delivery = queue_email(
            conn, to="a@example.fi", subject="Hei", text="t", site_id=None, about="x"
        )
    assert deliver_due(engine, settings) == 0  # nobody listens yet
    with engine.connect() as conn:
        first = conn.execute(select(deliveries).where(deliveries.c.id == delivery)).one()
    assert first.status == "queued" and first.attempts == 1
    assert first.next_attempt_at.replace(tzinfo=UTC) > datetime.now(UTC)  # a minute later
    assert "Connection refused" in first.last_error
    with smtp_server(port=port) as box:
        assert deliver_due(engine, settings) == 0  # not due yet: no retry storm
        with write_transaction(engine) as conn:  # the minute has passed
            conn.execute(update(deliveries).values(next_attempt_at=datetime.now(UTC)))
        assert deliver_due(engine, settings) == 1
        (message,) = box.wait(1)
    assert message["Subject"] == "Hei"
    engine.dispose()


def test_a_refused_mailbox_fails_at_once(tmp_path):
    with smtp_server() as box:
        box.refuse.add("poissa@example.fi")
        settings = Settings(
            data_dir=tmp_path, smtp_host="127.0.0.1", smtp_port=box.port, smtp_starttls=False,
            report_check_minutes=0,
        )  # fmt: skip
        with TestClient(create_app(settings)) as client:
            delivery = queued(
                client,
                lambda conn: queue_email(
                    conn, to="poissa@example.fi", subject="s", text="t", site_id=None, about="x"
                ),
            )
            failed = until(lambda: (r := row(client, delivery)).status == "failed" and r)
    assert "550" in failed.last_error and failed.attempts == 1


class Hook:
    """A webhook receiver on 127.0.0.1: answers the statuses in `answers` in turn (then 200)
    and keeps each request's headers and body."""

    def __init__(self, answers: list[int]) -> None:
        self.answers = answers
        self.calls: list[tuple[dict, bytes]] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                hook.calls.append((dict(self.headers), body))
                status = hook.answers.pop(0) if hook.answers else 200
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok" if status == 200 else b"busy")

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/abc?key=k1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def hook():
    receiver = Hook([500])
    yield receiver
    receiver.close()


@pytest.mark.parametrize("style", ["json", "teams", "slack"])
def test_a_webhook_is_signed_retried_after_a_500_and_then_sent(tmp_path, hook, style):
    settings = Settings(data_dir=tmp_path, report_check_minutes=0)
    with TestClient(create_app(settings)) as client:
        engine = client.app.state.engine
        delivery = queued(
            client,
            lambda conn: queue_webhook(
                conn,
                url=hook.url,
                secret=SECRET,
                style=style,
                notice=NOTICE,
                site_id="kaleva",
                about="alert:a1",
            ),
        )
        first = until(lambda: (r := row(client, delivery)).last_error and r)
        assert first.status == "queued" and "HTTP 500" in first.last_error
        with write_transaction(engine) as conn:  # its minute has passed
            conn.execute(update(deliveries).values(next_attempt_at=datetime.now(UTC)))
        wake()
        assert until(lambda: row(client, delivery).status == "sent")
    assert len(hook.calls) == 2
    headers, body = hook.calls[-1]
    assert headers[SIGNATURE_HEADER] == signature(SECRET, headers[TIMESTAMP_HEADER], body)
    assert abs(int(headers[TIMESTAMP_HEADER]) - time.time()) < 60
    sent = json.loads(body)
    if style == "json":
        assert sent["title"] == NOTICE.title and sent["data"] == NOTICE.data
        assert {"label": "Vastauksia", "value": "5"} in sent["facts"]
    elif style == "teams":
        card = sent["attachments"][0]["content"]
        assert sent["type"] == "message" and card["type"] == "AdaptiveCard"
        assert card["actions"][0]["url"] == NOTICE.link
    else:
        assert NOTICE.title in sent["text"] and sent["blocks"][0]["type"] == "header"


def test_a_webhook_that_refuses_the_body_fails_without_retries(tmp_path):
    receiver = Hook([404])
    try:
        settings = Settings(data_dir=tmp_path, report_check_minutes=0)
        with TestClient(create_app(settings)) as client:
            delivery = queued(
                client,
                lambda conn: queue_webhook(
                    conn,
                    url=receiver.url,
                    secret=None,
                    style="json",
                    notice=NOTICE,
                    site_id="kaleva",
                    about="alert:a1",
                ),
            )
            failed = until(lambda: (r := row(client, delivery)).status == "failed" and r)
    finally:
        receiver.close()
    assert "HTTP 404" in failed.last_error
    assert SIGNATURE_HEADER not in receiver.calls[0][0]  # no secret, no signature


def test_without_an_smtp_server_emails_wait_and_the_console_says_why(tmp_path, hook):
    settings = Settings(data_dir=tmp_path, report_check_minutes=0)
    with TestClient(create_app(settings), base_url="http://127.0.0.1", headers=ENGLISH) as client:
        mail = queued(
            client,
            lambda conn: queue_email(
                conn,
                to="a@example.fi",
                subject="Odottaa",
                text="t",
                site_id="kaleva",
                about="report:s1:2026-11-23",
            ),
        )
        call = queued(
            client,
            lambda conn: queue_webhook(
                conn,
                url=hook.url,
                secret=SECRET,
                style="json",
                notice=NOTICE,
                site_id="kaleva",
                about="alert:a1",
            ),
        )
        until(lambda: row(client, call).attempts == 1)
        assert row(client, mail).status == "queued" and row(client, mail).attempts == 0
        person(client, "it@example.fi", "it", [])
        sign_in(client, "it@example.fi")
        page = client.get("/deliveries")
        assert page.status_code == 200
        assert "No e-mail server is set" in page.text
        assert "Odottaa" in page.text and "a@example.fi" in page.text
        assert "http://127.0.0.1:" in page.text and "/hooks/abc" not in page.text  # masked
        assert "key=k1" not in page.text and SECRET not in page.text
        assert 'href="/alerts/a1"' in page.text
        # A failed one is sent again at once with "Try again now".
        with write_transaction(client.app.state.engine) as conn:
            conn.execute(update(deliveries).where(deliveries.c.id == call).values(status="failed"))
        answer = client.post(
            f"/deliveries/{call}/retry",
            data={"csrf_token": csrf_of(page.text)},
            follow_redirects=False,
        )
        assert answer.status_code == 303
        assert until(lambda: row(client, call).status == "sent")


def test_a_manager_and_it_staff_see_only_their_sites_deliveries(tmp_path):
    settings = Settings(data_dir=tmp_path, report_check_minutes=0)
    with TestClient(create_app(settings), base_url="http://127.0.0.1", headers=ENGLISH) as client:
        for site in ("kaleva", "hervanta"):
            queued(
                client,
                lambda conn, site=site: queue_email(
                    conn,
                    to=f"{site}@example.fi",
                    subject=f"raportti {site}",
                    text="t",
                    site_id=site,
                    about="report:x",
                ),
            )
        person(client, "hoitaja@example.fi", "manager", ["kaleva"])
        sign_in(client, "hoitaja@example.fi")
        page = client.get("/deliveries")
        assert "raportti kaleva" in page.text and "raportti hervanta" not in page.text
        with client.app.state.engine.connect() as conn:
            (other,) = [r.id for r in recent(conn) if r.site_id == "hervanta"]
        answer = client.post(f"/deliveries/{other}/retry", data={"csrf_token": csrf_of(page.text)})
        assert answer.status_code == 404  # another site's: as if it were not there
        client.post("/logout", data={"csrf_token": csrf_of(client.get("/").text)})
        person(client, "it-kaleva@example.fi", "it", ["kaleva"])
        sign_in(client, "it-kaleva@example.fi")
        page = client.get("/deliveries")
        assert "raportti kaleva" in page.text and "raportti hervanta" not in page.text


def test_mail_test_sends_through_starttls_and_auth_with_the_password_file(tmp_path, tls_smtp):
    secret_file = tmp_path / "smtp-password"
    secret_file.write_text(PASSWORD + "\n", encoding="utf-8")
    env = {
        **os.environ,
        "HYMY_CENTRAL_DATA_DIR": str(tmp_path / "data"),
        "HYMY_CENTRAL_SMTP_HOST": "127.0.0.1",
        "HYMY_CENTRAL_SMTP_PORT": str(tls_smtp.port),
        "HYMY_CENTRAL_SMTP_USERNAME": USER,
        "HYMY_CENTRAL_SMTP_PASSWORD_FILE": str(secret_file),
        "HYMY_CENTRAL_SMTP_CA_FILE": str(tls_smtp.cafile),
        "HYMY_CENTRAL_MAIL_FROM": "hymy@example.fi",
    }
    command = [sys.executable, "-m", "central.cli", "mail", "test", "--to", "it@example.fi"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "sent a test e-mail to it@example.fi" in done.stdout
    (message,) = tls_smtp.wait(1)
    assert "testiviesti" in message["Subject"]
    # Without STARTTLS the server refuses: the command says so, in one line.
    done = subprocess.run(
        command, env={**env, "HYMY_CENTRAL_SMTP_STARTTLS": "false"},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1 and "was not sent" in done.stderr
    assert "Traceback" not in done.stderr
    # A password file that is not there: the variable and what to do.
    done = subprocess.run(
        command, env={**env, "HYMY_CENTRAL_SMTP_PASSWORD_FILE": str(tmp_path / "none")},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1 and "HYMY_CENTRAL_SMTP_PASSWORD_FILE" in done.stderr


def test_serve_workers_get_the_mail_settings():
    settings = Settings(
        smtp_host="smtp.example.fi", smtp_port=2525, smtp_username="u", smtp_password="p",
        smtp_starttls=False, mail_from="hymy@example.fi", public_url="https://hymy.example.fi",
    )  # fmt: skip
    saved = {k: os.environ.get(k) for k in settings.environment()}
    try:
        os.environ.update(settings.environment())
        again = Settings.from_env()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    for name in ("smtp_host", "smtp_port", "smtp_username", "smtp_password", "smtp_starttls",
                 "mail_from", "public_url", "report_check_minutes"):  # fmt: skip
        assert getattr(again, name) == getattr(settings, name), name

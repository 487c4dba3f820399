"""The delivery queue (central.deliveries) against real servers on 127.0.0.1: an SMTP server
(aiosmtpd) with STARTTLS and AUTH whose message is read back, and an HTTP server that checks
the webhook's signature and answers 500 before 200; retries, giving up, no SMTP host."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import hashlib
import hmac
import ipaddress
import json
import ssl
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import Engine, select, update

from central import db
from central.deliveries import (
    NO_SMTP,
    Attachment,
    Notice,
    queue_email,
    queue_notice_email,
    queue_webhook,
    retry_now,
    run_once,
)
from central.settings import Settings
from central.tables import deliveries
from tests.support.net import free_port

SECRET = "webhook-salaisuus"
NOTICE = Notice(
    title="Tyytymättömiä vastauksia: Kalevan terveysasema",
    text="Viimeisen 15 minuutin aikana 5 vastausta 8:sta oli 1 tai 2.",
    facts=(("Osuus", "62 %"), ("Vastauksia", "8")),
    link="https://hymy.example.fi/sites/kaleva",
    data={"site": "kaleva", "share": 0.625, "n": 8},
)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = db.make_engine(db_url)
    db.ensure_schema(engine)
    yield engine
    engine.dispose()


def row(engine: Engine, delivery: str):
    with engine.connect() as conn:
        return conn.execute(select(deliveries).where(deliveries.c.id == delivery)).one()


def make_due(engine: Engine, delivery: str) -> None:
    """Skip the backoff: due now."""
    with engine.begin() as conn:
        conn.execute(
            update(deliveries)
            .where(deliveries.c.id == delivery)
            .values(next_attempt_at=datetime.now(UTC) - timedelta(seconds=1))
        )


# --- SMTP -------------------------------------------------------------------------------------


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.logins: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        self.envelope_to = envelope.rcpt_tos
        self.tls = session.ssl is not None
        return "250 OK"


def self_signed(tmp_path: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
def smtp_tls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    """An SMTP server that requires STARTTLS and then AUTH (user hymy, password sala)."""
    cert, key = self_signed(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the client trusts the test's certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    box = Mailbox()

    def authenticate(server, session, envelope, mechanism, auth_data):
        box.logins.append(auth_data.login)
        return AuthResult(success=(auth_data.login, auth_data.password) == (b"hymy", b"sala"))

    box.port = free_port()
    controller = Controller(
        box,
        hostname="127.0.0.1",
        port=box.port,
        tls_context=context,
        require_starttls=True,
        auth_required=True,
        auth_require_tls=True,
        authenticator=authenticate,
    )
    controller.start()
    yield box
    controller.stop()


def smtp_settings(tmp_path: Path, port: int, **more) -> Settings:
    password = tmp_path / "smtp-password"
    password.write_text("sala\n")
    values = {
        "data_dir": tmp_path,
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_username": "hymy",
        "smtp_password_file": password,
        "mail_from": "Hymy <hymy@example.fi>",
    }
    return Settings(**{**values, **more})


def test_an_email_goes_over_starttls_with_auth_and_arrives_whole(engine, smtp_tls, tmp_path):
    settings = smtp_settings(tmp_path, smtp_tls.port)
    pdf = b"%PDF-1.4 viikkoraportti"
    with engine.begin() as conn:
        delivery = queue_email(
            conn,
            to="hoitaja@example.fi",
            subject="Hymy-veckorapport: Kalevas hälsostation, vecka 48 – ÅÄÖ",
            text="Hej!\nRapporten är bifogad.",
            html="<p>Hej! Rapporten är <b>bifogad</b>.</p>",
            attachments=[Attachment("veckorapport-kaleva.pdf", "application/pdf", pdf)],
            site_id="kaleva",
            about="report:abc",
        )
    assert row(engine, delivery).status == "queued"
    assert run_once(engine, settings) == ["sent"]
    (message,) = smtp_tls.messages
    assert smtp_tls.tls and smtp_tls.logins == [b"hymy"]
    assert smtp_tls.envelope_to == ["hoitaja@example.fi"]
    assert message["Subject"] == "Hymy-veckorapport: Kalevas hälsostation, vecka 48 – ÅÄÖ"
    assert message["From"] == "Hymy <hymy@example.fi>"
    assert message["Message-ID"] and message["Date"]
    plain = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert plain.startswith("Hej!\nRapporten är bifogad.")
    assert "<b>bifogad</b>" in message.get_body(("html",)).get_content()
    (part,) = list(message.iter_attachments())
    assert part.get_filename() == "veckorapport-kaleva.pdf"
    assert part.get_content_type() == "application/pdf" and part.get_content() == pdf
    sent = row(engine, delivery)
    assert (sent.status, sent.attempts, sent.last_error) == ("sent", 1, None)
    assert sent.sent_at is not None


def test_a_notice_email_has_its_title_facts_and_link(engine, smtp_tls, tmp_path):
    settings = smtp_settings(tmp_path, smtp_tls.port)
    with engine.begin() as conn:
        queue_notice_email(
            conn, to="esihenkilo@example.fi", notice=NOTICE, site_id="kaleva", about="alert:1"
        )
    assert run_once(engine, settings) == ["sent"]
    (message,) = smtp_tls.messages
    assert message["Subject"] == NOTICE.title
    body = message.get_body(("plain",)).get_content()
    assert "Osuus: 62 %" in body and "Vastauksia: 8" in body and NOTICE.link in body


def test_an_email_waits_while_the_smtp_server_is_down_and_is_sent_later(engine, tmp_path):
    port = free_port()
    settings = smtp_settings(tmp_path, port, smtp_starttls=False, smtp_username="")
    with engine.begin() as conn:
        delivery = queue_email(
            conn, to="a@example.fi", subject="Hälytys", text="t", site_id="kaleva", about="x"
        )
    assert run_once(engine, settings) == ["queued"]
    waiting = row(engine, delivery)
    assert "ConnectionRefused" in waiting.last_error
    assert db_time(waiting.next_attempt_at) > datetime.now(UTC) + timedelta(seconds=50)
    assert run_once(engine, settings) == []  # not due before its backoff
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        make_due(engine, delivery)
        assert run_once(engine, settings) == ["sent"]
    finally:
        controller.stop()
    assert [m["Subject"] for m in box.messages] == ["Hälytys"]
    assert row(engine, delivery).attempts == 2


def test_without_an_smtp_host_an_email_stays_queued_and_says_why(engine, tmp_path):
    settings = Settings(data_dir=tmp_path)
    with engine.begin() as conn:
        delivery = queue_email(
            conn, to="a@example.fi", subject="s", text="t", site_id=None, about="x"
        )
    assert run_once(engine, settings) == []
    waiting = row(engine, delivery)
    assert (waiting.status, waiting.attempts, waiting.last_error) == ("queued", 0, NO_SMTP)


def db_time(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# --- webhooks ---------------------------------------------------------------------------------


class Receiver:
    """An HTTP server on 127.0.0.1 that answers with the given statuses in turn."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.calls: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.calls.append((dict(self.headers), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/T0123/secret-path"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver([500])
    yield server
    server.close()


def verified(headers: dict[str, str], body: bytes, secret: str) -> bool:
    """The check docs/deliveries.md shows a receiver."""
    timestamp = headers["X-Hymy-Timestamp"]
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return hmac.compare_digest(headers["X-Hymy-Signature"], "sha256=" + expected.hexdigest())


def test_a_webhook_is_signed_retried_after_a_500_and_then_sent(engine, receiver, tmp_path):
    settings = Settings(data_dir=tmp_path)
    with engine.begin() as conn:
        delivery = queue_webhook(
            conn,
            url=receiver.url,
            secret=SECRET,
            style="json",
            notice=NOTICE,
            site_id="kaleva",
            about="alert:1",
        )
    assert run_once(engine, settings) == ["queued"]
    assert "HTTP 500" in row(engine, delivery).last_error
    make_due(engine, delivery)
    assert run_once(engine, settings) == ["sent"]
    assert len(receiver.calls) == 2
    headers, body = receiver.calls[-1]
    assert verified(headers, body, SECRET) and not verified(headers, body, "other")
    sent = json.loads(body)
    assert sent["data"] == NOTICE.data and sent["title"] == NOTICE.title
    assert sent["facts"][0] == {"label": "Osuus", "value": "62 %"}
    done = row(engine, delivery)
    assert (done.status, done.attempts, done.last_error) == ("sent", 2, None)


def test_a_webhook_refused_with_a_4xx_fails_at_once_and_can_be_retried(engine, tmp_path):
    receiver = Receiver([404, 200])
    try:
        settings = Settings(data_dir=tmp_path)
        with engine.begin() as conn:
            delivery = queue_webhook(
                conn,
                url=receiver.url,
                secret=None,
                style="slack",
                notice=NOTICE,
                site_id="kaleva",
                about="alert:2",
            )
        assert run_once(engine, settings) == ["failed"]
        assert "HTTP 404" in row(engine, delivery).last_error
        assert "X-Hymy-Signature" not in receiver.calls[0][0]  # no secret: unsigned
        assert run_once(engine, settings) == []
        with engine.begin() as conn:
            assert not retry_now(conn, delivery, sites=["hervanta"])  # another site's
            assert retry_now(conn, delivery, sites=["kaleva"])
        assert run_once(engine, settings) == ["sent"]
        body = json.loads(receiver.calls[-1][1])
        assert body["text"].startswith(NOTICE.title) and body["blocks"][0]["type"] == "header"
    finally:
        receiver.close()


def test_a_delivery_is_given_up_after_a_day(engine, tmp_path):
    receiver = Receiver([503] * 3)
    try:
        with engine.begin() as conn:
            delivery = queue_webhook(
                conn,
                url=receiver.url,
                secret=SECRET,
                style="teams",
                notice=NOTICE,
                site_id=None,
                about="alert:3",
            )
            conn.execute(
                update(deliveries)
                .where(deliveries.c.id == delivery)
                .values(created_at=datetime.now(UTC) - timedelta(hours=23, minutes=59, seconds=30))
            )
        assert run_once(engine, Settings(data_dir=tmp_path)) == ["failed"]
        failed = row(engine, delivery)
        assert failed.last_error.startswith("gave up after 1 attempts: HTTP 503")
        body = json.loads(receiver.calls[0][1])
        assert body["attachments"][0]["contentType"] == "application/vnd.microsoft.card.adaptive"
    finally:
        receiver.close()


def test_two_workers_never_send_one_delivery_twice(engine, tmp_path):
    receiver = Receiver([])
    try:
        with engine.begin() as conn:
            for n in range(6):
                queue_webhook(
                    conn,
                    url=receiver.url,
                    secret=SECRET,
                    style="json",
                    notice=NOTICE,
                    site_id=None,
                    about=f"alert:{n}",
                )
        settings = Settings(data_dir=tmp_path)
        outcomes: list[list[str]] = []
        workers = [
            threading.Thread(target=lambda: outcomes.append(run_once(engine, settings)))
            for _ in range(2)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        assert sum(len(o) for o in outcomes) == 6 and len(receiver.calls) == 6
    finally:
        receiver.close()

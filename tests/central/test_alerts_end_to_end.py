"""Alerts end to end: a real `hymy-central serve` on 127.0.0.1, unhappy ratings through the real
API, the e-mail read from a real SMTP server (aiosmtpd) and the webhook call received by a
real HTTP server, each once; the all-clear when the window has slid past them; a manager of
another site gets nothing."""

from __future__ import annotations

import email
import email.policy
import http.server
import json
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

pytest.importorskip("central.deliveries", reason="the delivery queue is not merged yet")
from aiosmtpd.controller import Controller

from central.alert_store import add_person as add_recipient
from central.alert_store import add_webhook
from central.db import default_url, make_engine, write_transaction
from central.people import add_person, set_language
from hymy_dev.local_central import free_port
from tests.support.central import HERVANTA_SITE
from tests.support.live_central import LiveCentral

# Ratings of 14 minutes 40 s ago: inside the 15-minute window now, out of it 20-40 s later.
AGE = timedelta(minutes=14, seconds=40)


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 OK"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for rcpt, m in self.messages if address in rcpt]


class Hooks(http.server.ThreadingHTTPServer):
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, str], bytes]] = []
        hooks = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                hooks.calls.append((self.path, dict(self.headers), body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)


def _wait(what, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = what()
        if found:
            return found
        time.sleep(0.2)
    return what()


@pytest.fixture
def servers(tmp_path: Path):
    box = Mailbox()
    smtp = Controller(box, hostname="127.0.0.1", port=free_port())
    smtp.start()
    hooks = Hooks()
    threading.Thread(target=hooks.serve_forever, daemon=True).start()
    port = free_port()
    central = LiveCentral(
        tmp_path / "central",
        port=port,
        env={
            "HYMY_CENTRAL_SMTP_HOST": "127.0.0.1",
            "HYMY_CENTRAL_SMTP_PORT": str(smtp.port),
            "HYMY_CENTRAL_SMTP_STARTTLS": "false",
            "HYMY_CENTRAL_MAIL_FROM": "hymy@example.fi",
            "HYMY_CENTRAL_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "HYMY_CENTRAL_ALERT_CHECK_SECONDS": "2",
        },
    )
    central.start()
    hervanta = tmp_path / "hervanta.toml"
    hervanta.write_text(HERVANTA_SITE, encoding="utf-8")
    central.add_site(hervanta)
    engine = make_engine(default_url(tmp_path / "central"))
    with write_transaction(engine) as conn:
        kaleva = add_person(conn, "osasto@example.fi", "manager", ["kaleva"], None)
        set_language(conn, kaleva.id, "sv")
        other = add_person(conn, "hervanta@example.fi", "manager", ["hervanta"], None)
        add_recipient(conn, "kaleva", kaleva)
        add_recipient(conn, "hervanta", other)
        hook_url = f"http://127.0.0.1:{hooks.server_address[1]}/hook"
        add_webhook(conn, "kaleva", hook_url, "s3cret", "json")
    engine.dispose()
    try:
        yield central, box, hooks
    finally:
        central.stop()
        hooks.shutdown()
        smtp.stop()


def test_an_unhappy_lobby_mails_and_calls_once_then_all_clear(servers) -> None:
    central, box, hooks = servers
    kiosk = central.enrol_kiosk("aula-1")
    hervanta_kiosk = central.enrol_kiosk("h-1", site="hervanta")
    start = datetime.now(UTC) - AGE
    kiosk.send(
        [kiosk.feedback(r, start + timedelta(seconds=i)) for i, r in enumerate([1, 1, 2, 1, 1])]
    )
    hervanta_kiosk.send(
        [hervanta_kiosk.feedback(4, start + timedelta(seconds=i)) for i in range(5)]
    )
    sent = time.monotonic()

    (message,) = _wait(lambda: box.to("osasto@example.fi"))
    assert time.monotonic() - sent < 60  # within a minute of the events
    assert message["Subject"] == "Missnöjda besökare vid Kalevas hälsostation"
    body = message.get_body(("plain",)).get_content()
    assert "/alerts/" in body and "100 %" in body
    (call,) = _wait(lambda: hooks.calls)
    assert call[0] == "/hook" and b"unhappy" in call[2]
    assert any(
        k.lower().startswith("x-hymy-signature") or "signature" in k.lower() for k in call[1]
    )

    time.sleep(5)  # several timer rounds later: still one of each (no storm)
    assert len(box.to("osasto@example.fi")) == 1 and len(hooks.calls) == 1

    cleared = _wait(lambda: len(box.to("osasto@example.fi")) == 2, timeout=90)
    assert cleared, "no all-clear after the window slid past the ratings"
    clear = box.to("osasto@example.fi")[1]
    assert clear["Subject"].startswith("Faran över")
    assert _wait(lambda: len(hooks.calls) == 2)
    assert json.loads(hooks.calls[1][2]) if hooks.calls[1][2].startswith(b"{") else True
    assert box.to("hervanta@example.fi") == []  # another site's manager: nothing

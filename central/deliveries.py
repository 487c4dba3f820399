"""The delivery queue: e-mails (alerts, scheduled reports) and webhook calls (alerts).

A caller queues a delivery in its own transaction (`queue_email`, `queue_notice_email`,
`queue_webhook`), so the row commits or rolls back with the alert or report that made it, and
calls `wake()` after its commit. Nothing is sent inside a transaction and nothing waits for a
mail server on a request: the worker that `start_worker` runs in `serve` (in every worker
process) claims due rows in the database (`claimed_until`: a lease, so two workers never send
one twice and a worker that died mid-send leaves it to another after LEASE), sends them, and
records the outcome: sent, or another try later (central.delivery_messages.RETRY_AFTER), or
failed for good, with the last error the console's deliveries page shows.

E-mail goes over SMTP (smtplib) with STARTTLS and AUTH as the settings say; without
HYMY_CENTRAL_SMTP_HOST e-mails wait in the queue. A webhook is a signed JSON POST (httpx2).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import random
import smtplib
import ssl
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio
import httpx2 as http_client  # the central's HTTP client (also Authlib's)
from sqlalchemy import Connection, Engine, and_, insert, or_, select, update

from central.db import in_write_transaction
from central.delivery_messages import (
    NOTICE_HEADER,
    SIGNATURE_HEADER,
    STYLES,
    TIMESTAMP_HEADER,
    Attachment,
    Notice,
    Verdict,
    email_message,
    http_verdict,
    next_attempt,
    notice_html,
    notice_text,
    sending_headers,
    signature,
    smtp_verdict,
    webhook_body,
)
from central.settings import Settings
from central.tables import deliveries

__all__ = [
    "Attachment",
    "Notice",
    "console_url",
    "deliver_due",
    "queue_email",
    "queue_notice_email",
    "queue_webhook",
    "recent",
    "retry_now",
    "start_worker",
    "wake",
]

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)  # a claimed row is another worker's to take after this
SEND_TIMEOUT_S = 20.0  # one SMTP conversation or webhook call
BATCH = 20  # rows claimed at a time
NO_SMTP = "No SMTP server is set: set HYMY_CENTRAL_SMTP_HOST (docs/deliveries.md)."


def console_url(settings: Settings, path: str) -> str:
    """The absolute address of a console page, for links in e-mails and webhooks: from
    HYMY_CENTRAL_PUBLIC_URL, else the server's own address."""
    base = settings.public_url or f"http://{settings.host}:{settings.port}"
    return base.rstrip("/") + "/" + path.lstrip("/")


def _queue(
    conn: Connection,
    *,
    kind: str,
    target: str,
    subject: str,
    body: bytes,
    site_id: str | None,
    about: str,
    secret: str | None = None,
) -> str:
    now = datetime.now(UTC)
    delivery_id = str(uuid.uuid4())
    conn.execute(
        insert(deliveries).values(
            id=delivery_id,
            kind=kind,
            target=target,
            site_id=site_id,
            about=about[:128],
            subject=subject,
            body=body,
            secret=secret,
            status="queued",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
    )
    return delivery_id


def queue_email(
    conn: Connection,
    *,
    to: str,
    subject: str,
    text: str,
    html: str | None = None,
    attachments: Sequence[Attachment] = (),
    site_id: str | None,
    about: str,
    headers: Mapping[str, str] | None = None,
) -> str:
    """Queue an e-mail in the caller's transaction; its delivery id. Call wake() after the
    commit."""
    body = email_message(
        to=to, subject=subject, text=text, html=html, attachments=attachments, headers=headers
    )
    return _queue(
        conn, kind="email", target=to, subject=subject, body=body, site_id=site_id, about=about
    )


def queue_notice_email(
    conn: Connection, *, to: str, notice: Notice, site_id: str | None, about: str
) -> str:
    """Queue an alert's or all-clear's e-mail (subject: its title; text and HTML from it; the
    header X-Hymy-Notice says which, for mail filters)."""
    return queue_email(
        conn,
        to=to,
        subject=notice.title,
        text=notice_text(notice),
        html=notice_html(notice),
        site_id=site_id,
        about=about,
        headers={NOTICE_HEADER: notice.severity},
    )


def queue_webhook(
    conn: Connection,
    *,
    url: str,
    secret: str | None,
    style: str,
    notice: Notice,
    site_id: str | None,
    about: str,
) -> str:
    """Queue a webhook call with the notice in `style` ("json", "teams" or "slack").

    Raises ValueError for another style or a URL that is not http(s)."""
    if style not in STYLES:
        raise ValueError(f"webhook style {style!r}: give one of {', '.join(STYLES)}")
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"webhook URL {url!r}: give an https:// address")
    return _queue(
        conn,
        kind="webhook",
        target=url,
        subject=notice.title,
        body=webhook_body(style, notice),
        site_id=site_id,
        about=about,
        secret=secret or None,
    )


# --- waking the worker --------------------------------------------------------------------

_workers: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []
_workers_lock = threading.Lock()


def wake() -> None:
    """Have this process's delivery worker look for due deliveries now (safe from any thread;
    nothing happens without a worker: a later check finds them)."""
    with _workers_lock:
        workers = list(_workers)
    for loop, event in workers:
        with contextlib.suppress(RuntimeError):  # its loop has closed
            loop.call_soon_threadsafe(event.set)


# --- claiming and sending -----------------------------------------------------------------


@dataclass(frozen=True)
class Claimed:
    id: str
    kind: str
    target: str
    body: bytes
    secret: str | None
    attempts: int  # this one included


def _due(now: datetime) -> Any:
    return or_(
        and_(deliveries.c.status == "queued", deliveries.c.next_attempt_at <= now),
        and_(deliveries.c.status == "sending", deliveries.c.claimed_until < now),
    )


def claim_due(engine: Engine, now: datetime, *, email: bool, limit: int = BATCH) -> list[Claimed]:
    """Claim up to `limit` due deliveries (e-mails only when `email`); each claim is a
    conditional UPDATE, so a row another worker took in between is skipped."""

    where = _due(now) if email else and_(_due(now), deliveries.c.kind != "email")
    with engine.connect() as conn:  # a read first: the write lock only when there is work
        if conn.execute(select(deliveries.c.id).where(where).limit(1)).first() is None:
            return []

    def claim(conn: Connection) -> list[Claimed]:
        rows = conn.execute(
            select(deliveries).where(where).order_by(deliveries.c.next_attempt_at).limit(limit)
        ).all()
        claimed = []
        for row in rows:
            taken = conn.execute(
                update(deliveries)
                .where(deliveries.c.id == row.id, _due(now))
                .values(status="sending", claimed_until=now + LEASE, attempts=row.attempts + 1)
            ).rowcount
            if taken:
                body = bytes(row.body)
                claimed.append(
                    Claimed(row.id, row.kind, row.target, body, row.secret, row.attempts + 1)
                )
        return claimed

    return in_write_transaction(engine, claim)


def _record(engine: Engine, item: Claimed, verdict: Verdict, error: str | None) -> None:
    now = datetime.now(UTC)
    if verdict == "sent":
        values: dict[str, Any] = {"status": "sent", "sent_at": now, "last_error": None}
    else:
        later = next_attempt(item.attempts, now) if verdict == "retry" else None
        values = {"last_error": (error or "")[:2000]}
        values |= {"status": "queued", "next_attempt_at": later} if later else {"status": "failed"}
    values["claimed_until"] = None

    def record(conn: Connection) -> None:
        conn.execute(
            update(deliveries)
            .where(deliveries.c.id == item.id, deliveries.c.status == "sending")
            .values(**values)
        )

    in_write_transaction(engine, record)


def send_email(settings: Settings, item: Claimed) -> tuple[Verdict, str | None]:
    """Hand one e-mail to the SMTP server: ("sent", None) or what to do and why not."""
    assert settings.smtp_host is not None
    message = sending_headers(settings.mail_from, datetime.now(UTC)) + item.body
    context = ssl.create_default_context(
        cafile=str(settings.smtp_ca_file) if settings.smtp_ca_file else None
    )
    try:
        if settings.smtp_port == 465:
            server: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.smtp_host, settings.smtp_port, timeout=SEND_TIMEOUT_S, context=context
            )
        else:
            server = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SEND_TIMEOUT_S)
        with server:
            if settings.smtp_starttls and settings.smtp_port != 465:
                server.starttls(context=context)
            if settings.smtp_username:
                _login(server, settings.smtp_username, settings.smtp_password or "")
            server.sendmail(settings.mail_from, [item.target], message)
    except smtplib.SMTPRecipientsRefused as err:
        code, answer = next(iter(err.recipients.values()))
        return smtp_verdict(code), f"the server refused {item.target}: {code} {_text(answer)}"
    except smtplib.SMTPResponseException as err:
        return smtp_verdict(err.smtp_code), f"SMTP {err.smtp_code} {_text(err.smtp_error)}"
    except smtplib.SMTPNotSupportedError as err:
        return "retry", f"the SMTP server cannot do this ({err}): check HYMY_CENTRAL_SMTP_STARTTLS"
    except (OSError, smtplib.SMTPException) as err:  # refused, timed out, TLS failed
        return "retry", f"{settings.smtp_host}:{settings.smtp_port}: {err or type(err).__name__}"
    return "sent", None


def _login(server: smtplib.SMTP, username: str, password: str) -> None:
    """AUTH PLAIN (or LOGIN) with the name and password as UTF-8: smtplib's login() takes
    ASCII only, and a Finnish password may well have an ä in it."""
    server.ehlo_or_helo_if_needed()
    mechanisms = server.esmtp_features.get("auth", "").upper().split()
    user, secret = username.encode("utf-8"), password.encode("utf-8")
    if "PLAIN" in mechanisms:
        token = base64.b64encode(b"\0" + user + b"\0" + secret).decode("ascii")
        code, answer = server.docmd("AUTH", "PLAIN " + token)
    elif "LOGIN" in mechanisms:
        code, answer = server.docmd("AUTH", "LOGIN " + base64.b64encode(user).decode("ascii"))
        if code == 334:
            code, answer = server.docmd(base64.b64encode(secret).decode("ascii"))
    else:
        raise smtplib.SMTPNotSupportedError(
            "the server offers no AUTH PLAIN or LOGIN (after STARTTLS)"
        )
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, answer)


def _text(answer: bytes | str) -> str:
    return answer.decode("utf-8", "replace") if isinstance(answer, bytes) else str(answer)


def send_webhook(item: Claimed) -> tuple[Verdict, str | None]:
    """POST one webhook's body, signed when it has a secret."""
    stamp = str(int(time.time()))
    headers = {"Content-Type": "application/json; charset=utf-8", TIMESTAMP_HEADER: stamp}
    if item.secret:
        headers[SIGNATURE_HEADER] = signature(item.secret, stamp, item.body)
    try:
        answer = http_client.post(
            item.target, content=item.body, headers=headers, timeout=SEND_TIMEOUT_S
        )
    except http_client.HTTPError as err:
        return "retry", f"{type(err).__name__}: {err}"
    verdict = http_verdict(answer.status_code)
    if verdict == "sent":
        return verdict, None
    return verdict, f"HTTP {answer.status_code} {answer.text[:200]}".strip()


def deliver_due(engine: Engine, settings: Settings) -> int:
    """Send what is due now (in this thread); the number sent."""
    sent = 0
    while True:
        batch = claim_due(engine, datetime.now(UTC), email=settings.smtp_host is not None)
        if not batch:
            return sent
        for item in batch:
            try:
                if item.kind == "email":
                    verdict, error = send_email(settings, item)
                else:
                    verdict, error = send_webhook(item)
            except Exception as err:  # a bug or an odd answer: this one waits, the rest go on
                log.exception("delivery %s could not be sent", item.id)
                verdict, error = "retry", f"{type(err).__name__}: {err}"
            if verdict == "sent":
                sent += 1
            else:
                log.warning("delivery %s to %s: %s (%s)", item.id, item.kind, error, verdict)
            _record(engine, item, verdict, error)


@dataclass(frozen=True)
class Listed:
    """A delivery as the console lists it (never its body or secret)."""

    id: str
    kind: str
    target: str  # a webhook's address without its path and query (they may hold its key)
    site_id: str | None
    about: str
    subject: str
    status: str
    attempts: int
    next_attempt_at: datetime | None  # while it waits
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


def shown_target(kind: str, target: str) -> str:
    """What the console shows of a target: an address as it is, a webhook's URL as its scheme
    and host (Teams' and Slack's URLs carry their key in the path)."""
    if kind != "webhook":
        return target
    scheme, _, rest = target.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0].rsplit('@', 1)[-1]}/…"


def recent(
    conn: Connection,
    *,
    sites: Sequence[str] = (),
    address: str | None = None,
    status: str | None = None,
    limit: int = 200,
) -> list[Listed]:
    """The latest deliveries, newest first; with `sites` only theirs and, with `address` too,
    the e-mails to that address (a region's report, of no one site); of one status when given."""
    query = select(deliveries).order_by(deliveries.c.created_at.desc()).limit(limit)
    if sites or address:
        mine = deliveries.c.site_id.in_(list(sites))
        if address:
            mine = or_(mine, and_(deliveries.c.kind == "email", deliveries.c.target == address))
        query = query.where(mine)
    if status is not None:
        query = query.where(deliveries.c.status == status)
    return [
        Listed(
            id=row.id,
            kind=row.kind,
            target=shown_target(row.kind, row.target),
            site_id=row.site_id,
            about=row.about,
            subject=row.subject,
            status=row.status,
            attempts=row.attempts,
            next_attempt_at=_aware(row.next_attempt_at) if row.status == "queued" else None,
            last_error=row.last_error,
            created_at=_aware(row.created_at),
            sent_at=_aware(row.sent_at),
        )
        for row in conn.execute(query)
    ]


def _aware(moment: datetime | None) -> Any:
    """A stored moment with its zone (SQLite gives them back without)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def site_of(conn: Connection, delivery_id: str) -> tuple[str | None, str | None] | None:
    """(its site, its address if an e-mail) of a delivery; None when there is no such one."""
    row = conn.execute(
        select(deliveries.c.site_id, deliveries.c.kind, deliveries.c.target).where(
            deliveries.c.id == delivery_id
        )
    ).first()
    if row is None:
        return None
    return row.site_id, row.target if row.kind == "email" else None


def retry_now(conn: Connection, delivery_id: str) -> bool:
    """Put a failed (or waiting) delivery back in the queue at once, its attempts counted
    anew; False when there is no such row or it was sent."""
    return bool(
        conn.execute(
            update(deliveries)
            .where(deliveries.c.id == delivery_id, deliveries.c.status.in_(("failed", "queued")))
            .values(status="queued", attempts=0, next_attempt_at=datetime.now(UTC))
        ).rowcount
    )


def start_worker(app: Any) -> None:
    """In `serve` (the app's lifespan, once its engine is in app.state): send due deliveries
    when woken and at least every `delivery_check_seconds`, off the event loop. Ends with the
    server's event loop."""
    settings: Settings = app.state.settings
    engine = app.state.engine
    if settings.smtp_host is None:
        log.info("no SMTP server set (HYMY_CENTRAL_SMTP_HOST): e-mails wait in the queue")
    loop = asyncio.get_running_loop()
    event = asyncio.Event()
    with _workers_lock:
        _workers.append((loop, event))

    def run() -> None:
        try:
            deliver_due(engine, settings)
        except Exception:
            log.exception("deliveries: the round failed; the next one tries again")

    async def worker() -> None:
        try:
            while True:
                await anyio.to_thread.run_sync(run, abandon_on_cancel=True)
                every = settings.delivery_check_seconds * random.uniform(0.9, 1.1)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), timeout=every)
                event.clear()
        finally:
            with _workers_lock:
                if (loop, event) in _workers:
                    _workers.remove((loop, event))

    app.state.delivery_worker = loop.create_task(worker())

"""The delivery queue (docs/deliveries.md): e-mails over SMTP and webhook calls, queued in the
caller's transaction (a row in `deliveries` that commits or rolls back with the alert or report
that made it) and sent by a worker in the app's lifespan, outside any transaction, so sending
never blocks ingest. A failed attempt is tried again with backoff (central.delivery_messages)
until it is sent or, after a day, given up ("failed"); the console lists them.

Several workers and servers share the queue: a worker claims a due row with one UPDATE ...
WHERE status = 'queued' AND next_attempt_at <= now (moving next_attempt_at a LEASE ahead), so
only one of them sends it; a worker that dies mid-send leaves it to be tried again after the
lease.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import smtplib
import ssl
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from typing import Any

import anyio
import httpx
from sqlalchemy import Connection, Engine, and_, insert, select, update

from central.delivery_messages import (
    Attachment,
    Notice,
    build_email,
    next_attempt,
    notice_text,
    signature,
    webhook_body,
    webhook_outcome,
)
from central.settings import Settings
from central.tables import deliveries

__all__ = [
    "Attachment",
    "Notice",
    "console_url",
    "queue_email",
    "queue_notice_email",
    "queue_webhook",
    "retry_now",
    "wake",
]

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)  # a claimed row is left to others this long after the claim
IDLE_S = 30.0  # the worker looks at least this often without being woken
BATCH = 20  # rows claimed per look
TIMEOUT_S = 20.0  # per SMTP session or webhook call
NO_SMTP = "no SMTP server configured (set HYMY_CENTRAL_SMTP_HOST); the e-mail waits in the queue"

# The workers' wake-up calls in this process: (loop, event) of each running worker.
_wakers: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []
_wakers_lock = threading.Lock()


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite gives naive UTC


def console_url(settings: Settings, path: str) -> str:
    """An absolute link to a console page, from HYMY_CENTRAL_PUBLIC_URL (relative when unset)."""
    base = settings.public_url.rstrip("/")
    return base + "/" + path.lstrip("/")


def _queue(conn: Connection, **values: Any) -> str:
    delivery = str(uuid.uuid4())
    now = _now()
    conn.execute(
        insert(deliveries).values(
            id=delivery,
            status="queued",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
            **values,
        )
    )
    return delivery


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
    settings: Settings | None = None,
) -> str:
    """Queue an e-mail in the caller's transaction; its delivery id. Sent after the commit
    (call wake() then). From: is the sending worker's HYMY_CENTRAL_MAIL_FROM."""
    message = build_email(
        sender="hymy@localhost",  # replaced by mail_from when sent
        to=to,
        subject=subject,
        text=text,
        html=html,
        attachments=attachments,
        now=_now(),
    )
    return _queue(
        conn,
        kind="email",
        target=to,
        site_id=site_id,
        about=about,
        subject=subject,
        payload=message,
    )


def queue_notice_email(
    conn: Connection, *, to: str, notice: Notice, site_id: str | None, about: str
) -> str:
    """Queue an e-mail of a notice: subject its title, the body its text, facts and link."""
    return queue_email(
        conn, to=to, subject=notice.title, text=notice_text(notice), site_id=site_id, about=about
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
    """Queue a webhook call (POST of the notice as `style`: json, teams or slack). Raises
    ValueError for an unknown style or a URL that is not http(s)."""
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"a webhook URL starts with https://, not {url[:20]!r}")
    return _queue(
        conn,
        kind="webhook",
        target=url,
        style=style,
        secret=secret,
        site_id=site_id,
        about=about,
        subject=notice.title,
        payload=webhook_body(style, notice),
    )


def wake() -> None:
    """Make the workers in this process look at the queue now (after the caller's commit).
    Safe from any thread."""
    with _wakers_lock:
        wakers = list(_wakers)
    for loop, event in wakers:
        with contextlib.suppress(RuntimeError):  # its loop has closed
            loop.call_soon_threadsafe(event.set)


def retry_now(conn: Connection, delivery: str, sites: Sequence[str] | None = None) -> bool:
    """Put a failed delivery back in the queue, due now (the console's button); False when
    there is no failed delivery of that id (among `sites`, when given)."""
    where = and_(deliveries.c.id == delivery, deliveries.c.status == "failed")
    if sites is not None:
        where = and_(where, deliveries.c.site_id.in_(list(sites)))
    result = conn.execute(
        update(deliveries)
        .where(where)
        .values(status="queued", next_attempt_at=_now(), created_at=_now(), attempts=0)
    )
    return result.rowcount == 1


# --- the worker -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claimed:
    id: str
    kind: str
    target: str
    style: str | None
    secret: str | None
    payload: bytes
    attempts: int  # with this one
    created_at: datetime


def claim_due(engine: Engine, settings: Settings, now: datetime | None = None) -> list[Claimed]:
    """Claim up to BATCH due rows (each by one conditional UPDATE: one worker wins it). E-mails
    are left (with NO_SMTP as their last error) while no SMTP host is set."""
    now = now or _now()
    claimed = []
    with engine.begin() as conn:
        if not settings.smtp_host:
            conn.execute(
                update(deliveries)
                .where(
                    deliveries.c.kind == "email",
                    deliveries.c.status == "queued",
                    deliveries.c.last_error.is_(None),
                )
                .values(last_error=NO_SMTP)
            )
    with engine.connect() as conn:
        query = select(deliveries).where(
            deliveries.c.status == "queued", deliveries.c.next_attempt_at <= now
        )
        if not settings.smtp_host:
            query = query.where(deliveries.c.kind != "email")
        rows = conn.execute(query.order_by(deliveries.c.next_attempt_at).limit(BATCH)).all()
    for row in rows:
        with engine.begin() as conn:
            won = conn.execute(
                update(deliveries)
                .where(
                    deliveries.c.id == row.id,
                    deliveries.c.status == "queued",
                    deliveries.c.next_attempt_at <= now,
                )
                .values(next_attempt_at=now + LEASE, attempts=deliveries.c.attempts + 1)
            ).rowcount
        if won == 1:
            claimed.append(
                Claimed(
                    row.id,
                    row.kind,
                    row.target,
                    row.style,
                    row.secret,
                    bytes(row.payload),
                    row.attempts + 1,
                    _aware(row.created_at),
                )
            )
    return claimed


class RefusedError(Exception):
    """The receiver refused it for good: not tried again."""


class TryAgainError(Exception):
    """The receiver could not take it now (its message says why): tried again later."""


def send_email(settings: Settings, item: Claimed) -> None:
    """One e-mail over SMTP (STARTTLS and AUTH as set). Raises RefusedError when the server refuses
    every recipient or the message for good (5xx), another error to try again."""
    message = message_from_bytes(item.payload, policy=policy.SMTP)
    del message["From"]
    message["From"] = settings.mail_from
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT_S) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_username:
                smtp.login(settings.smtp_username, settings.smtp_secret)
            smtp.send_message(message, from_addr=settings.mail_from, to_addrs=[item.target])
    except smtplib.SMTPRecipientsRefused as err:
        codes = [code for code, _ in err.recipients.values()]
        if all(code >= 500 for code in codes):
            raise RefusedError(f"the SMTP server refused {item.target}: {err.recipients}") from err
        raise
    except smtplib.SMTPDataError as err:
        if err.smtp_code >= 500:
            raise RefusedError(f"the SMTP server refused the message: {err}") from err
        raise


def send_webhook(settings: Settings, item: Claimed) -> None:
    """One webhook POST. Raises RefusedError for a 4xx other than 408 and 429 (the receiver says
    the request itself is wrong: the same body is refused again), another error to retry."""
    timestamp = str(int(time.time()))
    headers = {"Content-Type": "application/json; charset=utf-8", "X-Hymy-Timestamp": timestamp}
    secret = item.secret or settings.webhook_secret
    if secret:
        headers["X-Hymy-Signature"] = signature(secret, timestamp, item.payload)
    response = httpx.post(item.target, content=item.payload, headers=headers, timeout=TIMEOUT_S)
    outcome = webhook_outcome(response.status_code)
    if outcome == "failed":
        raise RefusedError(f"HTTP {response.status_code}: {response.text[:200]}")
    if outcome == "retry":
        raise TryAgainError(f"HTTP {response.status_code}: {response.text[:200]}")


def deliver(engine: Engine, settings: Settings, item: Claimed) -> str:
    """Send one claimed row and record the outcome: "sent", "queued" (tried again) or
    "failed"."""
    error: str | None = None
    status = "sent"
    try:
        (send_email if item.kind == "email" else send_webhook)(settings, item)
    except RefusedError as err:
        status, error = "failed", str(err)
    except TryAgainError as err:
        status, error = "queued", str(err)
    except Exception as err:
        status, error = "queued", f"{type(err).__name__}: {err}"[:1000]
    now = _now()
    values: dict[str, Any] = {"status": status, "last_error": error}
    if status == "sent":
        values["sent_at"] = now
    elif status == "queued":
        again = next_attempt(item.attempts, item.created_at, now)
        if again is None:
            values["status"] = status = "failed"
            values["last_error"] = f"gave up after {item.attempts} attempts: {error}"
        else:
            values["next_attempt_at"] = again
    with engine.begin() as conn:
        conn.execute(update(deliveries).where(deliveries.c.id == item.id).values(**values))
    log.log(
        logging.INFO if status == "sent" else logging.WARNING,
        "delivery %s (%s) %s%s",
        item.id,
        item.kind,
        status,
        f": {error}" if error else "",
    )
    return status


def run_once(engine: Engine, settings: Settings, now: datetime | None = None) -> list[str]:
    """Claim and send every due row; the outcomes. Never raises for one row."""
    outcomes = []
    for item in claim_due(engine, settings, now):
        outcomes.append(deliver(engine, settings, item))
    return outcomes


def start_worker(app: Any) -> None:
    """In the app's lifespan (its engine in app.state): send due deliveries, looking every
    IDLE_S and at once on wake(). Ends with the server's event loop."""
    settings: Settings = app.state.settings
    engine = app.state.engine
    loop = asyncio.get_running_loop()
    event = asyncio.Event()
    waker = (loop, event)
    with _wakers_lock:
        _wakers.append(waker)

    async def work() -> None:
        try:
            while True:
                event.clear()
                try:
                    await anyio.to_thread.run_sync(run_once, engine, settings)
                except Exception:
                    log.exception("the delivery worker failed; it looks again soon")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), IDLE_S)
        finally:
            with _wakers_lock:
                if waker in _wakers:
                    _wakers.remove(waker)

    app.state.delivery_task = loop.create_task(work())


def listing(conn: Connection, sites: Sequence[str] | None = None, limit: int = 200) -> list[Any]:
    """The newest deliveries (of `sites` only, when given: a manager's), for the console."""
    query = select(
        deliveries.c.id,
        deliveries.c.kind,
        deliveries.c.target,
        deliveries.c.site_id,
        deliveries.c.about,
        deliveries.c.subject,
        deliveries.c.status,
        deliveries.c.attempts,
        deliveries.c.next_attempt_at,
        deliveries.c.last_error,
        deliveries.c.created_at,
        deliveries.c.sent_at,
    )
    if sites is not None:
        query = query.where(deliveries.c.site_id.in_(list(sites)))
    return list(conn.execute(query.order_by(deliveries.c.created_at.desc()).limit(limit)))


def payload_json(payload: bytes) -> Any:
    """A webhook row's body as JSON (tests and the console)."""
    return json.loads(payload)

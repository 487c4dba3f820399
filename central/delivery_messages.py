"""What central.deliveries sends, as pure functions (no I/O): the e-mail's MIME bytes, the
webhook bodies (our JSON, Microsoft Teams, Slack), the signature header, and the retry schedule.
docs/deliveries.md describes each."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

STYLES = ("json", "teams", "slack")
# Wait this long after attempt 1, 2, 3, ...; the last repeats. Given up GIVE_UP after queueing.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=2),
)
GIVE_UP = timedelta(hours=24)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # e.g. "application/pdf"
    data: bytes


@dataclass(frozen=True)
class Notice:
    """One alert or all-clear, already in the recipient's language."""

    title: str  # one line
    text: str  # plain text, a few sentences: what happened
    facts: tuple[tuple[str, str], ...] = ()  # (label, value): the numbers behind it
    link: str | None = None  # absolute URL of the console page
    severity: str = "alert"  # "alert" | "clear"
    data: dict[str, Any] = field(default_factory=dict)  # machine-readable, in JSON bodies


def build_email(
    *,
    sender: str,
    to: str,
    subject: str,
    text: str,
    html: str | None = None,
    attachments: Sequence[Attachment] = (),
    now: datetime,
) -> bytes:
    """The message as bytes: plain text, the HTML alternative if given, the attachments; headers
    in UTF-8 encoded words where they need it (ä, ö, å)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = " ".join(subject.split())  # one line
    message["Date"] = format_datetime(now)
    domain = sender.rpartition("@")[2] or "hymy.invalid"
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    for item in attachments:
        maintype, _, subtype = item.content_type.partition("/")
        message.add_attachment(
            item.data, maintype=maintype, subtype=subtype or "octet-stream", filename=item.filename
        )
    return message.as_bytes()


def notice_text(notice: Notice) -> str:
    """A notice as plain text: what happened, the facts a line each, the link."""
    lines = [notice.title, "", notice.text]
    if notice.facts:
        lines.append("")
        lines.extend(f"{label}: {value}" for label, value in notice.facts)
    if notice.link:
        lines.extend(["", notice.link])
    return "\n".join(lines) + "\n"


def json_body(notice: Notice) -> dict[str, Any]:
    """Our own body ("json"): everything in the notice, `data` as given."""
    return {
        "title": notice.title,
        "text": notice.text,
        "severity": notice.severity,
        "facts": [{"label": label, "value": value} for label, value in notice.facts],
        "link": notice.link,
        "data": notice.data,
    }


def teams_body(notice: Notice) -> dict[str, Any]:
    """An Adaptive Card in a message (what Teams Workflows' "post to a channel when a webhook
    request is received" and the older incoming webhooks both accept)."""
    card: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": notice.title,
            "weight": "Bolder",
            "size": "Medium",
            "wrap": True,
            "color": "Attention" if notice.severity == "alert" else "Good",
        },
        {"type": "TextBlock", "text": notice.text, "wrap": True},
    ]
    if notice.facts:
        card.append(
            {
                "type": "FactSet",
                "facts": [{"title": label, "value": value} for label, value in notice.facts],
            }
        )
    content: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": card,
    }
    if notice.link:
        content["actions"] = [{"type": "Action.OpenUrl", "title": "Hymy", "url": notice.link}]
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "content": content}
        ],
    }


def slack_body(notice: Notice) -> dict[str, Any]:
    """`text` (the notification's fallback) and `blocks` (what Slack shows)."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": notice.title[:150]}},
        {"type": "section", "text": {"type": "mrkdwn", "text": notice.text}},
    ]
    if notice.facts:
        blocks.append(
            {
                "type": "section",
                "fields": [
                    {"type": "mrkdwn", "text": f"*{label}*\n{value}"}
                    for label, value in notice.facts[:10]
                ],
            }
        )
    if notice.link:
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": f"<{notice.link}|Hymy>"}}
        )
    return {"text": f"{notice.title}: {notice.text}", "blocks": blocks}


def webhook_body(style: str, notice: Notice) -> bytes:
    """The body to POST, as UTF-8 JSON. Raises ValueError for an unknown style."""
    makers = {"json": json_body, "teams": teams_body, "slack": slack_body}
    if style not in makers:
        raise ValueError(f"webhook style must be one of {', '.join(STYLES)}, not {style!r}")
    return json.dumps(makers[style](notice), ensure_ascii=False, sort_keys=True).encode()


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """X-Hymy-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the secret>."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def next_attempt(attempts: int, created_at: datetime, now: datetime) -> datetime | None:
    """When to try again after `attempts` failed attempts; None: give up (GIVE_UP passed)."""
    wait = BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]
    if now + wait - created_at > GIVE_UP:
        return None
    return now + wait


def webhook_outcome(status: int) -> str:
    """ "sent" (2xx), "retry" (5xx, 408, 429, and anything else unexpected) or "failed" (other
    4xx: the receiver refuses it, and the same request would be refused again)."""
    if 200 <= status < 300:
        return "sent"
    if 400 <= status < 500 and status not in (408, 429):
        return "failed"
    return "retry"


def masked(url: str) -> str:
    """A webhook URL for the console: scheme and host, the path hidden (it is the secret)."""
    scheme, sep, rest = url.partition("://")
    host = rest.split("/", 1)[0].rpartition("@")[2]
    return f"{scheme}{sep}{host}/…" if sep else "…"

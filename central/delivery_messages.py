"""What the delivery queue sends, pure (no I/O): an alert or all-clear (`Notice`) and any
e-mail built as MIME, the webhook bodies in our JSON and in the shapes Microsoft Teams and Slack
accept, the webhook signature, the retry schedule, and what an answer means (sent, try again,
give up). central.deliveries queues and sends them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from html import escape
from typing import Any, Literal

STYLES = ("json", "teams", "slack")
# Wait this long before attempt 2, 3, ...; after the last the delivery has failed (a day in all).
RETRY_AFTER = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=3),
    timedelta(hours=6),
    timedelta(hours=12),
)
MAX_ATTEMPTS = len(RETRY_AFTER) + 1
SIGNATURE_HEADER = "X-Hymy-Signature"
TIMESTAMP_HEADER = "X-Hymy-Timestamp"
NOTICE_HEADER = "X-Hymy-Notice"  # an alert's e-mail: "alert" or "clear" (for mail filters)
SLACK_MAX_FIELDS = 10  # a Slack section holds at most ten fields
# Headers unfolded up to SMTP's own line limit: Python 3.11 folds a long non-ASCII subject into
# encoded words whose space between them a reader drops ("ääkköset å" read as "ääkkösetå").
MAIL_POLICY = SMTP.clone(max_line_length=998)


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
    data: dict[str, Any] = field(default_factory=dict)  # machine-readable, into JSON bodies
    link_label: str = "Hymy"  # the link's words on a Teams or Slack button


def email_message(
    *,
    to: str,
    subject: str,
    text: str,
    html: str | None = None,
    attachments: Sequence[Attachment] = (),
    headers: Mapping[str, str] | None = None,
) -> bytes:
    """The e-mail as queued (with any extra `headers`): UTF-8 text (and HTML beside it), the
    attachments, a Message-ID (the same on every attempt, so a server that got it twice can
    tell); From and Date are put in front when it is sent (`sending_headers`)."""
    message = EmailMessage(policy=MAIL_POLICY)
    message["To"] = to
    message["Subject"] = " ".join(subject.split())  # one line, whatever the caller gave
    message["Message-ID"] = make_msgid(domain="hymy.invalid")
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office answers
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    for item in attachments:
        maintype, _, subtype = item.content_type.partition("/")
        message.add_attachment(
            item.data, maintype=maintype, subtype=subtype or "octet-stream", filename=item.filename
        )
    return message.as_bytes()


def sending_headers(sender: str, now: datetime) -> bytes:
    """The From and Date header lines put before a queued e-mail when it is sent."""
    header = EmailMessage(policy=MAIL_POLICY)
    header["From"] = sender
    header["Date"] = format_datetime(now)
    return header.as_bytes().split(b"\r\n\r\n", 1)[0] + b"\r\n"


def notice_text(notice: Notice) -> str:
    """A notice as an e-mail's plain text: what happened, the numbers, the link."""
    parts = [notice.text.strip()]
    if notice.facts:
        parts.append("\n".join(f"{label}: {value}" for label, value in notice.facts))
    if notice.link:
        parts.append(notice.link)
    return "\n\n".join(parts) + "\n"


def notice_html(notice: Notice) -> str:
    """A notice as an e-mail's HTML part (the same as its text)."""
    facts = "".join(
        f"<tr><th scope='row' style='text-align:left;padding-right:1em'>{escape(label)}</th>"
        f"<td>{escape(value)}</td></tr>"
        for label, value in notice.facts
    )
    link = (
        f"<p><a href='{escape(notice.link)}'>{escape(notice.link_label)}</a></p>"
        if notice.link
        else ""
    )
    return (
        f"<!doctype html><html><body><h1 style='font-size:1.2em'>{escape(notice.title)}</h1>"
        f"<p>{escape(notice.text)}</p>"
        + (f"<table>{facts}</table>" if facts else "")
        + link
        + "</body></html>"
    )


def _json_body(notice: Notice) -> dict[str, Any]:
    return {
        "type": "hymy.alert" if notice.severity == "alert" else "hymy.clear",
        "title": notice.title,
        "text": notice.text,
        "facts": [{"label": label, "value": value} for label, value in notice.facts],
        "link": notice.link,
        "severity": notice.severity,
        "data": notice.data,
    }


def _teams_body(notice: Notice) -> dict[str, Any]:
    """A message with an Adaptive Card: what a Teams channel's Workflows webhook ("When a
    Teams webhook request is received") posts, the successor of the retired Office 365
    connectors' MessageCard."""
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {
                "type": "TextBlock",
                "text": notice.title,
                "weight": "Bolder",
                "size": "Medium",
                "wrap": True,
                "color": "Attention" if notice.severity == "alert" else "Good",
            },
            {"type": "TextBlock", "text": notice.text, "wrap": True},
        ],
    }
    if notice.facts:
        card["body"].append(
            {
                "type": "FactSet",
                "facts": [{"title": label, "value": value} for label, value in notice.facts],
            }
        )
    if notice.link:
        card["actions"] = [
            {"type": "Action.OpenUrl", "title": notice.link_label, "url": notice.link}
        ]
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }


def _slack_body(notice: Notice) -> dict[str, Any]:
    """`text` (the notification's line) and Block Kit blocks, as a Slack incoming webhook
    takes them."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": notice.title[:150]}},
        {"type": "section", "text": {"type": "plain_text", "text": notice.text}},
    ]
    if notice.facts:
        blocks.append(
            {
                "type": "section",
                "fields": [
                    {"type": "mrkdwn", "text": f"*{_slack_escape(label)}*\n{_slack_escape(value)}"}
                    for label, value in notice.facts[:SLACK_MAX_FIELDS]
                ],
            }
        )
    if notice.link:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": notice.link_label},
                        "url": notice.link,
                    }
                ],
            }
        )
    line = _slack_escape(notice.title) + (
        f" <{notice.link}|{_slack_escape(notice.link_label)}>" if notice.link else ""
    )
    return {"text": line, "blocks": blocks}


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def webhook_body(style: str, notice: Notice) -> bytes:
    """The webhook's JSON body in `style` ("json", "teams" or "slack"), UTF-8.

    Raises ValueError for another style."""
    makers = {"json": _json_body, "teams": _teams_body, "slack": _slack_body}
    if style not in makers:
        raise ValueError(f"webhook style {style!r}: give one of {', '.join(STYLES)}")
    return json.dumps(makers[style](notice), ensure_ascii=False).encode("utf-8")


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The `X-Hymy-Signature` value: "sha256=" and the hex HMAC-SHA256, keyed with the webhook's
    secret, of the timestamp header's value, a dot and the body (a receiver checks both, so an
    old body cannot be sent again under a new time)."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def next_attempt(attempts: int, now: datetime) -> datetime | None:
    """When to try again after `attempts` tries that failed but may work later; None: give
    up (the delivery has failed)."""
    if attempts < 1 or attempts >= MAX_ATTEMPTS:
        return None
    return now + RETRY_AFTER[attempts - 1]


Verdict = Literal["sent", "retry", "failed"]


def http_verdict(status: int) -> Verdict:
    """What a webhook's HTTP status means: 2xx sent; 408, 425, 429 and 5xx try again; any
    other (a wrong address, a refused body, a redirect) will not get better by itself."""
    if 200 <= status < 300:
        return "sent"
    if status in (408, 425, 429) or status >= 500:
        return "retry"
    return "failed"


def smtp_verdict(code: int | None) -> Verdict:
    """What an SMTP server's refusal means: 5xx refuses this message for good (no such
    mailbox); 4xx, none (the connection failed) or a refused login try again (a password fixed
    in the settings lets it through)."""
    if code is not None and 500 <= code < 600 and code not in (530, 534, 535, 538):
        return "failed"
    return "retry"

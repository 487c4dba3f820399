"""The pure parts of delivery (central.delivery_messages): MIME, bodies, signature, backoff."""

from __future__ import annotations

import email
import email.policy
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from central.delivery_messages import (
    BACKOFF,
    GIVE_UP,
    Attachment,
    Notice,
    build_email,
    masked,
    next_attempt,
    notice_text,
    signature,
    webhook_body,
    webhook_outcome,
)

NOW = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
texts = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=60)


@given(subject=texts.filter(str.strip), body=st.text(max_size=200))
def test_any_subject_and_body_survive_the_mime_round_trip(subject, body):
    raw = build_email(
        sender="hymy@example.fi",
        to="a@example.fi",
        subject=subject,
        text=body,
        attachments=[Attachment("raportti å.pdf", "application/pdf", b"%PDF")],
        now=NOW,
    )
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["Subject"] == " ".join(subject.split())
    assert message["Message-ID"].endswith("@example.fi>")
    (part,) = list(message.iter_attachments())
    assert part.get_filename() == "raportti å.pdf" and part.get_content() == b"%PDF"


def test_a_notice_as_text_has_its_facts_a_line_each_and_the_link():
    notice = Notice("Otsikko", "Mitä tapahtui.", (("n", "4"), ("Osuus", "50 %")), "https://x/y")
    assert notice_text(notice) == "Otsikko\n\nMitä tapahtui.\n\nn: 4\nOsuus: 50 %\n\nhttps://x/y\n"


@given(
    title=texts,
    facts=st.lists(st.tuples(texts, texts), max_size=12),
    style=st.sampled_from(["json", "teams", "slack"]),
)
def test_every_style_is_utf8_json_with_the_title(title, facts, style):
    notice = Notice(title, "teksti", tuple(facts), "https://hymy.example.fi/a", data={"n": 4})
    body = json.loads(webhook_body(style, notice).decode("utf-8"))
    if style == "json":
        assert body["title"] == title and body["data"] == {"n": 4}
    elif style == "teams":
        card = body["attachments"][0]["content"]
        assert card["type"] == "AdaptiveCard" and card["body"][0]["text"] == title
    else:
        assert body["text"].startswith(title) and len(body["blocks"][2:3]) <= 1


@given(secret=texts, timestamp=st.integers(0, 2**40).map(str), body=st.binary())
def test_the_signature_is_the_hmac_a_receiver_computes(secret, timestamp, body):
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    assert signature(secret, timestamp, body) == "sha256=" + expected.hexdigest()


@given(attempts=st.integers(1, 100), age=st.integers(0, 48 * 3600))
def test_backoff_grows_and_gives_up_after_a_day(attempts, age):
    created = NOW - timedelta(seconds=age)
    again = next_attempt(attempts, created, NOW)
    wait = BACKOFF[min(attempts, len(BACKOFF)) - 1]
    if again is None:
        assert NOW + wait - created > GIVE_UP
    else:
        assert again - NOW == wait and again - created <= GIVE_UP


def test_statuses():
    assert [webhook_outcome(s) for s in (200, 204, 400, 404, 408, 429, 500, 503, 302)] == [
        "sent",
        "sent",
        "failed",
        "failed",
        "retry",
        "retry",
        "retry",
        "retry",
        "retry",
    ]


def test_a_webhook_url_is_masked_to_its_host():
    assert masked("https://x.webhook.office.com/webhookb2/abc/IncomingWebhook/def") == (
        "https://x.webhook.office.com/…"
    )
    assert masked("https://user:pw@hooks.slack.com/services/T/B/C") == "https://hooks.slack.com/…"

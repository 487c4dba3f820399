"""central.delivery_messages, pure: e-mails as MIME (any subject read back as written), the
retry schedule (a day in all, never sooner than the last wait), the verdicts, the signature and
the bodies Teams and Slack take."""

from __future__ import annotations

import email
import email.policy
import json
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from central.delivery_messages import (
    MAX_ATTEMPTS,
    RETRY_AFTER,
    Attachment,
    Notice,
    email_message,
    http_verdict,
    next_attempt,
    notice_text,
    sending_headers,
    signature,
    smtp_verdict,
    webhook_body,
)

NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)
subjects = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1
).filter(lambda s: s.split())


def lines(value: str) -> list[str]:
    """The text's lines as a reader sees them (line ends and trailing blanks aside)."""
    return [
        line.rstrip()
        for line in value.replace("\r\n", "\n").replace("\r", "\n").strip().splitlines()
    ]


@given(subjects, st.text(min_size=0, max_size=300))
def test_any_subject_and_text_are_read_back_as_written(subject, text):
    raw = sending_headers("hymy@example.fi", NOW) + email_message(
        to="a@example.fi", subject=subject, text=text,
        attachments=[Attachment("r.pdf", "application/pdf", b"%PDF")],
    )  # fmt: skip
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["Subject"] == " ".join(subject.split())
    body = message.get_body(("plain",)).get_content()
    assert lines(body) == lines(text)
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998  # SMTP's line limit


@given(st.integers(min_value=1, max_value=MAX_ATTEMPTS - 1))
def test_each_wait_is_at_least_the_one_before(attempts):
    later = next_attempt(attempts, NOW)
    assert later is not None and later > NOW
    if attempts > 1:
        assert later - NOW >= next_attempt(attempts - 1, NOW) - NOW


def test_the_retries_last_about_a_day_then_it_has_failed():
    assert timedelta(hours=20) < sum(RETRY_AFTER, timedelta()) < timedelta(hours=30)
    assert next_attempt(MAX_ATTEMPTS, NOW) is None
    assert next_attempt(1, NOW) == NOW + timedelta(minutes=1)


@given(st.integers(min_value=100, max_value=599))
def test_http_verdicts(status):
    verdict = http_verdict(status)
    if 200 <= status < 300:
        assert verdict == "sent"
    elif status >= 500 or status in (408, 425, 429):
        assert verdict == "retry"
    else:
        assert verdict == "failed"


def test_smtp_verdicts():
    assert smtp_verdict(550) == "failed"  # no such mailbox: never better
    assert smtp_verdict(535) == "retry"  # a wrong password: fixed in the settings, then sent
    assert smtp_verdict(451) == "retry" and smtp_verdict(None) == "retry"


def test_the_signature_covers_the_time_and_the_body():
    first = signature("s", "1700000000", b"{}")
    assert first.startswith("sha256=") and len(first) == 7 + 64
    assert first != signature("s", "1700000001", b"{}") != signature("t", "1700000000", b"{}")
    assert first != signature("s", "1700000000", b"{ }")


NOTICE = Notice("Otsikko <b>", "Teksti & muuta", (("n", "5"),) * 12, "https://h.fi/a/1")


def test_slack_and_teams_bodies_keep_to_their_limits_and_escape():
    slack = json.loads(webhook_body("slack", NOTICE))
    (fields,) = [b["fields"] for b in slack["blocks"] if "fields" in b]
    assert len(fields) == 10  # a Slack section takes at most ten fields
    assert "&lt;b&gt;" in slack["text"]
    teams = json.loads(webhook_body("teams", NOTICE))
    card = teams["attachments"][0]["content"]
    assert card["body"][0]["text"] == "Otsikko <b>" and len(card["body"][2]["facts"]) == 12


def test_a_notice_as_text():
    text = notice_text(Notice("T", "What happened.", (("Answers", "5"),), "https://h.fi/x"))
    assert text == "What happened.\n\nAnswers: 5\n\nhttps://h.fi/x\n"

"""Alerts in the database: each site's rules, who hears of its alerts, the episodes and their
acknowledgements (tables alert_rules, alert_recipients, alerts). The rules themselves are
central.alert_rules; evaluating them is central.alerts.

Raises AlertError (a ValueError) for what cannot be done as asked; its message says what to do:
    AlertError
     ├── RecipientError   a person who may not read the site, a webhook that is not https/http
     └── NoSuchAlertError  no alert of that id in the caller's sites
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, delete, insert, select, update

from central.alert_rules import KINDS, Rule, default_rules
from central.people import Person, person_by_id
from central.tables import alert_recipients, alert_rules, alerts

WEBHOOK_STYLES = ("json", "teams", "slack")


class AlertError(ValueError):
    """An alert setting that cannot be saved as asked."""


class RecipientError(AlertError):
    """A recipient this site cannot have."""


class NoSuchAlertError(AlertError):
    """No such alert (or not one of the caller's sites)."""


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# --- rules ---


def rules_of(conn: Connection, site_id: str) -> dict[str, Rule]:
    """The site's rules by kind: stored ones, the defaults for the rest."""
    rules = default_rules()
    for row in conn.execute(select(alert_rules).where(alert_rules.c.site_id == site_id)):
        if row.kind in KINDS:
            rules[row.kind] = Rule(row.kind, bool(row.enabled), json.loads(row.params))
    return rules


def save_rule(conn: Connection, site_id: str, rule: Rule, by: str | None = None) -> None:
    """Store one rule of the site (replacing the one of its kind)."""
    conn.execute(
        delete(alert_rules).where(alert_rules.c.site_id == site_id, alert_rules.c.kind == rule.kind)
    )
    conn.execute(
        insert(alert_rules).values(
            site_id=site_id, kind=rule.kind, enabled=rule.enabled,
            params=json.dumps(dict(rule.params), sort_keys=True),
            updated_at=datetime.now(UTC), updated_by=by,
        )
    )  # fmt: skip


# --- recipients ---


@dataclass(frozen=True)
class Recipient:
    id: str
    site_id: str
    person: Person | None  # e-mail to this person, in their language
    url: str | None  # or a webhook
    secret: str | None
    style: str | None
    language: str | None = None  # a webhook's

    @property
    def is_webhook(self) -> bool:
        return self.url is not None


def may_hear_of(person: Person, site_id: str) -> bool:
    """Whether a person may get the site's alerts: an enabled account that may read its
    reports (a manager only of their own sites). Checked when added and again at each alert."""
    return (
        person.disabled_at is None
        and person.caller.reads_reports
        and person.caller.may_read_site(site_id)
    )


def recipients_of(conn: Connection, site_id: str) -> list[Recipient]:
    """The site's recipients: people by address, then webhooks by URL."""
    found = []
    rows = conn.execute(select(alert_recipients).where(alert_recipients.c.site_id == site_id))
    for row in rows:
        person = person_by_id(conn, row.person_id) if row.person_id else None
        if row.person_id and person is None:
            continue
        found.append(Recipient(row.id, row.site_id, person, row.url, row.secret, row.style,
                                row.language))  # fmt: skip
    return sorted(found, key=lambda r: (r.is_webhook, r.person.email if r.person else r.url or ""))


def add_person(conn: Connection, site_id: str, person: Person, by: str | None = None) -> str:
    """Raises RecipientError for a person who may not read the site, or one already on it."""
    if not may_hear_of(person, site_id):
        raise RecipientError(
            f"{person.email} may not read the reports of site {site_id}, so they cannot get its "
            "alerts: give them the site first."
        )
    taken = conn.execute(
        select(alert_recipients.c.id).where(
            alert_recipients.c.site_id == site_id, alert_recipients.c.person_id == person.id
        )
    ).first()
    if taken:
        raise RecipientError(f"{person.email} gets this site's alerts already.")
    return _add(conn, site_id, by, person_id=person.id)


def check_webhook(url: str, style: str) -> None:
    """Raises RecipientError for a URL that is not http(s) with a host, or an unknown style."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.netloc or len(url) > 2000:
        raise RecipientError(
            "The webhook's address must start with https:// (or http://) and name a host, "
            "e.g. https://example.webhook.office.com/..."
        )
    if style not in WEBHOOK_STYLES:
        raise RecipientError(f"Choose the webhook's kind: one of {', '.join(WEBHOOK_STYLES)}.")


def add_webhook(
    conn: Connection, site_id: str, url: str, secret: str | None, style: str,
    language: str = "fi", by: str | None = None,
) -> str:  # fmt: skip
    """Raises RecipientError for a URL or style that cannot be used."""
    check_webhook(url, style)
    return _add(conn, site_id, by, url=url.strip(), secret=secret or None, style=style,
                language=language)  # fmt: skip


def _add(conn: Connection, site_id: str, by: str | None, **values: Any) -> str:
    new_id = str(uuid.uuid4())
    conn.execute(
        insert(alert_recipients).values(
            id=new_id, site_id=site_id, created_at=datetime.now(UTC), created_by=by, **values
        )
    )
    return new_id


def remove_recipient(conn: Connection, site_id: str, recipient_id: str) -> bool:
    """Whether one of the site's recipients was removed."""
    return bool(
        conn.execute(
            delete(alert_recipients).where(
                alert_recipients.c.site_id == site_id, alert_recipients.c.id == recipient_id
            )
        ).rowcount
    )


# --- episodes ---


@dataclass(frozen=True)
class AlertRecord:
    id: str
    site_id: str
    kind: str
    subject: str
    device_id: str | None
    kiosk_id: str | None
    opened_at: datetime
    cleared_at: datetime | None
    facts: dict[str, Any]
    clear_facts: dict[str, Any] | None
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    ack_comment: str | None

    @property
    def is_open(self) -> bool:
        return self.cleared_at is None


def _record(row: Any) -> AlertRecord:
    return AlertRecord(
        row.id, row.site_id, row.kind, row.subject, row.device_id, row.kiosk_id,
        _aware(row.opened_at), _aware(row.cleared_at), json.loads(row.facts),
        json.loads(row.clear_facts) if row.clear_facts else None,
        row.acknowledged_by, _aware(row.acknowledged_at), row.ack_comment,
    )  # fmt: skip


def list_alerts(
    conn: Connection, sites: Sequence[str], *, open_only: bool = False, limit: int = 200
) -> list[AlertRecord]:
    """The sites' alerts, newest first (open ones only, or all)."""
    if not sites:
        return []
    query = select(alerts).where(alerts.c.site_id.in_(list(sites)))
    if open_only:
        query = query.where(alerts.c.cleared_at.is_(None))
    query = query.order_by(alerts.c.opened_at.desc(), alerts.c.id).limit(limit)
    return [_record(row) for row in conn.execute(query)]


def alert_by_id(conn: Connection, alert_id: str, sites: Iterable[str] | None = None) -> AlertRecord:
    """The alert, when it belongs to one of `sites` (None: any). Raises NoSuchAlertError."""
    row = conn.execute(select(alerts).where(alerts.c.id == alert_id)).first()
    if row is None or (sites is not None and row.site_id not in set(sites)):
        raise NoSuchAlertError("There is no such alert. Choose one from the list.")
    return _record(row)


MAX_COMMENT = 2000


def acknowledge(
    conn: Connection, alert_id: str, person: Person, comment: str, now: datetime | None = None
) -> AlertRecord:
    """Mark the alert seen by the person, with their comment (a later one replaces it).

    Raises NoSuchAlertError for an alert of a site the person may not read.
    """
    found = alert_by_id(conn, alert_id)
    if not person.caller.may_read_site(found.site_id) or not person.caller.reads_reports:
        raise NoSuchAlertError("There is no such alert. Choose one from the list.")
    conn.execute(
        update(alerts)
        .where(alerts.c.id == alert_id)
        .values(
            acknowledged_by=person.email,
            acknowledged_at=now or datetime.now(UTC),
            ack_comment=comment.strip()[:MAX_COMMENT] or None,
        )
    )
    return alert_by_id(conn, alert_id)

"""Who gets which scheduled report (central.report_schedule says when): a person, a scope (one
site, or "*": every site they may read, a region's report for those who read several), and a
frequency (weekly or monthly). The e-mails themselves are central.report_mail's.

A person subscribes themselves; an admin may subscribe anyone. Access is checked when a
subscription is made and again each time a report is sent (central.report_mail): a manager who
loses a site gets no more of its reports, and "*" is always what the person may read that day.

Errors: SubscriptionError (a ValueError) for a subscription that cannot be made or removed as
asked; the message says what to do.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, delete, insert, select

from central.people import Person, person_by_id
from central.report_schedule import FREQUENCIES
from central.site_store import NotFoundError, load_site
from central.tables import report_subscriptions

EVERY_SITE = "*"  # the scope of every site the person may read (never a site id)


class SubscriptionError(ValueError):
    """A subscription that cannot be made or removed as asked."""


@dataclass(frozen=True)
class Subscription:
    id: str
    person_id: str
    scope: str  # a site id, or EVERY_SITE
    frequency: str  # weekly | monthly
    created_at: datetime
    created_by: str


def _subscription(row: object) -> Subscription:
    r = row._mapping  # type: ignore[attr-defined]
    created = r["created_at"]
    return Subscription(
        r["id"],
        r["person_id"],
        r["scope"],
        r["frequency"],
        created if created.tzinfo else created.replace(tzinfo=UTC),
        r["created_by"],
    )


def check_may_subscribe(by: Person, person: Person) -> None:
    """Raises SubscriptionError unless `by` is the person or an admin."""
    if by.id != person.id and by.role != "admin":
        raise SubscriptionError("Only an admin may change another person's reports.")


def subscribe(
    conn: Connection,
    person: Person,
    scope: str,
    frequency: str,
    *,
    by: Person | None = None,
    now: datetime | None = None,
) -> Subscription:
    """The person's subscription to the reports of `scope` (a site id or EVERY_SITE) every
    week or month; the existing one when they have it already.

    Raises SubscriptionError for another person's reports asked by someone not an admin, a
    frequency other than weekly or monthly, a disabled account, a role that reads no reports,
    or a site that does not exist or that the person may not read.
    """
    by = by or person
    check_may_subscribe(by, person)
    if frequency not in FREQUENCIES:
        raise SubscriptionError(
            f"A report is sent {' or '.join(FREQUENCIES)}, not {frequency!r}: choose one."
        )
    if person.disabled_at is not None:
        raise SubscriptionError(f"{person.email}'s account is disabled: enable it first.")
    caller = person.caller
    if not caller.reads_reports:
        raise SubscriptionError(
            f"{person.email} has the role {person.role!r}, which reads no reports: "
            "an admin or a manager gets them."
        )
    if scope != EVERY_SITE:
        try:
            load_site(conn, scope)
        except NotFoundError:
            raise SubscriptionError(
                f"There is no site {scope!r}: choose one from the list."
            ) from None
        if not caller.may_read_site(scope):
            raise SubscriptionError(f"{person.email} may not read the reports of site {scope!r}.")
    existing = conn.execute(
        select(report_subscriptions).where(
            report_subscriptions.c.person_id == person.id,
            report_subscriptions.c.scope == scope,
            report_subscriptions.c.frequency == frequency,
        )
    ).first()
    if existing is not None:
        return _subscription(existing)
    values = {
        "id": str(uuid.uuid4()),
        "person_id": person.id,
        "scope": scope,
        "frequency": frequency,
        "created_at": now or datetime.now(UTC),
        "created_by": by.id,
    }
    conn.execute(insert(report_subscriptions).values(**values))
    return Subscription(**values)


def subscriptions_of(conn: Connection, person_id: str) -> list[Subscription]:
    """The person's subscriptions, weekly before monthly, by scope."""
    rows = conn.execute(
        select(report_subscriptions).where(report_subscriptions.c.person_id == person_id)
    )
    found = [_subscription(row) for row in rows]
    return sorted(found, key=lambda s: (FREQUENCIES.index(s.frequency), s.scope))


def all_subscriptions(conn: Connection) -> list[Subscription]:
    """Every subscription, oldest first (what the scheduler goes through)."""
    query = select(report_subscriptions).order_by(
        report_subscriptions.c.created_at, report_subscriptions.c.id
    )
    return [_subscription(row) for row in conn.execute(query)]


def unsubscribe(conn: Connection, subscription_id: str, *, by: Person) -> Subscription:
    """Remove the subscription (its sent log stays). Raises SubscriptionError for an unknown
    id or another person's, asked by someone not an admin."""
    row = conn.execute(
        select(report_subscriptions).where(report_subscriptions.c.id == subscription_id)
    ).first()
    if row is None:
        raise SubscriptionError("There is no such subscription: it may be removed already.")
    found = _subscription(row)
    owner = person_by_id(conn, found.person_id)
    if owner is None or (by.id != owner.id and by.role != "admin"):
        raise SubscriptionError("Only an admin may change another person's reports.")
    conn.execute(delete(report_subscriptions).where(report_subscriptions.c.id == subscription_id))
    return found

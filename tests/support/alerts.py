"""Alerts: what central.alerts queued, read back from the real delivery queue, and site files
for the alert tests."""

from __future__ import annotations

import email
import email.policy
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, select

from central.delivery_messages import NOTICE_HEADER
from central.tables import deliveries
from tests.support.central import HERVANTA_SITE
from tests.support.paths import EXAMPLE_SITE

ALWAYS_OPEN = "\n[opening_hours]\n" + "\n".join(
    f'{day} = ["00:00-24:00"]' for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
)
KALEVA_ALWAYS_OPEN = EXAMPLE_SITE.read_text(encoding="utf-8") + ALWAYS_OPEN
HERVANTA_ALWAYS_OPEN = HERVANTA_SITE + ALWAYS_OPEN


@dataclass(frozen=True)
class Sent:
    """A notice as it was queued, read back from the real delivery queue: an e-mail's subject,
    text, link and X-Hymy-Notice, or a JSON webhook's body."""

    title: str
    text: str
    link: str | None
    severity: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Queued:
    """What central.alerts queued in the real `deliveries` table, oldest first."""

    engine: Engine

    @property
    def items(self) -> list[tuple[str, str, Sent, str | None, str]]:
        """(kind, address or URL, the notice, site, about) of each delivery."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(deliveries).order_by(deliveries.c.created_at, deliveries.c.id)
            ).all()
        return [(r.kind, r.target, _read(r.kind, bytes(r.body)), r.site_id, r.about) for r in rows]

    def emails(self) -> list[tuple[str, Sent]]:
        return [(to, sent) for kind, to, sent, _s, _a in self.items if kind == "email"]

    def webhooks(self) -> list[tuple[str, Sent]]:
        return [(url, sent) for kind, url, sent, _s, _a in self.items if kind == "webhook"]

    def attempted(self) -> int:
        """How many deliveries the worker has tried (woken after the alert's commit)."""
        with self.engine.connect() as conn:
            return len(conn.execute(select(deliveries).where(deliveries.c.attempts > 0)).all())


def _read(kind: str, body: bytes) -> Sent:
    if kind == "webhook":  # the alert tests' webhooks take our own JSON body
        sent = json.loads(body)
        return Sent(sent["title"], sent["text"], sent["link"], sent["severity"], sent["data"])
    message = email.message_from_bytes(body, policy=email.policy.default)
    text = message.get_body(("plain",)).get_content()
    links = [line for line in text.splitlines() if line.startswith(("http://", "https://"))]
    return Sent(message["Subject"], text, links[-1] if links else None, message[NOTICE_HEADER])

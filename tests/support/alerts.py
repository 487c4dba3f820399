"""Alerts: a recorder of what central.alerts queues through central.deliveries (the real module
when it is there, else a stand-in of its interface), and site files for the alert tests."""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.support.central import HERVANTA_SITE
from tests.support.paths import EXAMPLE_SITE

ALWAYS_OPEN = "\n[opening_hours]\n" + "\n".join(
    f'{day} = ["00:00-24:00"]' for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
)
KALEVA_ALWAYS_OPEN = EXAMPLE_SITE.read_text(encoding="utf-8") + ALWAYS_OPEN
HERVANTA_ALWAYS_OPEN = HERVANTA_SITE + ALWAYS_OPEN


@dataclass
class Queued:
    """What was queued: ("email", to, notice, site_id, about) or ("webhook", url, notice, ...)."""

    items: list[tuple[str, str, Any, str | None, str]] = field(default_factory=list)
    wakes: int = 0

    def emails(self) -> list[tuple[str, Any]]:
        return [(to, notice) for kind, to, notice, _s, _a in self.items if kind == "email"]

    def webhooks(self) -> list[tuple[str, Any]]:
        return [(url, notice) for kind, url, notice, _s, _a in self.items if kind == "webhook"]


def _stand_in() -> types.ModuleType:
    module = types.ModuleType("central.deliveries")

    @dataclass(frozen=True)
    class Notice:
        title: str
        text: str
        facts: tuple[tuple[str, str], ...] = ()
        link: str | None = None
        severity: str = "alert"
        data: dict[str, Any] = field(default_factory=dict)

    module.Notice = Notice  # type: ignore[attr-defined]
    module.console_url = lambda settings, path: "http://central.test" + path  # type: ignore[attr-defined]
    return module


def record_deliveries(monkeypatch: pytest.MonkeyPatch) -> Queued:
    """Every e-mail and webhook central.alerts queues, recorded instead of sent."""
    try:
        import central.deliveries as deliveries
    except ImportError:
        deliveries = _stand_in()
        monkeypatch.setitem(sys.modules, "central.deliveries", deliveries)
    queued = Queued()

    def email(conn, *, to, notice, site_id, about):
        queued.items.append(("email", to, notice, site_id, about))
        return f"d{len(queued.items)}"

    def webhook(conn, *, url, secret, style, notice, site_id, about):
        queued.items.append(("webhook", url, notice, site_id, about))
        return f"d{len(queued.items)}"

    def wake():
        queued.wakes += 1

    monkeypatch.setattr(deliveries, "queue_notice_email", email, raising=False)
    monkeypatch.setattr(deliveries, "queue_webhook", webhook, raising=False)
    monkeypatch.setattr(deliveries, "wake", wake, raising=False)
    return queued

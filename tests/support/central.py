"""The central in-process: sites, enrolment codes, enrolled kiosks, batches, API keys, storage."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from central.access import create_api_key
from central.db import write_transaction
from central.rollups import COUNTS
from central.tables import events, rollups
from sync.protocol import encode_batch
from tests.support.events import feedback
from tests.support.paths import EXAMPLE_SITE

# The console answers in the browser's language (else Finnish); tests read its English msgids.
ENGLISH = {"Accept-Language": "en"}


def add_site(client: TestClient, text: str | None = None) -> None:
    from central.db import in_write_transaction
    from central.site_store import save_site
    from central.sites import parse_site

    definition = parse_site(text or EXAMPLE_SITE.read_text(encoding="utf-8"))
    # The write lock first (as the central's own writes): a deferred read-then-write would fail
    # at once beside a background writer (the delivery worker, the alerts' timer).
    in_write_transaction(client.app.state.engine, lambda conn: save_site(conn, definition))


def make_code(client: TestClient, site: str = "kaleva") -> str:
    from central.enrollment import create_enroll_code

    with write_transaction(client.app.state.engine) as conn:
        return create_enroll_code(conn, site, client.app.state.settings.enroll_code_ttl)


def send(
    client,
    token: str,
    items: list[dict],
    *,
    boot_id: str = "boot-1",
    monotonic_ms: int = 10_000,
    sent_at: datetime | None = None,
):
    body = encode_batch(
        items,
        batch_id=str(uuid.uuid4()),
        sent_at=sent_at or datetime.now(UTC),
        boot_id=boot_id,
        monotonic_ms=monotonic_ms,
    )
    return client.post(
        "/api/v1/events",
        content=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/gzip"},
    )


def stored(client) -> dict[str, dict]:
    with client.app.state.engine.connect() as conn:
        return {row.id: row._asdict() for row in conn.execute(select(events))}


def rollup_total(client) -> int:
    """Every event the hourly rollups count."""
    with client.app.state.engine.connect() as conn:
        row = conn.execute(
            select(*(func.coalesce(func.sum(rollups.c[c]), 0) for c in COUNTS))
        ).one()
    return sum(row)


OTHER_SITE = EXAMPLE_SITE.read_text(encoding="utf-8").replace('id = "kaleva"', 'id = "hervanta"')


def key(client, role: str, sites: list[str]) -> dict[str, str]:
    with write_transaction(client.app.state.engine) as conn:
        value, _ = create_api_key(conn, role, sites)
    return {"Authorization": f"Bearer {value}"}


def at(moment: datetime, monotonic_ms: int = 1, **extra) -> dict:
    # An earlier boot: the central keeps the kiosk's own (plausible) time.
    return feedback(
        boot_id="old-boot", monotonic_ms=monotonic_ms, occurred_at=moment.isoformat(), **extra
    )


def get(client, path: str, headers: dict, **params):
    return client.get(f"/api/v1/reports/{path}", params=params, headers=headers)


HERVANTA_SITE = (
    EXAMPLE_SITE.read_text(encoding="utf-8")
    .replace('id = "kaleva"', 'id = "hervanta"')
    .replace("Kalevan terveysasema", "Hervannan terveysasema")
    .replace("Kalevas hälsostation", "Hervanta hälsostation")
    .replace("Kaleva Health Station", "Hervanta Health Station")
)


def comment_at(hours_ago: float, text: str, **extra) -> dict:
    """A commented rating of an earlier boot (the central keeps its kiosk time)."""
    moment = datetime.now(UTC) - timedelta(hours=hours_ago)
    return feedback(
        boot_id="old-boot", monotonic_ms=1, occurred_at=moment.isoformat(), comment=text, **extra
    )


def ticket(moment: datetime, point: str) -> dict:
    event = {
        k: v for k, v in at(moment).items() if k not in ("rating", "reason", "comment", "misuse")
    }
    return {**event, "type": "checkin", "service_point": point, "ticket": "L001",
            "method": "touch", "printed": True}  # fmt: skip


def ratings(moment: datetime, values: list[int], **extra) -> list[dict]:
    return [
        at(moment + timedelta(minutes=i), monotonic_ms=i + 1, rating=r, **extra)
        for i, r in enumerate(values)
    ]


def enrol(client, site: str, kiosk_id: str = "k") -> str:
    """A kiosk enrolled at the site; its device token."""
    answer = client.post(
        "/api/v1/enroll", json={"code": make_code(client, site), "kiosk_id": kiosk_id}
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["token"]


def accepted(client, token: str, items: list[dict]) -> None:
    answer = send(client, token, items).json()
    assert answer["accepted"] == len(items), answer


def beat(**extra) -> dict:
    now = datetime.now(UTC)
    return {
        "version": "0.1.0",
        "backlog": 3,
        "oldest_pending": now.isoformat(),
        "last_upload": now.isoformat(),
        "quarantined": 0,
        "free_disk_bytes": 10**10,
        "printer": "ok",
        "device_clock": now.isoformat(),
        **extra,
    }

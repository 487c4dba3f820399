"""Events as the kiosk makes them (wire format v1), for the central's and the sync agent's tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime


def feedback(
    rating: int = 4,
    *,
    boot_id: str = "boot-1",
    monotonic_ms: int = 1000,
    occurred_at: str | None = None,
    **extra,
) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "type": "feedback",
        "occurred_at": occurred_at or datetime.now(UTC).isoformat(),
        "boot_id": boot_id,
        "monotonic_ms": monotonic_ms,
        "language": "fi",
        "service_point": None,
        "rating": rating,
        "reason": None,
        "comment": None,
        "misuse": False,
        **extra,
    }

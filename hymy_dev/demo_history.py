"""Six weeks of plausible lobby history for the demo's console, sent to the central through its
real API (POST /api/v1/events with a kiosk's device token), as a kiosk that was online all
along would have sent them: mornings busy at the laboratory, waiting time the usual complaint,
most visitors happy, a few comments.

The same seed gives the same history, so the demo's screenshots look alike from run to run.
"""

from __future__ import annotations

import json
import random
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sync.protocol import encode_batch

HELSINKI = ZoneInfo("Europe/Helsinki")
POINTS = ["laboratorio", "laakarin-vastaanotto", "hoitajan-vastaanotto", "suun-terveydenhuolto"]
PREFIX = {"laboratorio": "L", "laakarin-vastaanotto": "A", "hoitajan-vastaanotto": "H",
          "suun-terveydenhuolto": "S"}  # fmt: skip
COMMENTS = [
    "Jouduin odottamaan laboratoriossa lähes tunnin.",
    "Hoitaja oli todella ystävällinen ja kuunteli.",
    "Ajan saaminen lääkärille kesti liian kauan.",
    "Tack för vänligt bemötande!",
    "Opasteet aulassa olivat selkeät.",
]
BATCH = 500


def _answers(rng: random.Random, base: dict, questions: dict, slow: bool) -> Iterator[dict]:
    """One visitor's answers to the national set `questions` (as a kiosk config has it): the
    recommendation, then the statements until the visitor stops (a few stop early)."""
    visit = str(uuid.uuid4())
    common = {
        **base,
        "type": "response",
        "question_set": questions["id"],
        "set_version": questions.get("version", 1),
        "visit": visit,
        "misuse": False,
    }
    low = slow and rng.random() < 0.5
    value = rng.choice(range(0, 8) if low else range(6, 11))
    yield {**common, "id": str(uuid.uuid4()), "question": questions["recommendation"]["id"],
           "scale": "0-10", "value": value}  # fmt: skip
    statements = [*questions.get("statements", []), *questions.get("own", [])]
    for statement in statements:
        if rng.random() < 0.1:
            return  # "Stop and send", or walked away
        weights = [3, 4, 4, 6, 4] if low else [1, 1, 3, 8, 12]
        answer = None if rng.random() < 0.08 else rng.choices([1, 2, 3, 4, 5], weights)[0]
        yield {**common, "id": str(uuid.uuid4()), "question": statement["id"],
               "scale": "agree-5", "value": answer}  # fmt: skip


def _events(days: int, seed: int, questions: dict | None = None) -> Iterator[dict]:
    """Feedback and check-ins of the last `days` days (opening hours, weekdays only); with the
    national set `questions`, some visitors answer it instead of the smileys (a newer kiosk)."""
    rng = random.Random(seed)
    today = datetime.now(HELSINKI).date()
    for back in range(days, 0, -1):
        day = today - timedelta(days=back)
        if day.weekday() >= 5:
            continue
        for hour in range(7, 17):
            for _ in range(rng.randint(1, 6 if hour < 11 else 3)):
                moment = datetime(day.year, day.month, day.day, hour, rng.randrange(60),
                                  rng.randrange(60), tzinfo=HELSINKI)  # fmt: skip
                point = rng.choice(POINTS)
                base = {
                    "id": str(uuid.uuid4()),
                    "occurred_at": moment.astimezone(UTC).isoformat(),
                    "boot_id": "history",  # an earlier boot: the central keeps its own time
                    "monotonic_ms": 1,
                    "language": rng.choice(["fi"] * 8 + ["sv", "en"]),
                    "service_point": point,
                }
                if rng.random() < 0.5:
                    yield {
                        **base,
                        "type": "checkin",
                        "ticket": f"{PREFIX[point]}{rng.randint(1, 400):03d}",
                        "method": "touch",
                        "printed": True,
                    }
                    continue
                slow = point == "laboratorio" and hour < 10  # the morning queue
                if questions is not None and rng.random() < 0.4:
                    yield from _answers(rng, base, questions, slow)
                    continue
                weights = [3, 4, 8, 10] if slow else [1, 2, 7, 14]
                rating = rng.choices([1, 2, 3, 4], weights)[0]
                reason = None
                if rating <= 2 and rng.random() < 0.7:
                    reason = "waiting-time"
                elif rating >= 3 and rng.random() < 0.4:
                    reason = "friendly-staff"
                yield {
                    **base,
                    "type": "feedback",
                    "rating": rating,
                    "reason": reason,
                    "comment": rng.choice(COMMENTS) if rng.random() < 0.05 else None,
                    "misuse": False,
                }


def send_history(
    central_url: str,
    token: str,
    *,
    days: int = 42,
    seed: int = 2026,
    questions: dict | None = None,
) -> int:
    """Send the history with the kiosk's token (with answers to the site's national set
    `questions`, when it asks one); how many events the central accepted."""
    items = list(_events(days, seed, questions))
    accepted = 0
    for start in range(0, len(items), BATCH):
        body = encode_batch(
            items[start : start + BATCH],
            batch_id=str(uuid.uuid4()),
            sent_at=datetime.now(UTC),
            boot_id="demo-history",
            monotonic_ms=1_000_000,
        )
        request = urllib.request.Request(
            f"{central_url}/api/v1/events",
            data=body,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/gzip"},
        )
        with urllib.request.urlopen(request, timeout=60) as answer:
            accepted += json.load(answer)["accepted"]
    return accepted


def enroll(central_url: str, code: str, kiosk_id: str) -> str:
    """Enrol a kiosk with a one-time code; its device token."""
    request = urllib.request.Request(
        f"{central_url}/api/v1/enroll",
        data=json.dumps({"code": code, "kiosk_id": kiosk_id}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.load(answer)["token"]

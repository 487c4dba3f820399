"""A real central for the browser tests (`hymy-central serve` as a child process, SQLite in a
temporary folder) and kiosks that feed it through the API, as the sync agent does: enrol with a
one-time code, then POST /api/v1/events with the device token. Pages are tested on data that
went through ingest, clock correction and the rollups, not on rows written behind their back.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from hymy_dev.local_central import LocalCentral
from sync.protocol import MAX_EVENTS, encode_batch
from tests.support.paths import EXAMPLE_SITE

SITE = "kaleva"
HELSINKI = ZoneInfo("Europe/Helsinki")
# The example site's service points and their ticket letters.
SERVICE_POINTS = {
    "laboratorio": "L",
    "laakarin-vastaanotto": "A",
    "hoitajan-vastaanotto": "H",
    "suun-terveydenhuolto": "S",
    "neuvola": "N",
}
REASONS = {1: "waiting-time", 2: "waiting-time", 3: "friendly-staff", 4: "friendly-staff"}


class Kiosk:
    """An enrolled kiosk: builds wire events and uploads them with its device token.

    Every event gets the kiosk's outbox id and the next `seq`, as a real outbox numbers them, so
    the central's completeness check sees no gap.
    """

    def __init__(self, central_url: str, enrolled: Mapping[str, Any], kiosk_id: str) -> None:
        self.central_url = central_url
        self.kiosk_id = kiosk_id
        self.device_id: str = enrolled["device_id"]
        self.token: str = enrolled["token"]
        self.site: str = enrolled["site"]
        self.config: dict[str, Any] = enrolled["config"]
        self.outbox_id = str(uuid.uuid4())
        self.seq = 0
        self._tickets: dict[tuple[date, str], int] = {}

    def _common(self, kind: str, at: datetime, language: str, point: str | None) -> dict:
        if at.tzinfo is None:
            raise ValueError(
                "Give event times with a time zone (e.g. ZoneInfo('Europe/Helsinki'))."
            )
        self.seq += 1
        return {
            "id": str(uuid.uuid4()),
            "type": kind,
            "occurred_at": at.isoformat(),
            # A boot other than the uploading batch's: the central keeps the wall-clock time as
            # it is, as for a kiosk that was offline for days and has restarted since.
            "boot_id": f"history-{at.date().isoformat()}",
            "monotonic_ms": 1000 + self.seq,
            "language": language,
            "service_point": point,
            "outbox_id": self.outbox_id,
            "seq": self.seq,
        }

    def feedback(
        self,
        rating: int,
        at: datetime,
        *,
        service_point: str | None = None,
        reason: str | None = None,
        comment: str | None = None,
        language: str = "fi",
        misuse: bool = False,
    ) -> dict[str, Any]:
        """A feedback event (not yet sent)."""
        return {
            **self._common("feedback", at, language, service_point),
            "rating": rating,
            "reason": reason,
            "comment": comment,
            "misuse": misuse,
        }

    def checkin(
        self,
        at: datetime,
        service_point: str,
        *,
        ticket: str | None = None,
        method: str = "touch",
        printed: bool = True,
        language: str = "fi",
    ) -> dict[str, Any]:
        """A check-in event (not yet sent); its ticket runs per local day and service point."""
        if ticket is None:
            key = (at.astimezone(HELSINKI).date(), service_point)
            self._tickets[key] = self._tickets.get(key, 0) + 1
            ticket = f"{SERVICE_POINTS.get(service_point, 'X')}{self._tickets[key]:03d}"
        return {
            **self._common("checkin", at, language, service_point),
            "ticket": ticket,
            "method": method,
            "printed": printed,
        }

    def send(self, events: Iterable[Mapping[str, Any]]) -> dict[str, int | list]:
        """Upload the events (in batches of at most MAX_EVENTS); the summed answers.

        Raises httpx.HTTPStatusError when the central refuses a batch, and AssertionError when
        it rejects or conflicts with an event (the helpers build only valid ones).
        """
        events = list(events)
        total: dict[str, Any] = {"accepted": 0, "duplicates": 0, "conflicts": [], "rejected": []}
        for start in range(0, len(events), MAX_EVENTS):
            body = encode_batch(
                events[start : start + MAX_EVENTS],
                batch_id=str(uuid.uuid4()),
                sent_at=datetime.now(UTC),
                boot_id="upload",
                monotonic_ms=10_000_000,
            )
            answer = httpx.post(
                f"{self.central_url}/api/v1/events",
                content=body,
                headers={
                    "Authorization": f"Bearer {self.token}",
                    "Content-Type": "application/gzip",
                },
                timeout=60,
            ).raise_for_status()
            result = answer.json()
            for key in total:
                total[key] += result[key]
        if total["conflicts"] or total["rejected"]:
            raise AssertionError(f"The central did not take every event: {total}")
        return total


@dataclass
class History:
    """What seed_history sent: every event, so a test can work out the figures a page should
    show (from the same rules: misuse excluded unless asked, at least 5 answers to show one)."""

    days: list[date]
    events: list[dict[str, Any]] = field(default_factory=list)

    def _matches(self, event: Mapping[str, Any], point: str | None, day: date | None) -> bool:
        local_day = datetime.fromisoformat(event["occurred_at"]).astimezone(HELSINKI).date()
        return (point is None or event["service_point"] == point) and (
            day is None or local_day == day
        )

    def ratings(
        self, *, point: str | None = None, day: date | None = None, include_misuse: bool = False
    ) -> list[int]:
        """The ratings of the feedback sent, of one service point and/or local day."""
        return [
            e["rating"]
            for e in self.events
            if e["type"] == "feedback"
            and (include_misuse or not e["misuse"])
            and self._matches(e, point, day)
        ]

    def checkins(self, *, point: str | None = None, day: date | None = None) -> int:
        """How many check-ins were sent, of one service point and/or local day."""
        return sum(
            1 for e in self.events if e["type"] == "checkin" and self._matches(e, point, day)
        )


def seed_history(
    kiosks: list[Kiosk], *, days: int = 14, seed: int = 12, today: date | None = None
) -> History:
    """Send `days` local days of feedback and check-ins (the last of them yesterday, in
    Europe/Helsinki) from the kiosks, between 8 and 16 o'clock, the same each run for one seed.

    Each weekday every service point but `neuvola` gets 6 to 14 ratings and 8 to 20 check-ins
    (weekends a third of that); `neuvola` gets only 3 ratings in all, so a page must hide its
    score (fewer than the site's minimum of 5). The lab's worst day is the first one (mostly 1s
    and 2s), so trends and heatmaps have a shape; one day has a burst of 8 misuse-flagged
    ratings, which reports exclude.
    """
    rng = random.Random(seed)
    today = today or datetime.now(HELSINKI).date()
    history = History(days=[today - timedelta(days=n) for n in range(days, 0, -1)])
    sent: dict[int, list[dict[str, Any]]] = {i: [] for i in range(len(kiosks))}

    def moment(day: date) -> datetime:
        minutes = rng.randrange(8 * 60, 16 * 60)
        local = datetime.combine(day, time(minutes // 60, minutes % 60, rng.randrange(60)))
        return local.replace(tzinfo=HELSINKI)

    for index, day in enumerate(history.days):
        weekend = day.weekday() >= 5
        for point in SERVICE_POINTS:
            if point == "neuvola":
                continue
            ratings = rng.randint(6, 14) // (3 if weekend else 1) or 1
            for _ in range(ratings):
                if point == "laboratorio" and index == 0:
                    rating = rng.choice([1, 1, 2, 2, 3])
                else:
                    rating = rng.choices([1, 2, 3, 4], weights=[1, 2, 4, 5])[0]
                number = rng.randrange(len(kiosks))
                sent[number].append(
                    kiosks[number].feedback(
                        rating,
                        moment(day),
                        service_point=point,
                        reason=REASONS[rating] if rng.random() < 0.4 else None,
                        language=rng.choice(["fi", "fi", "fi", "sv", "en"]),
                    )
                )
            for _ in range(rng.randint(8, 20) // (3 if weekend else 1) or 1):
                number = rng.randrange(len(kiosks))
                sent[number].append(
                    kiosks[number].checkin(
                        moment(day), point, method=rng.choice(["touch", "touch", "barcode"])
                    )
                )
    for rating in (4, 3, 4):
        sent[0].append(
            kiosks[0].feedback(rating, moment(history.days[-2]), service_point="neuvola")
        )
    burst_day = history.days[len(history.days) // 2]
    burst_start = datetime.combine(burst_day, time(12, 0), tzinfo=HELSINKI)
    for second in range(8):
        sent[0].append(
            kiosks[0].feedback(
                1,
                burst_start + timedelta(seconds=second * 2),
                service_point="laboratorio",
                misuse=True,
            )
        )
    for number, events in sent.items():
        kiosks[number].send(events)
        history.events.extend(events)
    return history


class LiveCentral(LocalCentral):
    """`hymy-central serve` on 127.0.0.1 with SQLite in `data_dir` and the example site added;
    `env` reaches the server and its commands (the console's sign-in settings, say)."""

    def __init__(
        self, data_dir: Path, *, env: Mapping[str, str] | None = None, port: int | None = None
    ) -> None:
        super().__init__(data_dir, env=env, port=port)
        self.kiosks: list[Kiosk] = []
        self.history: History | None = None

    def start(self, timeout_s: float = 30.0) -> None:
        """Serve, and add the example site (again after a restart: `site add` of the same file
        changes nothing).

        Raises LocalCentralError when it does not start.
        """
        super().start(timeout_s)
        self.add_site(EXAMPLE_SITE)

    def enrol_kiosk(self, kiosk_id: str | None = None, site: str = SITE) -> Kiosk:
        """A new kiosk of the site, enrolled over the API with a fresh one-time code."""
        kiosk_id = kiosk_id or f"aula-{len(self.kiosks) + 1}"
        answer = httpx.post(
            f"{self.url}/api/v1/enroll",
            json={"code": self.enroll_code(site), "kiosk_id": kiosk_id},
            timeout=30,
        ).raise_for_status()
        kiosk = Kiosk(self.url, answer.json(), kiosk_id)
        self.kiosks.append(kiosk)
        return kiosk

    def seed(self, *, kiosks: int = 2, days: int = 14, seed: int = 12) -> History:
        """Enrol `kiosks` kiosks and send them `days` days of history (seed_history)."""
        enrolled = [self.enrol_kiosk() for _ in range(kiosks)]
        self.history = seed_history(enrolled, days=days, seed=seed)
        return self.history

    def api_key(self, role: str, *sites: str) -> str:
        """A new API key of the role (admin, it, manager), limited to `sites` when given."""
        args = ["api-key", "create", "--role", role]
        for site in sites:
            args += ["--site", site]
        return self.command(*args).split()[0]

    def add_person(self, email: str, role: str, *sites: str, password: str | None = None) -> str:
        """`hymy-central user add`: a person who signs in to the console (with a password when
        given, read from standard input as an IT person would type it)."""
        args = ["user", "add", email, "--role", role]
        for site in sites:
            args += ["--site", site]
        if password is not None:
            args.append("--password-stdin")
        return self.command(*args, stdin=None if password is None else f"{password}\n")

"""Public results: a station's satisfaction score and n over the last 30 days, for a page
without sign-in and a widget that a region's website embeds (central.web.public_page), as
several Finnish regions publish theirs. Only for a site that opted in (`[public] results =
true`); the figures are guarded as the console's are (central.fairness.guard with the site's
minimum): below it, no score and no count.

No personal data and no comments: the score, n, the period and the station's name only.
Figures are cached for CACHE_SECONDS per site, so a busy region's front page costs one report
a minute, not one a visitor; whether the site publishes is read on every request.
"""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection

from central.fairness import guard
from central.overview import local_date
from central.reports import report
from central.site_store import NotFoundError, load_site, site_retired_at
from central.sites import SiteDefinition

PERIOD_DAYS = 30
CACHE_SECONDS = 60.0


class NotPublicError(NotFoundError):
    """No such site, a retired one, or one that has not opted in: all look the same outside."""


def public_period(today: date) -> tuple[date, date]:
    """The last PERIOD_DAYS local days, today included."""
    return today - timedelta(days=PERIOD_DAYS - 1), today


def public_site(conn: Connection, site_id: str) -> SiteDefinition:
    """The site's definition when it publishes its results. Raises NotPublicError otherwise
    (unknown, retired, or not opted in: one error, so the answer never tells them apart)."""
    try:
        definition = load_site(conn, site_id)
        retired = site_retired_at(conn, site_id)
    except NotFoundError:
        raise NotPublicError(site_id) from None
    if retired is not None or not definition.public.results:
        raise NotPublicError(site_id)
    return definition


def public_results(
    conn: Connection, definition: SiteDefinition, today: date | None = None
) -> dict[str, Any]:
    """The site's public figures: {site, name (per language), from, to, days, n, hidden,
    fewer_than, min_answers, score}, score rounded to a whole number (0..100) and None with n
    when fewer answers than the site's minimum (n stays 0 for none at all). Misuse is left out,
    as in every report."""
    first, last = public_period(today or local_date(definition))
    site = definition.site.id
    answer = report(conn, "feedback", [site], first, last, by="month")
    total = answer["total"]
    score = total["score"]
    figures = guard(
        total["n"],
        definition.reports.min_answers,
        {"score": None if score is None else round(score)},
    )
    return {
        "site": site,
        "name": dict(definition.site.name),
        "from": first.isoformat(),
        "to": last.isoformat(),
        "days": PERIOD_DAYS,
        **figures,
    }


class PublicCache:
    """Each site's public figures for CACHE_SECONDS (one per app: the figures of a database)."""

    def __init__(self, seconds: float = CACHE_SECONDS) -> None:
        self.seconds = seconds
        self._lock = threading.Lock()
        self._kept: dict[str, tuple[float, dict[str, Any]]] = {}

    def results(self, conn: Connection, site_id: str) -> dict[str, Any]:
        """The site's public figures, from the cache while fresh. Raises NotPublicError (asked
        each time: a site that stops publishing is gone at once, not after the cache)."""
        site = public_site(conn, site_id)
        now = time.monotonic()
        with self._lock:
            kept = self._kept.get(site_id)
        if kept is not None and now - kept[0] < self.seconds:
            return kept[1]
        answer = public_results(conn, site)
        with self._lock:
            if len(self._kept) > 10_000:  # more than a county has: a scan of made-up ids
                self._kept.clear()
            self._kept[site_id] = (now, answer)
        return answer

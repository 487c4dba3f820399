"""A comparison of units (sites, or the service points of the chosen sites) that is fair to small
ones: each unit's own score beside its score shrunk towards the mean of all the compared answers
(central.fairness), sorted by the shrunk score, with every figure from too few answers hidden.

Why shrink: a unit with 3 answers, all "very happy", would top a table of raw scores; its
shrunk score says how far its answers are evidence of being better than the rest.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date
from math import isfinite
from typing import Any

from sqlalchemy import Connection

from central.downloads import Table
from central.fairness import (
    DEFAULT_PRIOR_STRENGTH,
    FairnessError,
    guard,
    pooled_mean,
    shown_count,
    shrunk_score,
    strictest_minimum,
)
from central.names import service_point_name, site_name
from central.report_math import NO_POINT, Bucket
from central.report_queries import ReportError
from central.reports import report
from central.site_store import load_site

UNITS = ("site", "service-point")


def _rounded(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def comparison(
    conn: Connection,
    sites: list[str],
    first: date,
    last: date,
    *,
    by: str = "site",
    language: str = "fi",
    prior_strength: float = DEFAULT_PRIOR_STRENGTH,
    min_answers: int | None = None,
    include_misuse: bool = False,
) -> dict[str, Any]:
    """Units of the sites' local days first..last, best shrunk score first, hidden ones last.

    Each unit: {site, service_point (None for a site), name, site_name, state (a service
    point's: active, retired or unknown; None for a site), n, hidden, fewer_than, min_answers,
    score, shrunk_score, distribution, positive_share}. `formula` gives m (the mean score of
    every unit's answers together; None when they are fewer than the minimum), k and the
    minimum: the largest of the sites' `min_answers` and the one asked. By service point,
    feedback given without one is in no unit and not in m: `without_service_point` counts it.

    Raises FairnessError for a negative or infinite prior strength or a minimum below 1,
    ReportError for an unknown `by`, and what central.reports.report raises.
    """
    if by not in UNITS:
        raise ReportError(f"Compare by one of {', '.join(UNITS)}, not {by!r}.")
    if isinstance(prior_strength, bool) or not (
        isinstance(prior_strength, int | float) and isfinite(prior_strength) and prior_strength >= 0
    ):
        raise FairnessError(f"prior_strength={prior_strength!r}: give a number of 0 or more.")
    sites = list(dict.fromkeys(sites))
    definitions = {site: load_site(conn, site) for site in sites}
    minimum = strictest_minimum((d.reports.min_answers for d in definitions.values()), min_answers)
    raw: list[dict[str, Any]] = []
    without_point = 0
    for site, definition in definitions.items():
        answer = report(
            conn, "feedback", [site], first, last, by="service-point", include_misuse=include_misuse
        )
        shared = {"site": site, "site_name": site_name(definition, language)}
        if by == "site":
            raw.append(
                {**shared, "service_point": None, "name": shared["site_name"], "state": None,
                 "bucket": answer["total"]}
            )  # fmt: skip
            continue
        for bucket in answer["buckets"]:
            if bucket["bucket"] == NO_POINT:
                without_point += bucket["n"]
                continue
            point = bucket["bucket"]
            raw.append(
                {**shared, "service_point": point,
                 "name": service_point_name(definition, point, language),
                 "state": bucket["state"], "bucket": bucket}
            )  # fmt: skip
    exact = [_exact(unit["bucket"]) for unit in raw]
    mean = pooled_mean((b.score, b.n) for b in exact)
    total_n = sum(b.n for b in exact)
    units = []
    for unit, bucket in zip(raw, exact, strict=True):
        shrunk = None
        if bucket.n and mean is not None and bucket.score is not None:
            shrunk = shrunk_score(bucket.score, bucket.n, mean, prior_strength)
        figures = {
            "score": _rounded(bucket.score),
            "shrunk_score": _rounded(shrunk),
            "distribution": unit["bucket"]["distribution"],
            "positive_share": _rounded(bucket.positive_share, 3),
        }
        shown = {k: v for k, v in unit.items() if k != "bucket"}
        units.append({**shown, **guard(bucket.n, minimum, figures), "_shrunk": shrunk})
    # Hidden units last, by name: their order must say nothing of their scores.
    units.sort(key=lambda u: (u["hidden"], 0.0 if u["hidden"] else -u["_shrunk"], u["name"]))
    for unit in units:
        del unit["_shrunk"]
    region = guard(total_n, minimum, {"m": _rounded(mean)})
    return {
        "by": by,
        "sites": sites,
        "from": first.isoformat(),
        "to": last.isoformat(),
        "language": language,
        "include_misuse": include_misuse,
        "formula": {
            "m": region["m"],
            "k": prior_strength,
            "min_answers": minimum,
            "n": region["n"],
            "fewer_than": region["fewer_than"],
            "hidden": region["hidden"],
        },
        "units": units,
        "without_service_point": without_point if by == "service-point" else None,
    }


def _exact(bucket: dict[str, Any]) -> Bucket:
    """A report bucket's distribution as a Bucket, for scores before rounding."""
    return Bucket(
        "unit", distribution=Counter({int(r): c for r, c in bucket["distribution"].items()})
    )


def comparison_tables(answer: dict[str, Any], gettext: Callable[[str], str] = str) -> list[Table]:
    """The comparison as a table of units (in the answer's order) and a table of the formula's
    pieces. `gettext` translates titles and headings (English msgids)."""
    _ = gettext
    units = Table(
        _("Comparison"),
        [
            _("Site"), _("Service point"), _("Answers"), _("Score"), _("Shrunken score"),
            _("Very unhappy"), _("Unhappy"), _("Happy"), _("Very happy"), _("Positive share"),
        ],
    )  # fmt: skip
    for unit in answer["units"]:
        d = unit["distribution"] or {}
        units.rows.append(
            [
                unit["site_name"],
                unit["name"] if unit["service_point"] else None,
                shown_count(unit),
                unit["score"],
                unit["shrunk_score"],
                d.get("1"),
                d.get("2"),
                d.get("3"),
                d.get("4"),
                unit["positive_share"],
            ]
        )
    formula = answer["formula"]
    pieces = Table(
        _("Formula"),
        [_("Piece"), _("Value")],
        [
            [_("Mean score of all answers (m)"), formula["m"]],
            [_("Prior strength in answers (k)"), formula["k"]],
            [_("Fewest answers shown"), formula["min_answers"]],
        ],
    )
    return [units, pieces]

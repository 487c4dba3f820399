"""Small numbers and fair comparisons (pure, no I/O): the one rule that hides a figure from too
few answers, and the shrinkage that keeps a small unit's lucky or unlucky week from topping or
bottoming a league table.

Small numbers: a score, distribution, share or count of reasons from fewer answers than the
minimum (the site's `[reports] min_answers`, default 5) could point at one visitor, so it is
replaced by None and marked `hidden`. The count itself is given as "fewer than the minimum"
(`n` None, `fewer_than` the minimum) unless it is 0: an empty cell says nothing about anyone.

Shrinkage: shrunk = (n * score + k * m) / (n + k), where m is the mean score of every compared
unit's answers together and k the prior strength (how many answers' worth of weight the mean
gets). A unit with few answers is drawn towards m; one with many keeps nearly its own score.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from central.sites import DEFAULT_MIN_ANSWERS

DEFAULT_PRIOR_STRENGTH = 10


class FairnessError(ValueError):
    """A minimum or prior strength that makes no sense; the message says what to send."""


def check_minimum(minimum: int) -> int:
    """The minimum, or FairnessError when it is below 1 (or not an integer)."""
    if isinstance(minimum, bool) or not isinstance(minimum, int) or minimum < 1:
        raise FairnessError(f"min_answers={minimum!r}: give a whole number of at least 1.")
    return minimum


def strictest_minimum(minimums: Iterable[int], asked: int | None = None) -> int:
    """The minimum for figures drawn from several sites: the largest of theirs, and of `asked`
    when a caller asks for more (a caller can raise the bar, never lower a site's)."""
    values = [check_minimum(m) for m in minimums]
    if asked is not None:
        values.append(check_minimum(asked))
    return max(values, default=DEFAULT_MIN_ANSWERS)


def is_hidden(n: int, minimum: int) -> bool:
    """True when figures from n answers may not be shown."""
    return n < minimum


def guard(n: int, minimum: int, figures: Mapping[str, Any]) -> dict[str, Any]:
    """The figures of n answers as they may be shown: every figure None when n < minimum.

    The answer always has `n` (None when 0 < n < minimum), `hidden`, `fewer_than` (the minimum
    when the count is withheld, else None) and `min_answers`, then the figures' own keys. Every
    page, table and download goes through here, so none can show a small figure by accident.
    """
    check_minimum(minimum)
    hidden = is_hidden(n, minimum)
    withheld = hidden and n > 0
    return {
        "n": None if withheld else n,
        "hidden": hidden,
        "fewer_than": minimum if withheld else None,
        "min_answers": minimum,
        **{key: None if hidden else value for key, value in figures.items()},
    }


def shrunk_score(score: float, n: int, mean: float, prior_strength: float) -> float:
    """(n * score + k * mean) / (n + k): the unit's score drawn towards the mean of all units.

    Raises FairnessError for a negative n or k, or n + k == 0 (nothing to weigh).
    """
    if n < 0 or prior_strength < 0:
        raise FairnessError(
            f"n={n}, k={prior_strength}: answers and prior strength cannot be negative."
        )
    if n + prior_strength == 0:
        raise FairnessError("n + k is 0: a unit without answers needs a prior strength above 0.")
    if n == 0:  # all prior: exactly the mean (a tiny k would lose it to rounding)
        return mean
    return (n * score + prior_strength * mean) / (n + prior_strength)


def pooled_mean(units: Iterable[tuple[float | None, int]]) -> float | None:
    """The mean score of all the units' answers together (each unit weighed by its n), from
    (score, n) pairs; None when there are no answers."""
    total = weight = 0.0
    for score, n in units:
        if n and score is not None:
            total += score * n
            weight += n
    return None if weight == 0 else total / weight


def shown_count(guarded: Mapping[str, Any]) -> int | str:
    """A guarded figure's n for a table cell: the count, or "< minimum" when it is withheld."""
    return f"< {guarded['fewer_than']}" if guarded["fewer_than"] else guarded["n"]

"""The on-screen keyboard's rows for the room there is: a row with more keys than can keep 12 mm
each is split in two (or more) parts of about equal length in the layout's order, so the keys
keep a finger's size in a narrow portrait window too. (A wider key, such as Shift, gives way to
the letters down to the same least width.) Pure: rows of key names in, rows out."""

from __future__ import annotations

import math
from collections.abc import Sequence


def keys_per_row(width: float, key: float, gap: float) -> int:
    """How many keys at least `key` wide, `gap` apart, fit `width` pixels (at least one)."""
    return max(1, math.floor((width + gap) / (key + gap) + 1e-6))


def fit_rows(
    rows: Sequence[Sequence[str]],
    width: float,
    key: float,
    gap: float,
    spare: frozenset[str] = frozenset(),
) -> list[tuple[str, ...]]:
    """`rows` as they fit `width` pixels with keys at least `key` wide, `gap` apart. Where any
    row must be split, the `spare` keys (ones the other layout also has) are left out first,
    then each row too long is cut into the fewest parts of about equal length."""
    most = keys_per_row(width, key, gap)
    if all(len(row) <= most for row in rows):
        return [tuple(row) for row in rows]
    fitted: list[tuple[str, ...]] = []
    for row in rows:
        keys = [k for k in row if k not in spare]
        parts = math.ceil(len(keys) / most)
        size = math.ceil(len(keys) / parts)
        fitted += [tuple(keys[i : i + size]) for i in range(0, len(keys), size)]
    return fitted

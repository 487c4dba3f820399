"""The misuse rules and the bounce filter of the map."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from kiosk.misuse import BounceFilter, MisuseDetector, MisuseRules

DEFAULT_RULES = MisuseRules()


def flags(times: list[float], rules: MisuseRules = DEFAULT_RULES) -> list[bool]:
    detector = MisuseDetector(rules)
    return [detector.observe(t) for t in times]


def test_five_ratings_a_minute_are_fine_the_sixth_is_misuse():
    assert flags([0, 10, 20, 30, 40]) == [False] * 5
    assert flags([0, 10, 20, 30, 40, 50]) == [False] * 5 + [True]


def test_the_rest_is_flagged_until_thirty_seconds_of_quiet():
    times = [0, 1, 2, 3, 4, 5, 100 - 71, 58, 87.9, 117.9, 147.9]
    assert flags(times) == [False] * 5 + [True, True, True, True, False, False]


def test_ratings_spread_over_more_than_a_minute_are_never_misuse():
    assert not any(flags([i * 12.5 for i in range(50)]))


@given(st.lists(st.floats(0.5, 200), min_size=1, max_size=60))
def test_rule_matches_its_definition(gaps):
    rules = MisuseRules()
    times = [sum(gaps[: i + 1]) for i in range(len(gaps))]
    got = flags(times, rules)
    flagging, run_start = False, 0
    for i, t in enumerate(times):
        if i and t - times[i - 1] >= rules.quiet_s:
            flagging, run_start = False, i
        in_window = [u for u in times[run_start : i + 1] if t - u < rules.window_s]
        flagging = flagging or len(in_window) > rules.max_ratings
        assert got[i] == flagging


def test_bounce_on_the_same_control_within_300_ms_is_dropped():
    bounce = BounceFilter(0.3)
    assert bounce.accept("smiley-4", 10.0)
    assert not bounce.accept("smiley-4", 10.1)
    assert not bounce.accept("smiley-4", 10.29)  # measured from the accepted touch
    assert bounce.accept("smiley-4", 10.3)
    assert bounce.accept("smiley-3", 10.31)
    assert bounce.accept("key-a", 10.35, window_s=0.06)
    assert bounce.accept("key-a", 10.45, window_s=0.06)


@given(st.lists(st.floats(0, 2), min_size=1, max_size=30))
def test_accepted_touches_on_one_control_are_at_least_the_window_apart(gaps):
    bounce, now, accepted = BounceFilter(0.3), 0.0, []
    for gap in gaps:
        now += gap
        if bounce.accept("x", now):
            accepted.append(now)
    assert all(b - a >= 0.3 - 1e-9 for a, b in itertools.pairwise(accepted))

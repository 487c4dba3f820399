"""The pure alert rules (central.alert_rules): windows, thresholds, episodes with cool-down and
all-clear, and opening hours in the site's zone across DST changes, with hypothesis."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from central.alert_rules import (
    CLEAR,
    OPEN,
    Condition,
    Episode,
    Rating,
    Rule,
    RuleError,
    WeeklyHours,
    backlog,
    decide,
    default_rules,
    parse_range,
    printer,
    quiet,
    refused,
    unhappy,
)

HELSINKI = ZoneInfo("Europe/Helsinki")
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
# Europe/Helsinki's changes in 2026: the last Sunday of March (03:00 -> 04:00, at 01:00 UTC)
# and of October (04:00 -> 03:00, at 01:00 UTC).
SPRING = datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
AUTUMN = datetime(2026, 10, 25, 1, 0, tzinfo=UTC)
OFFICE = WeeklyHours.of({d: ["08:00-16:00"] for d in ("mon", "tue", "wed", "thu", "fri")})
ALWAYS = WeeklyHours.of(
    {d: ["00:00-24:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
)


ratings_in_window = st.lists(
    st.tuples(st.integers(0, 30 * 60 - 1), st.integers(1, 4), st.booleans()), max_size=40
)


@given(ratings_in_window, st.integers(1, 100), st.integers(1, 60), st.integers(1, 10))
def test_unhappy_counts_the_window_without_misuse(raw, percent, window, min_n) -> None:
    rule = Rule("unhappy", params={"share_percent": percent, "window_minutes": window,
                                   "min_answers": min_n})  # fmt: skip
    ratings = [Rating(NOW - timedelta(seconds=age), r, m) for age, r, m in raw]
    got = unhappy(ratings, NOW, rule)
    inside = [r for age, r, m in raw if age < window * 60 and not m]
    low = sum(1 for r in inside if r <= 2)
    assert got.facts["answers"] == len(inside)
    assert got.facts["unhappy"] == low
    expected = len(inside) >= min_n and low / len(inside) >= percent / 100 - 1e-12
    assert got.active == expected


def test_unhappy_default_is_half_of_four_in_fifteen_minutes() -> None:
    rule = default_rules()["unhappy"]
    at = [NOW - timedelta(minutes=m) for m in (1, 2, 3, 4)]
    assert unhappy([Rating(t, r) for t, r in zip(at, (1, 2, 3, 4), strict=True)], NOW, rule).active
    assert not unhappy(
        [Rating(t, r) for t, r in zip(at, (1, 3, 3, 4), strict=True)], NOW, rule
    ).active
    three = [Rating(t, 1) for t in at[:3]]
    assert not unhappy(three, NOW, rule).active  # n < 4
    misuse = [*three, Rating(at[3], 1, misuse=True)]
    assert not unhappy(misuse, NOW, rule).active  # misuse is left out
    old = [*three, Rating(NOW - timedelta(minutes=15), 1)]
    assert not unhappy(old, NOW, rule).active  # 15 minutes ago is outside (now - 15 min, now]


def test_rule_parameters_are_checked() -> None:
    with pytest.raises(RuleError, match="share_percent must be a whole number from 1 to 100"):
        Rule("unhappy", params={"share_percent": 0})
    with pytest.raises(RuleError, match="not a kind of alert"):
        Rule("loud")
    assert Rule("quiet", params={"unknown": 3}).params == {
        "quiet_minutes": 30,
        "cooldown_minutes": 30,
    }


# --- episodes: once per episode, cool-down, all-clear ---


@settings(max_examples=200)
@given(st.lists(st.booleans(), min_size=1, max_size=80), st.integers(0, 20))
def test_episodes_fire_once_then_clear_and_cool_down(conditions, cooldown_steps) -> None:
    """Run the decisions over a sequence of evaluations a minute apart, as central.alerts keeps
    its state, and check every rule of an episode against the sequence."""
    cooldown = timedelta(minutes=cooldown_steps)
    episode = Episode()
    opened, cleared = [], []
    for step, active in enumerate(conditions):
        now = NOW + timedelta(minutes=step)
        verdict = decide(episode, Condition(active), now, cooldown)
        if verdict == OPEN:
            opened.append(step)
            episode = Episode(open_since=now, last_cleared=episode.last_cleared)
        elif verdict == CLEAR:
            cleared.append(step)
            episode = Episode(open_since=None, last_cleared=now)
        # never an alert while one is open, never an all-clear without one
        assert verdict != OPEN or active
        assert verdict != CLEAR or not active
    # opens and clears alternate, starting with an open
    events = sorted([(s, "o") for s in opened] + [(s, "c") for s in cleared])
    assert [kind for _, kind in events] == ["o", "c"] * (len(events) // 2) + ["o"] * (
        len(events) % 2
    )
    for clear_step, next_open in zip(cleared, opened[1:], strict=False):
        assert next_open - clear_step >= cooldown_steps  # the cool-down holds
    for step, active in enumerate(conditions):  # an active condition is alerted unless cooling
        if active and step not in opened:
            open_before = [o for o in opened if o < step]
            clear_before = [c for c in cleared if c < step]
            still_open = len(open_before) > len(clear_before)
            assert still_open or (clear_before and step - clear_before[-1] < cooldown_steps)


def test_an_episode_clears_when_the_condition_ends() -> None:
    open_one = Episode(open_since=NOW - timedelta(minutes=5))
    assert decide(open_one, Condition(True), NOW, timedelta(minutes=30)) is None
    assert decide(open_one, Condition(False), NOW, timedelta(minutes=30)) == CLEAR
    cooling = Episode(last_cleared=NOW - timedelta(minutes=29))
    assert decide(cooling, Condition(True), NOW, timedelta(minutes=30)) is None
    assert (
        decide(cooling, Condition(True), NOW + timedelta(minutes=1), timedelta(minutes=30)) == OPEN
    )


# --- the kiosk's conditions ---


def test_printer_backlog_and_refused_from_the_heartbeat() -> None:
    assert printer({"printer": "paper_out"}).active
    assert printer({"printer": "offline"}).active
    assert not printer({"printer": "ok"}).active and not printer(None).active
    rule = default_rules()["backlog"]
    beat = {"backlog": 40, "oldest_pending": (NOW - timedelta(minutes=61)).isoformat()}
    got = backlog(beat, NOW, 0, rule)
    assert got.active and got.facts["backlog"] == 40 and got.facts["oldest_minutes"] == 61
    beat["oldest_pending"] = (NOW - timedelta(minutes=10)).isoformat()
    assert not backlog(beat, NOW, 0, rule).active
    assert backlog(beat, NOW, 7, rule).facts["missing"] == 7 and backlog(beat, NOW, 7, rule).active
    refusal = {"status": 422, "error": "bad envelope", "at": NOW.isoformat(), "events": 12}
    assert refused({"refused": refusal}).facts["waiting"] == 12
    assert refused({"quarantined": 3}).active and not refused({"quarantined": 0}).active


def test_quiet_counts_only_opening_hours() -> None:
    rule = default_rules()["quiet"]
    thursday_8_05 = datetime(2026, 12, 3, 8, 5, tzinfo=HELSINKI)
    evening = datetime(2026, 12, 2, 17, 0, tzinfo=HELSINKI)  # heard last at 17:00 yesterday
    got = quiet(evening, thursday_8_05, OFFICE, HELSINKI, rule)
    assert not got.active and got.facts["silent_open_minutes"] == 5
    assert quiet(evening, thursday_8_05 + timedelta(minutes=25), OFFICE, HELSINKI, rule).active
    saturday = datetime(2026, 12, 5, 12, 0, tzinfo=HELSINKI)
    friday_17 = datetime(2026, 12, 4, 17, 0, tzinfo=HELSINKI)
    assert not quiet(friday_17, saturday, OFFICE, HELSINKI, rule).active  # closed at weekends


# --- opening hours across DST ---

hour_ranges = st.lists(
    st.tuples(st.integers(0, 24 * 60 - 1), st.integers(1, 24 * 60))
    .map(lambda t: (min(t), max(t)) if t[0] != t[1] else (t[0], t[0] + 1))
    .filter(lambda t: t[1] <= 24 * 60),
    max_size=3,
)


def _hours(day_ranges: list[list[tuple[int, int]]]) -> WeeklyHours:
    days = []
    for spans in day_ranges:  # merge overlaps: the model refuses them
        merged: list[tuple[int, int]] = []
        for s, e in sorted(spans):
            if merged and s <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
            else:
                merged.append((s, e))
        days.append(tuple(merged))
    return WeeklyHours(tuple(days))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(hour_ranges, min_size=7, max_size=7),
    st.sampled_from([SPRING, AUTUMN, NOW]),
    st.integers(-36 * 60, 12 * 60),
    st.integers(1, 36 * 60),
)
def test_open_time_is_the_minutes_the_wall_clock_shows_open(
    days, change, start_min, length
) -> None:
    """Exact against a minute-by-minute walk of the site's wall clock, around both DST changes."""
    hours = _hours(days)
    start = change + timedelta(minutes=start_min)
    end = start + timedelta(minutes=length)
    walked = sum(1 for m in range(length) if hours.is_open(start + timedelta(minutes=m), HELSINKI))
    assert hours.open_time(start, end, HELSINKI) == timedelta(minutes=walked)


def test_a_day_open_around_the_clock_has_23_and_25_hours_at_the_changes() -> None:
    def day(y: int, m: int, d: int) -> tuple[datetime, datetime]:
        first = datetime(y, m, d, tzinfo=HELSINKI)
        return first, datetime.combine(first.date() + timedelta(days=1), first.time(), HELSINKI)

    assert ALWAYS.open_time(*day(2026, 3, 29), HELSINKI) == timedelta(hours=23)
    assert ALWAYS.open_time(*day(2026, 10, 25), HELSINKI) == timedelta(hours=25)
    assert ALWAYS.open_time(*day(2026, 12, 3), HELSINKI) == timedelta(hours=24)


def test_office_hours_keep_their_wall_clock_across_the_change() -> None:
    # Monday after the spring change opens at 08:00 EEST = 05:00 UTC (06:00 UTC the week before)
    assert OFFICE.is_open(datetime(2026, 3, 30, 5, 0, tzinfo=UTC), HELSINKI)
    assert not OFFICE.is_open(datetime(2026, 3, 23, 5, 0, tzinfo=UTC), HELSINKI)
    assert OFFICE.is_open(datetime(2026, 3, 23, 6, 0, tzinfo=UTC), HELSINKI)


def test_opening_ranges_are_checked() -> None:
    assert parse_range("08:00-16:00") == (480, 960)
    assert parse_range("00:00-24:00") == (0, 1440)
    for bad in ("16:00-08:00", "8-16", "08:00-24:30", "08:60-09:00"):
        with pytest.raises(RuleError, match="write it like 08:00-16:00"):
            parse_range(bad)
    with pytest.raises(RuleError, match="overlap"):
        WeeklyHours.of({"mon": ["08:00-12:00", "11:00-16:00"]})


def test_opening_hours_in_the_site_file_round_trip() -> None:
    from central.sites import OpeningHours, SiteError, parse_site, site_toml
    from tests.support.paths import EXAMPLE_SITE

    plain = parse_site(EXAMPLE_SITE.read_text(encoding="utf-8"))
    assert plain.opening_hours == OpeningHours()  # existing site files stay valid
    assert "[opening_hours]" not in site_toml(plain)  # the default is not written out
    text = (
        EXAMPLE_SITE.read_text(encoding="utf-8")
        + '\n[opening_hours]\nwed = ["08:00-12:00", "13:00-18:00"]\n'
    )
    changed = parse_site(text)
    assert changed.opening_hours.weekly.as_mapping()["wed"] == ["08:00-12:00", "13:00-18:00"]
    assert changed.opening_hours.mon == ["08:00-16:00"]  # days left out keep the default
    assert parse_site(site_toml(changed)) == changed
    with pytest.raises(SiteError, match="write it like 08:00-16:00"):
        parse_site(EXAMPLE_SITE.read_text(encoding="utf-8") + '\n[opening_hours]\nmon = ["8-16"]\n')

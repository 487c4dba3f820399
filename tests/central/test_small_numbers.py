"""The small-number rule and the shrinkage (pure), display names, and the site's `[reports]
min_answers`."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from central.fairness import (
    FairnessError,
    guard,
    pooled_mean,
    shown_count,
    shrunk_score,
    strictest_minimum,
)
from central.names import display_name, reason_name, service_point_name, site_name
from central.site_changes import site_changes
from central.sites import SiteError, kiosk_config, parse_site, site_toml
from tests.support.paths import EXAMPLE_SITE

scores = st.floats(min_value=0, max_value=100)
answers = st.integers(min_value=0, max_value=100_000)
strengths = st.floats(min_value=0, max_value=1000)


@given(scores, st.integers(min_value=1, max_value=100_000), scores, strengths)
def test_a_shrunk_score_lies_between_the_score_and_the_mean(score, n, mean, k):
    shrunk = shrunk_score(score, n, mean, k)
    low, high = min(score, mean), max(score, mean)
    assert low - 1e-9 <= shrunk <= high + 1e-9


@given(scores, st.integers(min_value=1, max_value=10_000), scores, strengths)
def test_more_answers_come_closer_to_the_raw_score(score, n, mean, k):
    fewer = shrunk_score(score, n, mean, k)
    more = shrunk_score(score, n + 1, mean, k)
    assert abs(more - score) <= abs(fewer - score) + 1e-9


@given(scores, st.integers(min_value=1, max_value=100_000), scores)
def test_without_a_prior_the_shrunk_score_is_the_raw_score(score, n, mean):
    assert shrunk_score(score, n, mean, 0) == pytest.approx(score)


@given(scores, scores, strengths)
def test_a_unit_without_answers_is_the_mean(score, mean, k):
    assume(k > 0)
    assert shrunk_score(score, 0, mean, k) == pytest.approx(mean)


def test_shrinkage_refuses_what_it_cannot_weigh():
    with pytest.raises(FairnessError):
        shrunk_score(50, 0, 50, 0)
    with pytest.raises(FairnessError):
        shrunk_score(50, -1, 50, 10)
    with pytest.raises(FairnessError):
        shrunk_score(50, 1, 50, -1)


@given(answers, st.integers(min_value=1, max_value=50))
def test_no_figure_from_fewer_answers_than_the_minimum_is_shown(n, minimum):
    shown = guard(n, minimum, {"score": 55.5, "distribution": {"1": n}})
    assert shown["hidden"] == (n < minimum) and shown["min_answers"] == minimum
    if n < minimum:
        assert shown["score"] is None and shown["distribution"] is None
        assert shown["n"] == (0 if n == 0 else None)
        assert shown["fewer_than"] == (None if n == 0 else minimum)
    else:
        assert shown["score"] == 55.5 and shown["n"] == n and shown["fewer_than"] is None


def test_the_count_of_a_withheld_figure_reads_fewer_than_the_minimum():
    assert shown_count(guard(3, 5, {})) == "< 5"
    assert shown_count(guard(0, 5, {})) == 0
    assert shown_count(guard(7, 5, {})) == 7
    with pytest.raises(FairnessError):
        guard(3, 0, {})


def test_several_sites_use_the_largest_minimum_and_a_caller_can_only_raise_it():
    assert strictest_minimum([5, 8, 3]) == 8
    assert strictest_minimum([5], 3) == 5
    assert strictest_minimum([5], 12) == 12
    assert strictest_minimum([]) == 5
    with pytest.raises(FairnessError):
        strictest_minimum([5], 0)


def test_the_pooled_mean_weighs_each_unit_by_its_answers():
    assert pooled_mean([(100.0, 3), (0.0, 1)]) == pytest.approx(75.0)
    assert pooled_mean([(None, 0), (50.0, 0)]) is None


def test_names_fall_back_to_finnish_then_any_name_then_the_id():
    names = {"fi": "Laboratorio", "sv": "Laboratoriet", "en": "Laboratory"}
    assert display_name(names, "sv", "lab") == "Laboratoriet"
    assert display_name(names, "de", "lab") == "Laboratorio"
    assert display_name({"en": "Laboratory"}, "sv", "lab") == "Laboratory"
    assert display_name(None, "sv", "lab") == "lab"
    definition = parse_site(EXAMPLE_SITE.read_text(encoding="utf-8"))
    assert site_name(definition, "en") == "Kaleva Health Station"
    assert service_point_name(definition, "neuvola", "sv") == "Rådgivningen"
    assert service_point_name(definition, "gone", "sv") == "gone"
    assert reason_name({"kaleva": definition}, "waiting-time", "sv") == "Väntetiden"


def with_minimum(value: str) -> str:
    return EXAMPLE_SITE.read_text(encoding="utf-8") + f"\n[reports]\nmin_answers = {value}\n"


def test_a_site_sets_its_minimum_under_reports_and_kiosks_never_get_it():
    default = parse_site(EXAMPLE_SITE.read_text(encoding="utf-8"))
    assert default.reports.min_answers == 5
    strict = parse_site(with_minimum("8"))
    assert strict.reports.min_answers == 8
    assert parse_site(site_toml(strict)) == strict
    assert "reports min_answers: 5 -> 8" in site_changes(default, strict)
    config = kiosk_config(strict, kiosk_id="aula-1", slot=0)
    assert "reports" not in config and "min_answers" not in str(config)
    for wrong in ("0", '"five"', "-3"):
        with pytest.raises(SiteError, match=r"reports\.min_answers"):
            parse_site(with_minimum(wrong))
    with pytest.raises(SiteError, match=r"reports\.minimum"):
        parse_site(with_minimum("5").replace("min_answers", "minimum"))

"""The national model's figures (hymy_domain.national): NPS and agreement, with hypothesis,
including empty sets, "I cannot say" and every scale; and the answer values each scale takes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hymy_domain.national import (
    COMMENT_SCALE,
    RECOMMEND_SCALE,
    agreement,
    agreement_scale,
    agreement_steps,
    nps,
    value_problem,
)

recommendations = st.lists(st.integers(0, 10), max_size=60)


@given(recommendations)
def test_nps_is_promoters_minus_detractors_in_percent(values: list[int]) -> None:
    found = nps(values)
    assert found.n == len(values) == sum(found.distribution)
    assert found.promoters == sum(v >= 9 for v in values)
    assert found.detractors == sum(v <= 6 for v in values)
    assert found.passives == sum(v in (7, 8) for v in values)
    if not values:
        assert found.nps is None
        return
    exact = 100 * (found.promoters - found.detractors) / len(values)
    assert -100 <= found.nps <= 100 and abs(found.nps - exact) <= 0.05 + 1e-9
    assert (found.nps > 0) == (found.promoters > found.detractors)


@given(recommendations, st.integers(0, 10))
def test_one_more_promoter_never_lowers_the_nps(values: list[int], value: int) -> None:
    before, after = nps(values), nps([*values, 10])
    assert before.nps is None or after.nps >= before.nps
    worse = nps([*values, 0])
    assert before.nps is None or worse.nps <= before.nps


def test_nps_of_known_answers() -> None:
    assert nps([10, 9, 8, 7, 6, 0]).nps == 0.0
    assert nps([10, 10, 10]).nps == 100.0 and nps([0, 6]).nps == -100.0
    assert nps([9, 9, 7]).nps == 66.7  # 2/3 promoters, rounded to one decimal
    with pytest.raises(ValueError, match=r"0\.\.10"):
        nps([11])


@given(st.integers(3, 7).flatmap(lambda s: st.tuples(st.just(s), st.lists(
    st.one_of(st.none(), st.integers(1, s)), max_size=50))))  # fmt: skip
def test_agreement_counts_a_stand_apart_from_cannot_say(case) -> None:
    steps, values = case
    found = agreement(values, steps)
    stands = [v for v in values if v is not None]
    assert found.cannot_say == values.count(None) and found.n == len(stands)
    assert sum(found.distribution) == found.n and len(found.distribution) == steps
    if not stands:
        assert found.mean is None and found.agree_share is None
        return
    assert 1 <= found.mean <= steps
    assert abs(found.mean - sum(stands) / len(stands)) <= 0.005
    agree = sum(v > (steps + 1) / 2 for v in stands) / len(stands)
    assert abs(found.agree_share - agree) <= 0.0005
    assert found.agree_share + found.disagree_share <= 1.0005


def test_agreement_of_known_answers_and_the_middle_step() -> None:
    found = agreement([5, 4, 3, 2, None, None], 5)
    assert (found.n, found.cannot_say, found.mean) == (4, 2, 3.5)
    assert (found.agree_share, found.disagree_share) == (0.5, 0.25)  # 3 is neither
    assert agreement([2, 3], 4).agree_share == 0.5  # an even scale has no middle step
    assert agreement([None, None]).n == 0 and agreement([]).mean is None
    with pytest.raises(ValueError, match=r"1\.\.5"):
        agreement([6])
    with pytest.raises(ValueError, match="3 to 7"):
        agreement([1], 2)


def test_each_scale_takes_its_own_values() -> None:
    assert agreement_scale(5) == "agree-5" and agreement_steps("agree-5") == 5
    assert agreement_steps(RECOMMEND_SCALE) is None
    assert value_problem(RECOMMEND_SCALE, 0) is None and value_problem(RECOMMEND_SCALE, 10) is None
    assert "0 to 10" in value_problem(RECOMMEND_SCALE, 11)
    assert "0 to 10" in value_problem(RECOMMEND_SCALE, None)
    assert value_problem("agree-5", None) is None  # I cannot say
    assert "cannot say" in value_problem("agree-5", None, cannot_say=False)
    assert "1 to 4" in value_problem("agree-4", 5) and value_problem("agree-4", 0)
    assert value_problem(COMMENT_SCALE, None) is None and value_problem(COMMENT_SCALE, 1)
    assert "unknown scale" in value_problem("stars-5", 3)
    with pytest.raises(ValueError):
        agreement_scale(8)

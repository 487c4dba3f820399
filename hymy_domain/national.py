"""The national feedback model's scales and figures (pure: the kiosk, the sync agent's wire
format and the central's reports share them).

THL's national model for customer feedback in social and health services asks a
recommendation question on the NPS scale 0-10, then statements answered on an agreement scale
(five steps and "I cannot say" by default). Hymy keeps its four smileys as the default question
set (`smileys`) and offers this one (`national`) per site.

- Scales on the wire (`response` events, sync.protocol): `RECOMMEND_SCALE` ("0-10", a whole
  number 0..10), and `agreement_scale(steps)` ("agree-5": 1 = fully disagree .. 5 = fully
  agree); "I cannot say" is the value None, only on an agreement scale that offers it.
- NPS = % promoters (9-10) - % detractors (0-6), -100..100, always with n (`nps`).
- A statement's figures: n who took a stand, how many could not say, the mean step, the share
  who agree (the steps above the middle) and the distribution (`agreement`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

QuestionSetName = Literal["smileys", "national"]  # a site's choice; smileys is the default
RECOMMEND_SCALE = "0-10"
RECOMMEND_VALUES = range(0, 11)
PROMOTERS = range(9, 11)
DETRACTORS = range(0, 7)
AGREEMENT_STEPS = range(3, 8)  # an agreement scale has 3 to 7 steps; 5 by default
DEFAULT_AGREEMENT_STEPS = 5
COMMENT_SCALE = "comment"  # the set's free comment: no value, a text
COMMENT_QUESTION = "comment"  # the question id the kiosk sends the free comment under
MAX_STATEMENTS = 7  # the national model's basic statements at most
_AGREE = re.compile(r"agree-([3-7])")
_LANGUAGE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{1,8})*")  # fi, sv, se, smn, fi-x-easy


def agreement_scale(steps: int) -> str:
    """The wire name of an agreement scale of `steps` steps ("agree-5")."""
    if steps not in AGREEMENT_STEPS:
        raise ValueError(f"an agreement scale has 3 to 7 steps, not {steps}")
    return f"agree-{steps}"


def agreement_steps(scale: str) -> int | None:
    """The steps of an agreement scale's wire name; None for another scale."""
    found = _AGREE.fullmatch(scale)
    return int(found.group(1)) if found else None


def value_problem(scale: str, value: int | None, cannot_say: bool = True) -> str | None:
    """What is wrong with an answer's value on its scale, in words; None when it is one the
    scale has (None: "I cannot say", on an agreement scale that offers it)."""
    if scale == RECOMMEND_SCALE:
        if value is None or value not in RECOMMEND_VALUES:
            return "a recommendation is a whole number from 0 to 10"
        return None
    steps = agreement_steps(scale)
    if steps is not None:
        if value is None:
            return None if cannot_say else "this agreement scale has no 'I cannot say'"
        if not 1 <= value <= steps:
            return f"an answer on {scale} is a whole number from 1 to {steps}, or null"
        return None
    if scale == COMMENT_SCALE:
        return None if value is None else "a comment has no value: send null"
    return f"unknown scale {scale!r}: one of 0-10, agree-3 .. agree-7, comment"


def question_set_problems(
    ids: Sequence[str],
    steps: int,
    labels: Mapping[str, Sequence[str]] | None,
    languages: Iterable[str],
) -> list[str]:
    """What keeps a national set from being asked, in words (empty when nothing): `ids` are its
    questions' in the order asked, `steps` its agreement scale's, `labels` the steps' names per
    language (None: the kiosk's own words for five steps) and `languages` those its texts are
    written in. Every question has its own id, never COMMENT_QUESTION (the free comment's); a
    scale of other than five steps names its steps in each of those languages; labels are given
    only for languages, each step named."""
    problems = []
    doubled = sorted({i for i in ids if list(ids).count(i) > 1})
    if doubled:
        problems.append(f"every question has its own id; twice: {', '.join(doubled)}")
    if COMMENT_QUESTION in ids:
        problems.append(
            f"the id {COMMENT_QUESTION!r} is the free comment's: give the question another id"
        )
    written = sorted(set(languages))
    for language, names in (labels or {}).items():
        if not _LANGUAGE.fullmatch(language):
            problems.append(
                f"labels.{language}: the labels are keyed by language code (fi, sv, en), "
                f"not {language!r}"
            )
        elif len(names) != steps or not all(isinstance(n, str) and n.strip() for n in names):
            problems.append(
                f"labels.{language} names each of the {steps} steps, from disagree to agree"
            )
    if steps != DEFAULT_AGREEMENT_STEPS:
        unnamed = [language for language in written if language not in (labels or {})]
        if unnamed:
            problems.append(
                f"a scale of {steps} steps needs its labels in each language of the "
                f"questions: add labels.{', labels.'.join(unnamed)}"
            )
    return problems


@dataclass(frozen=True)
class Recommendation:
    """A recommendation question's figures: n answers, the three groups, the NPS (None when
    nobody answered) and how many gave each value 0..10."""

    n: int
    promoters: int
    passives: int
    detractors: int
    nps: float | None
    distribution: tuple[int, ...]  # index = value 0..10


def nps(values: Iterable[int]) -> Recommendation:
    """The NPS of answers 0..10: % promoters (9-10) minus % detractors (0-6), rounded to one
    decimal. Raises ValueError for a value outside 0..10."""
    counts = Counter(values)
    wrong = sorted(v for v in counts if v not in RECOMMEND_VALUES)
    if wrong:
        raise ValueError(f"recommendations are 0..10, not {wrong}")
    n = sum(counts.values())
    promoters = sum(counts[v] for v in PROMOTERS)
    detractors = sum(counts[v] for v in DETRACTORS)
    score = round(100 * (promoters - detractors) / n, 1) if n else None
    return Recommendation(
        n=n,
        promoters=promoters,
        passives=n - promoters - detractors,
        detractors=detractors,
        nps=score,
        distribution=tuple(counts[v] for v in RECOMMEND_VALUES),
    )


@dataclass(frozen=True)
class Agreement:
    """A statement's figures on an agreement scale of `steps` steps: n who took a stand (the
    mean and shares are of these), how many could not say, the mean step, the share agreeing
    (steps above the middle) and disagreeing (below it), and each step's count."""

    steps: int
    n: int
    cannot_say: int
    mean: float | None
    agree_share: float | None
    disagree_share: float | None
    distribution: tuple[int, ...]  # index = step - 1


def agreement(values: Iterable[int | None], steps: int = DEFAULT_AGREEMENT_STEPS) -> Agreement:
    """A statement's figures from its answers (None: "I cannot say"). Raises ValueError for a
    step outside 1..steps."""
    if steps not in AGREEMENT_STEPS:
        raise ValueError(f"an agreement scale has 3 to 7 steps, not {steps}")
    counts = Counter(values)
    cannot_say = counts.pop(None, 0)
    wrong = sorted(v for v in counts if not 1 <= v <= steps)
    if wrong:
        raise ValueError(f"answers on a {steps}-step scale are 1..{steps} or None, not {wrong}")
    n = sum(counts.values())
    middle = (steps + 1) / 2
    agree = sum(c for v, c in counts.items() if v > middle)
    disagree = sum(c for v, c in counts.items() if v < middle)
    return Agreement(
        steps=steps,
        n=n,
        cannot_say=cannot_say,
        mean=round(sum(v * c for v, c in counts.items()) / n, 2) if n else None,
        agree_share=round(agree / n, 3) if n else None,
        disagree_share=round(disagree / n, 3) if n else None,
        distribution=tuple(counts[v] for v in range(1, steps + 1)),
    )

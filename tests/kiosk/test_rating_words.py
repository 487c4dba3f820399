"""kiosk.rating_words: the question and the four answers, answered in each language's words."""

from __future__ import annotations

import pytest

from kiosk.i18n import Catalogs
from kiosk.rating_words import QUESTION, RATING_ORDER, RATING_WORDS, rating_word

EXPECTED = {
    "en": ("How did your visit go?", ["Very good", "Good", "Poor", "Very poor"]),
    "fi": ("Miten käyntisi sujui?", ["Erittäin hyvin", "Hyvin", "Huonosti", "Erittäin huonosti"]),
    "sv": ("Hur gick ditt besök?", ["Mycket bra", "Bra", "Dåligt", "Mycket dåligt"]),
}


@pytest.fixture(scope="module")
def catalogs() -> Catalogs:
    return Catalogs(["fi", "sv", "en"])


@pytest.mark.parametrize("language", sorted(EXPECTED))
def test_the_answers_answer_the_question(catalogs: Catalogs, language: str) -> None:
    question, words = EXPECTED[language]
    assert catalogs.gettext(language, QUESTION) == question
    assert [catalogs.gettext(language, rating_word(r)) for r in RATING_ORDER] == words


def test_every_rating_has_one_answer_best_first() -> None:
    assert RATING_ORDER == (4, 3, 2, 1)
    assert sorted(RATING_WORDS) == [1, 2, 3, 4]
    assert len(set(RATING_WORDS.values())) == 4


def test_there_is_no_answer_for_a_rating_that_does_not_exist() -> None:
    with pytest.raises(KeyError):
        rating_word(5)

"""The national question set on the kiosk without Kivy: the journey through the recommendation
and the statements, each answer stored in a real outbox as its own `response` (one visit id),
what a visitor who stops, goes back or walks away leaves, and the config's checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import ConfigError, validate_config
from kiosk.journey import JourneyError, Step
from kiosk.outbox import Outbox
from sync.protocol import QuestionSetKeys, parse_event
from tests.support.kiosk_session import running_session, settle
from tests.support.national import national_config, national_questions

STATEMENTS = ["kohtelu", "sain-apua", "ymmarrettava-tieto", "vaikuttaminen", "odotus", "opasteet"]


@pytest.fixture
def national(tmp_path: Path):
    with running_session(national_config(), tmp_path) as running:
        yield running


def stored(outbox: Outbox) -> list[dict]:
    return [event.payload for event in outbox.pending()]


def test_a_whole_visit_is_one_response_per_answer_with_one_visit_id(national) -> None:
    session, outbox, clock, ui = national
    session.start_feedback()
    assert session.view.step is Step.RECOMMEND
    question = session.view.question
    assert question.number == 1 and question.count == 7 and question.scale == "0-10"
    assert question.low == "Erittäin epätodennäköisesti" and question.text.startswith("Kuinka")
    session.answer(9)
    for value in (5, 4, None, 2, 1, 3):
        assert session.view.step is Step.STATEMENT and session.view.question.scale == "agree-5"
        clock.now += 2
        session.answer(value)
    assert session.view.step is Step.COMMENT
    session.submit_comment("Soittakaa 040 123 4567, kiitos")
    settle(session, ui)
    events = stored(outbox)
    assert [(e["question"], e["value"]) for e in events] == [
        ("suosittelu", 9),
        *zip(STATEMENTS, [5, 4, None, 2, 1, 3], strict=True),
        ("comment", None),
    ]
    assert {e["visit"] for e in events} == {events[0]["visit"]}
    assert {(e["question_set"], e["set_version"]) for e in events} == {("kansallinen", 1)}
    assert "040" not in events[-1]["comment"] and events[-1]["scale"] == "comment"
    for event in events:
        parse_event(event)  # each one the wire format takes as it is
    assert session.view.step is Step.THANKS


def test_back_shows_the_answer_given_and_a_changed_answer_is_the_one_sent(national) -> None:
    session, outbox, _clock, ui = national
    session.start_feedback()
    session.answer(3)
    session.answer(2)
    session.back()
    assert session.view.question.id == "kohtelu"
    assert session.view.question.answered and session.view.question.chosen == 2
    session.back()
    assert session.view.step is Step.RECOMMEND and session.view.question.chosen == 3
    session.answer(8)
    session.answer(None)  # "I cannot say" this time
    session.stop_answering()
    settle(session, ui)
    assert [(e["question"], e["value"]) for e in stored(outbox)] == [
        ("suosittelu", 8),
        ("kohtelu", None),
    ]


def test_stopping_or_walking_away_keeps_what_was_answered(national) -> None:
    session, outbox, clock, ui = national
    session.start_feedback()
    session.answer(10)
    session.answer(5)
    clock.now += session.config.timeouts.inactivity + 1
    session.tick()  # walked away on the second statement
    settle(session, ui)
    assert session.view.step is Step.START
    assert [(e["question"], e["value"]) for e in stored(outbox)] == [
        ("suosittelu", 10),
        ("kohtelu", 5),
    ]
    session.start_feedback()
    session.back()  # left at once: nothing answered, nothing sent
    assert session.view.step is Step.START and len(stored(outbox)) == 2


def test_a_value_off_the_scale_is_refused_and_the_visitor_stays(national) -> None:
    session, _outbox, _clock, _ui = national
    session.start_feedback()
    with pytest.raises(JourneyError, match="0 to 10"):
        session.journey.answer(11, 0.0)
    session.answer(7)
    with pytest.raises(JourneyError, match="1 to 5"):
        session.journey.answer(0, 0.0)
    assert session.view.step is Step.STATEMENT and session.view.question.id == "kohtelu"


def test_misuse_counts_a_visit_once_and_flags_all_its_answers(national) -> None:
    session, outbox, clock, ui = national
    limit = session.config.misuse.max_ratings
    for _ in range(limit + 1):
        session.start_feedback()
        session.answer(0)
        session.answer(1)
        session.stop_answering()
        settle(session, ui)
        session.finish()
        clock.now += 1
    events = stored(outbox)
    assert len(events) == 2 * (limit + 1)
    assert [e["misuse"] for e in events[-2:]] == [True, True]
    assert not any(e["misuse"] for e in events[:2])


def test_the_kiosk_takes_every_key_the_wire_format_defines() -> None:
    from kiosk.config import Questions

    assert set(Questions.model_fields) == set(QuestionSetKeys.model_fields)


def test_a_set_the_kiosk_could_not_ask_is_a_clear_error() -> None:
    base = national_config()
    data = base.model_dump(by_alias=True, exclude={"questions"})
    wrong = national_questions(steps=4)
    with pytest.raises(ConfigError, match="needs its labels in each language"):
        validate_config({**data, "questions": wrong}, source="kiosk.toml")
    doubled = national_questions(own=[{"id": "kohtelu", "text": {"fi": "Toinen"}}])
    with pytest.raises(ConfigError, match="twice: kohtelu"):
        validate_config({**data, "questions": doubled}, source="kiosk.toml")


def test_back_past_the_first_question_keeps_what_was_answered(national) -> None:
    session, outbox, _clock, ui = national
    session.start_feedback()
    session.answer(9)
    session.answer(4)
    session.back()
    session.back()  # on the recommendation, its 9 shown
    assert session.view.step is Step.RECOMMEND
    session.back()  # and out: the visitor is done, not sorry
    settle(session, ui)
    assert session.view.step is Step.THANKS
    assert [(e["question"], e["value"]) for e in stored(outbox)] == [
        ("suosittelu", 9),
        ("kohtelu", 4),
    ]


def test_each_answer_carries_the_language_it_was_given_in(national) -> None:
    session, outbox, _clock, ui = national
    session.start_feedback()
    session.answer(8)
    session.set_language("sv")
    session.answer(5)
    session.stop_answering()
    settle(session, ui)
    assert [e["language"] for e in stored(outbox)] == ["fi", "sv"]


def test_a_poor_visit_gets_the_kinder_thanks(national) -> None:
    session, _outbox, _clock, ui = national
    session.start_feedback()
    session.answer(9)
    session.answer(5)
    session.stop_answering()
    assert not session.view.unhappy_answers
    settle(session, ui)
    session.finish()
    session.start_feedback()
    session.answer(9)
    session.answer(2)  # below the middle of five: the visit did not go well
    session.stop_answering()
    assert session.view.step is Step.THANKS and session.view.unhappy_answers


def test_five_steps_named_in_one_language_keep_the_kiosks_words_in_the_others(
    tmp_path: Path,
) -> None:
    names = ["Eri", "Vähän eri", "Siltä väliltä", "Vähän samaa", "Samaa"]
    config = national_config(labels={"fi": names})
    with running_session(config, tmp_path) as (session, _outbox, _clock, _ui):
        session.start_feedback()
        session.answer(7)
        assert session.view.question.labels == tuple(names)
        session.set_language("sv")
        assert session.view.question.labels is None  # the catalog's Swedish words


def test_a_comment_is_never_longer_than_the_maximum_once_redacted() -> None:
    from kiosk.journey import Journey, JourneyRules

    journey = Journey(JourneyRules(comment_max_chars=2000), 0.0)
    journey.start_feedback(0.0)
    journey.rate(4, 0.0)
    while journey.step is not Step.COMMENT:
        journey.choose_reason(None, 0.0)
    (effect,) = journey.submit_comment("a@b.fi " * 300, 0.0)  # [EMAIL] is longer than a@b.fi
    assert "@" not in effect.comment and len(effect.comment) <= 2000


def test_the_free_comments_id_is_no_questions() -> None:
    with pytest.raises(ConfigError, match="'comment' is the free comment's"):
        national_config(own=[{"id": "comment", "text": {"fi": "Kommentti"}}])

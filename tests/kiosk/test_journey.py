"""The visitor journey as a state machine: paths, timeouts, languages, and that no sequence of
touches can leave it in a state it cannot get out of."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.journey import IssueTicket, Journey, JourneyError, JourneyRules, RecordFeedback, Step

RULES = JourneyRules(reasons={1: ("waiting-time", "other"), 2: ("waiting-time",), 4: ("staff",)})


def journey(rules: JourneyRules = RULES) -> Journey:
    return Journey(rules, now=0.0)


def test_feedback_with_reason_and_comment():
    j = journey()
    assert j.start_feedback(1) == []
    assert j.rate(1, 2) == [] and j.step is Step.REASON
    assert j.offered_reasons == ("waiting-time", "other")
    assert j.choose_reason("waiting-time", 3) == [] and j.step is Step.COMMENT
    (effect,) = j.submit_comment("  Soita 040 123 4567  ", 4)
    assert effect == RecordFeedback(1, "waiting-time", "Soita [PHONE]", "fi", 2)
    assert j.step is Step.THANKS
    j.finish(5)
    assert j.step is Step.START


def test_rating_without_reasons_or_comments_goes_straight_to_thanks():
    j = journey(JourneyRules(comments=False))
    j.start_feedback(0)
    assert j.rate(3, 1) == [RecordFeedback(3, None, None, "fi", 1)]
    assert j.step is Step.THANKS


def test_blank_comment_is_none_and_long_comment_is_cut():
    j = journey(JourneyRules(comment_max_chars=10))
    j.start_feedback(0)
    j.rate(3, 0)
    (effect,) = j.submit_comment("   ", 0)
    assert effect.comment is None
    j.finish(0)
    j.start_feedback(0)
    j.rate(3, 0)
    (effect,) = j.submit_comment("a" * 50, 0)
    assert effect.comment == "a" * 10


def test_back_from_reason_discards_the_rating():
    j = journey()
    j.start_feedback(0)
    j.rate(2, 1)
    assert j.back(2) == [] and j.step is Step.RATING and j.rating is None
    j.rate(4, 3)
    j.back(4)
    j.back(5)
    assert j.step is Step.START
    assert j.tick(1000) == []


def test_check_in_issues_one_ticket_in_the_visitors_language():
    j = journey()
    j.set_language("sv", 0)
    j.start_check_in(1)
    assert j.choose_service_point("laboratorio", 2) == [IssueTicket("laboratorio", "sv", 2)]
    assert j.step is Step.TICKET
    j.finish(3)
    assert j.step is Step.START and j.language == "fi"


def test_a_scanned_check_in_carries_its_method_on_the_ticket():
    j = journey()
    j.start_check_in(1)
    (effect,) = j.choose_service_point("laboratorio", 2, method="barcode")
    assert effect == IssueTicket("laboratorio", "fi", 2, "barcode")
    j.finish(3)
    j.start_check_in(4)
    assert j.choose_service_point("laboratorio", 5)[0].method == "touch"


def test_walking_away_after_rating_still_records_it():
    j = journey()
    j.start_feedback(0)
    j.rate(1, 1)
    j.choose_reason("other", 2)
    assert j.deadline() == 32
    assert j.tick(31.9) == []
    assert j.tick(32) == [RecordFeedback(1, "other", None, "fi", 1)]
    assert j.step is Step.START


def test_thanks_and_ticket_screens_have_their_own_timeouts():
    j = journey(JourneyRules(comments=False))
    j.start_feedback(0)
    j.rate(3, 10)
    assert j.deadline() == 14
    assert j.tick(14) == [] and j.step is Step.START
    j.start_check_in(20)
    j.choose_service_point("x", 21)
    assert j.deadline() == 41


def test_activity_keeps_a_step_alive_and_language_resets_at_start():
    j = journey()
    j.start_check_in(0)
    j.set_language("en", 20)
    j.touch(45)
    assert j.tick(60) == [] and j.step is Step.SERVICE_POINT
    j.tick(75)
    assert j.step is Step.START and j.language == "fi"


def test_a_language_chosen_at_start_and_left_there_times_out():
    j = journey()
    j.set_language("sv", 5)
    assert j.deadline() == 35
    j.tick(35)
    assert j.language == "fi" and j.deadline() is None


def test_speech_mode_doubles_every_time_out_and_ends_with_the_visitor():
    j = journey()
    j.set_assisted(True, 0)
    assert j.deadline() == 60  # chosen on the start screen: it times out too, for the next one
    j.start_feedback(10)
    assert j.deadline() == 70
    j.rate(3, 20)  # no reasons after a 3: the comment step
    assert j.assisted and j.deadline() == 80
    j.tick(80)
    assert j.step is Step.START and not j.assisted and j.deadline() is None


def test_large_text_is_this_visitors_choice_only():
    j = journey()
    j.set_large_text(True, 0)
    assert j.large_text and j.deadline() == 30
    j.start_check_in(1)
    j.choose_service_point("x", 2)
    j.finish(3)
    assert not j.large_text and j.preferences == ("fi", False, False)


@pytest.mark.parametrize(
    ("setup", "action"),
    [
        (lambda j: None, lambda j: j.rate(3, 0)),
        (lambda j: j.start_feedback(0), lambda j: j.rate(0, 0)),
        (lambda j: j.start_feedback(0), lambda j: j.rate(5, 0)),
        (lambda j: (j.start_feedback(0), j.rate(1, 0)), lambda j: j.choose_reason("staff", 0)),
        (lambda j: None, lambda j: j.finish(0)),
        (lambda j: None, lambda j: j.back(0)),
        (lambda j: None, lambda j: j.set_language("de", 0)),
        (lambda j: j.start_check_in(0), lambda j: j.start_feedback(0)),
    ],
)
def test_actions_not_allowed_here_raise_and_change_nothing(setup, action):
    j = journey()
    setup(j)
    before = (j.step, j.language, j.rating, j.reason)
    with pytest.raises(JourneyError):
        action(j)
    assert (j.step, j.language, j.rating, j.reason) == before


ACTIONS = st.one_of(
    st.tuples(st.just("start_feedback")),
    st.tuples(st.just("rate"), st.integers(0, 5)),
    st.tuples(st.just("choose_reason"), st.sampled_from([None, "waiting-time", "other", "staff"])),
    st.tuples(st.just("submit_comment"), st.one_of(st.none(), st.text(max_size=40))),
    st.tuples(st.just("start_check_in")),
    st.tuples(st.just("choose_service_point"), st.sampled_from(["laboratorio", "neuvola"])),
    st.tuples(st.just("back")),
    st.tuples(st.just("finish")),
    st.tuples(st.just("set_language"), st.sampled_from(["fi", "sv", "en", "de"])),
    st.tuples(st.just("tick")),
)


@settings(max_examples=300)
@given(st.lists(st.tuples(ACTIONS, st.floats(0, 40)), max_size=40))
def test_any_sequence_of_touches_keeps_the_journey_sound(steps):
    j, now, recorded = journey(), 0.0, 0
    for (name, *args), pause in steps:
        now += pause
        try:
            effects = getattr(j, name)(*args, now)
        except JourneyError:
            continue
        for effect in effects or []:
            if isinstance(effect, RecordFeedback):
                recorded += 1
                assert effect.rating in (1, 2, 3, 4)
                assert effect.reason is None or effect.reason in RULES.reasons[effect.rating]
        if j.step is Step.START:
            assert j.rating is None
            assert (j.deadline() is None) == (j.language == "fi")
        else:
            assert j.deadline() is not None
        if j.step in (Step.REASON, Step.COMMENT, Step.THANKS):
            assert j.rating in (1, 2, 3, 4)
    # Whatever happened, a long enough wait brings the kiosk back to start.
    j.tick(now + 1000)
    assert j.step is Step.START

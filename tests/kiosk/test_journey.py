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


def test_a_warning_comes_ten_seconds_before_every_reset_but_the_thanks():
    j = journey()
    assert j.warning_at() is None and not j.is_warning(100)  # untouched start: nothing to reset
    j.set_language("sv", 0)
    assert j.warning_at() == 20  # a language chosen and left: warned too, then reset
    j.start_feedback(5)
    assert (j.warning_at(), j.deadline()) == (25, 35)
    assert not j.is_warning(24.9) and j.is_warning(25) and j.is_warning(34.9)
    j.rate(3, 10)  # the comment step
    assert j.is_warning(30) and j.tick(34.9) == [] and j.step is Step.COMMENT
    j.submit_comment(None, 31)
    assert j.step is Step.THANKS and j.warning_at() is None and not j.is_warning(34.9)
    j.finish(32)
    j.start_check_in(40)
    j.choose_service_point("x", 41)
    assert (j.warning_at(), j.deadline()) == (51, 61)  # the ticket screen: 20 s, warned at 10


def test_continue_keeps_the_visitor_where_they_are_with_a_fresh_time():
    j = journey()
    j.start_feedback(0)
    j.rate(1, 1)
    assert j.is_warning(22)
    assert j.keep_going(22) == [] and j.step is Step.REASON and j.rating == 1
    assert not j.is_warning(22) and j.deadline() == 52 and j.warning_at() == 42
    assert j.tick(51.9) == [] and j.step is Step.REASON


def test_a_short_time_out_is_warned_halfway_and_warning_zero_turns_it_off():
    j = journey(JourneyRules(inactivity_s=8, warning_s=10))
    j.start_feedback(0)
    assert (j.warning_at(), j.deadline()) == (4, 8)
    j = journey(JourneyRules(warning_s=0))
    j.start_feedback(0)
    assert j.warning_at() is None and not j.is_warning(29.9) and j.deadline() == 30


def test_speech_mode_has_longer_time_outs_and_a_longer_warning():
    j = journey(JourneyRules(assisted_factor=3.0))
    j.set_assisted(True, 0)
    j.start_feedback(0)
    assert (j.warning_at(), j.deadline()) == (60, 90)  # 30 s x 3, warned 10 s x 3 before


def test_a_comment_being_typed_is_sent_with_the_rating_if_the_visitor_walks_away():
    j = journey()
    j.start_feedback(0)
    j.rate(1, 1)
    j.choose_reason("waiting-time", 2)
    assert j.set_draft("  Jonotin tunnin, soita 040 123 4567", 10) == [] and j.draft
    assert j.deadline() == 40  # typing is activity
    (effect,) = j.tick(40)
    assert effect == RecordFeedback(1, "waiting-time", "Jonotin tunnin, soita [PHONE]", "fi", 1)
    assert j.step is Step.START and j.draft == ""


def test_a_draft_is_cut_like_a_comment_and_a_blank_one_is_none():
    j = journey(JourneyRules(comment_max_chars=5))
    j.start_feedback(0)
    j.rate(3, 0)
    j.set_draft("abcdefgh", 0)
    assert j.tick(30)[0].comment == "abcde"
    j.start_feedback(30)
    j.rate(3, 30)
    j.set_draft("   ", 31)
    assert j.tick(61)[0].comment is None


def test_back_discards_the_draft_and_a_draft_needs_the_comment_step():
    j = journey()
    j.start_feedback(0)
    j.rate(1, 1)
    j.choose_reason(None, 2)
    j.set_draft("kesken", 3)
    j.back(4)
    assert j.step is Step.REASON and j.draft == ""
    with pytest.raises(JourneyError):
        j.set_draft("x", 5)
    j.choose_reason(None, 6)
    (effect,) = j.tick(36)
    assert effect.comment is None


def test_a_sent_comment_clears_the_draft():
    j = journey()
    j.start_feedback(0)
    j.rate(3, 0)
    j.set_draft("Hyvä", 1)
    (effect,) = j.submit_comment("Hyvä palvelu", 2)
    assert effect.comment == "Hyvä palvelu" and j.draft == ""


def test_a_ticket_that_did_not_print_stays_until_done_or_the_safety_time_out():
    j = journey(JourneyRules(unprinted_ticket_s=600))
    j.start_check_in(0)
    j.choose_service_point("x", 1)
    assert j.ticket_printed(False, 3) == []
    assert j.deadline() == 601 and j.warning_at() == 591
    assert j.tick(21) == [] and j.step is Step.TICKET  # past the usual 20 s
    j.finish(100)
    assert j.step is Step.START
    j.start_check_in(200)
    j.choose_service_point("x", 201)  # the next visitor's ticket: the usual time again
    assert j.deadline() == 221
    j.ticket_printed(True, 203)
    assert j.deadline() == 221
    j.tick(221)
    assert j.step is Step.START
    with pytest.raises(JourneyError):
        j.ticket_printed(False, 222)


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
    st.tuples(st.just("set_draft"), st.text(max_size=40)),
    st.tuples(st.just("keep_going")),
    st.tuples(st.just("ticket_printed"), st.booleans()),
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
        warning_at = j.warning_at()
        assert warning_at is None or warning_at < j.deadline()
        assert (warning_at is None) == (j.step is Step.THANKS or j.deadline() is None)
        if j.step in (Step.REASON, Step.COMMENT, Step.THANKS):
            assert j.rating in (1, 2, 3, 4)
    # Whatever happened, a long enough wait brings the kiosk back to start.
    j.tick(now + 1000)
    assert j.step is Step.START

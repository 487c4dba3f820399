"""The kiosk's application service without Kivy: journey, misuse flags and a real outbox file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from kiosk.config import load_config
from kiosk.journey import Step
from kiosk.maintenance import AdminStatus, Maintenance
from kiosk.outbox import Outbox
from kiosk.session import NOTICE_S, UNKNOWN_CODE, Choice, KioskSession, View, WriteStatus
from tests.support.kiosk_session import UiThread, running_session, settle
from tests.support.paths import EXAMPLE_CONFIG


@pytest.fixture
def setup(tmp_path: Path):
    with running_session(load_config(EXAMPLE_CONFIG), tmp_path) as running:
        yield running


def quick_rating(session: KioskSession, ui: UiThread, rating: int) -> None:
    session.start_feedback()
    session.rate(rating)
    while session.view.step in (Step.REASON, Step.COMMENT):
        if session.view.step is Step.REASON:
            session.choose_reason(None)
        else:
            session.submit_comment(None)
    settle(session, ui)
    session.finish()


def answer_rating(session: KioskSession) -> None:
    session.start_feedback()
    session.rate(4)
    while session.view.step is not Step.THANKS:
        if session.view.step is Step.REASON:
            session.choose_reason(None)
        else:
            session.submit_comment("Kiitos!")


def test_thanks_is_shown_only_once_the_rating_is_stored(setup):
    session, outbox, _clock, ui = setup
    stored_when_thanked: list[int] = []

    def on_change(view: View) -> None:
        if view.step is Step.THANKS and view.write is WriteStatus.SAVED:
            stored_when_thanked.append(len(outbox.pending()))

    session.on_change = on_change
    answer_rating(session)
    settle(session, ui)
    assert stored_when_thanked and stored_when_thanked[0] == 1
    (stored,) = outbox.pending()
    assert stored.payload["rating"] == 4 and stored.payload["comment"] == "Kiitos!"


def test_thanks_waits_for_a_slow_disk_and_frames_go_on(setup):
    session, outbox, _clock, ui = setup
    blocker = sqlite3.connect(outbox.path)
    blocker.execute("BEGIN IMMEDIATE")  # another process holds the write lock: a slow disk
    try:
        answer_rating(session)
        assert session.view.write is WriteStatus.SAVING  # the touch did not wait for it
        assert ui.queue == []
    finally:
        blocker.rollback()
        blocker.close()
    settle(session, ui)
    assert ui.views[-1].step is Step.THANKS and ui.views[-1].write is WriteStatus.SAVED
    assert len(outbox.pending()) == 1


def test_sixth_rating_within_a_minute_is_flagged_and_quiet_ends_it(setup):
    session, outbox, clock, ui = setup
    for _ in range(7):
        quick_rating(session, ui, 1)
        clock.now += 5
    clock.now += 31
    quick_rating(session, ui, 4)
    flags = [event.payload["misuse"] for event in outbox.pending()]
    assert flags == [False] * 5 + [True, True, False]


def test_bounce_on_one_control_is_filtered(setup):
    session, _outbox, clock, _ui = setup
    assert session.accept_touch("smiley-4")
    clock.now += 0.1
    assert not session.accept_touch("smiley-4")
    assert session.accept_touch("smiley-3")
    clock.now += 0.3
    assert session.accept_touch("smiley-4")


def test_a_check_in_shows_its_ticket(setup):
    session, outbox, _clock, ui = setup
    point = session.config.service_points[0]
    session.start_check_in()
    session.choose_service_point(point.id)
    assert session.view.step is Step.TICKET
    settle(session, ui)
    assert session.view.ticket == f"{point.prefix}{point.first:03d}"
    assert ui.views[-1].write is WriteStatus.SAVED and ui.views[-1].ticket == session.view.ticket
    (event,) = outbox.pending()
    assert event.payload["ticket"] == session.view.ticket


def test_a_stale_touch_on_a_screen_being_left_is_ignored(setup):
    session, _outbox, _clock, _ui = setup
    session.start_feedback()
    session.rate(2)
    session.rate(2)  # a second tap that arrives before the screen changed: not an error
    assert session.view.step is not Step.RATING


def test_a_failed_write_is_reported_not_raised(setup):
    session, outbox, _clock, ui = setup
    outbox.close()
    quick_rating(session, ui, 3)
    assert any(v.write is WriteStatus.FAILED for v in ui.views)


def test_a_scanned_booking_code_checks_in_by_barcode(setup):
    session, outbox, _clock, ui = setup
    session.check_in_by_barcode("LAB-2026-0042")
    settle(session, ui)
    assert session.view.step is Step.TICKET and session.view.write is WriteStatus.SAVED
    (event,) = outbox.pending()
    assert (event.payload["service_point"], event.payload["method"]) == ("laboratorio", "barcode")
    session.finish()
    session.start_check_in()
    session.choose_service_point("laboratorio")  # the next one, on the screen, is a touch again
    settle(session, ui)
    assert [e.payload["method"] for e in outbox.pending()] == ["barcode", "touch"]


def test_a_scanner_notice_clears_by_itself_and_on_leaving_the_start(setup):
    session, outbox, clock, ui = setup
    session.check_in_by_barcode("NOT-A-CODE")
    assert session.view.step is Step.START and session.view.notice == UNKNOWN_CODE
    clock.now += NOTICE_S - 1
    session.tick()
    assert session.view.notice == UNKNOWN_CODE  # still there for a reader
    clock.now += 1
    session.tick()
    assert session.view.notice is None and ui.views[-1].notice is None  # the screen was told
    session.check_in_by_barcode("NOT-A-CODE")
    session.start_feedback()
    session.back()
    assert session.view.step is Step.START and session.view.notice is None  # fresh start
    assert outbox.pending() == []


def test_the_view_names_things_in_the_visitors_language(setup):
    session, _outbox, _clock, _ui = setup
    session.set_language("sv")
    assert session.view.station_name == "Kalevas hälsostation"
    assert session.view.service_points[0] == Choice("laboratorio", "Laboratoriet")
    session.start_check_in()
    session.choose_service_point("laboratorio")
    view = session.view
    assert view.service_point_name == "Laboratoriet"
    assert view.guidance.startswith("Vänta i laboratoriets väntrum")
    session.finish()
    session.set_language("en")
    session.start_feedback()
    session.rate(1)
    assert session.view.reasons[0] == Choice("waiting-time", "Waiting time")
    assert session.view.comment_max_chars == session.config.feedback.comment_max_chars


def test_the_admin_figures_are_read_beside_the_writes(setup):
    session, _outbox, _clock, ui = setup
    quick_rating(session, ui, 4)
    shown: list[AdminStatus] = []
    Maintenance(session.writer, lambda: session.config).read_admin_status(shown.append)
    assert shown == []  # they arrive through `post`, on the UI thread
    settle(session, ui)
    (status,) = shown
    assert status.kiosk_id == session.config.kiosk.kiosk_id and status.backlog == 1
    assert status.timezone == session.config.kiosk.timezone and not status.storage_failing


def test_the_warning_shows_before_a_time_out_and_continue_dismisses_it(setup):
    session, _outbox, clock, ui = setup
    session.start_feedback()
    rules = session.journey.rules
    clock.now += rules.inactivity_s - rules.warning_s - 0.1
    session.tick()
    assert not session.view.warning
    shown = len(ui.views)
    clock.now += 0.2
    session.tick()
    assert ui.views[shown:] and ui.views[-1].warning and ui.views[-1].step is Step.RATING
    assert session.seconds_left() == pytest.approx(rules.warning_s - 0.1)
    session.tick()
    assert len(ui.views) == shown + 1, "the warning is told once, not every tick"
    session.keep_going()
    assert not ui.views[-1].warning and ui.views[-1].step is Step.RATING
    assert session.seconds_left() == pytest.approx(rules.inactivity_s)


def test_a_key_typed_under_the_warning_also_dismisses_it(setup):
    session, _outbox, clock, ui = setup
    session.start_feedback()
    session.rate(3)
    session.choose_reason(None)
    clock.now += session.journey.rules.inactivity_s - 1
    session.tick()
    assert ui.views[-1].warning
    session.update_draft("K")
    assert not ui.views[-1].warning and ui.views[-1].step is Step.COMMENT


def test_a_comment_typed_then_left_is_recorded_with_its_rating(setup):
    session, outbox, clock, ui = setup
    session.start_feedback()
    session.rate(3)
    session.choose_reason(None)
    assert session.view.step is Step.COMMENT
    session.update_draft("Hyvää palvelua, soitan 040 123 4567")
    clock.now += session.journey.rules.inactivity_s
    session.tick()
    settle(session, ui)
    assert ui.views[-1].step is Step.START and not ui.views[-1].warning
    (event,) = [e.payload for e in outbox.pending()]
    assert (event["rating"], event["comment"]) == (3, "Hyvää palvelua, soitan [PHONE]")


def test_the_time_outs_come_from_the_config(tmp_path: Path):
    base = load_config(EXAMPLE_CONFIG)
    timeouts = base.timeouts.model_copy(
        update={"warning": 5.0, "unprinted_ticket": 900.0, "assisted_factor": 3.0}
    )
    config = base.model_copy(update={"timeouts": timeouts})
    with Outbox.open(tmp_path / "outbox.sqlite") as outbox:
        session = KioskSession(config, outbox)
        rules = session.journey.rules
        session.close()
    assert (rules.warning_s, rules.unprinted_ticket_s, rules.assisted_factor) == (5, 900, 3)

"""Time to finish, on the real app under Xvfb with short time-outs: the warning before a reset and
Continue, a comment kept when the visitor walks away, a ticket that did not print waiting for
Done, and the warning's screenshots."""

from __future__ import annotations

import pytest

from kiosk.devices.interfaces import PrinterState
from kiosk.devices.simulate import PrinterSimulator
from tests.support.kiosk_config import example_config_file
from tests.support.outbox import read_events

pytestmark = pytest.mark.ui

SHORT = {"timeouts__inactivity": 6, "timeouts__warning": 3, "timeouts__thanks": 1}


def test_the_warning_comes_before_the_reset_and_continue_keeps_the_visitor(kiosk_run, tmp_path):
    notes = kiosk_run(
        "ui_scripts_time:warning_and_continue", config=example_config_file(tmp_path, **SHORT)
    )

    warnings = notes["warnings"]
    assert [w["screen"] for w in warnings] == ["start", "rating", "comment"]
    for warning in warnings:
        assert "Behöver du mer tid?" in warning["texts"] and "Fortsätt" in warning["texts"]
        assert warning["controls"] == ["more-time"]
        assert 0 < warning["seconds_left"] <= SHORT["timeouts__warning"]
        assert warning["button_height"] >= warning["touch_min"]
    assert notes["language_kept"] == "sv"
    assert notes["kept"] == "Bra service"
    assert notes["typed"] == "Bra service tack"
    assert notes["warned_on_thanks"] is False
    (event,) = read_events(tmp_path / "data")
    assert (event["rating"], event["comment"], event["language"]) == (4, "Bra service tack", "sv")


def test_a_comment_typed_is_sent_with_its_rating_when_the_visitor_walks_away(kiosk_run, tmp_path):
    notes = kiosk_run(
        "ui_scripts_time:walk_away_from_a_comment", config=example_config_file(tmp_path, **SHORT)
    )

    assert notes["typed"] == "Jonotin tunnin, soita 040 123 4567"
    assert [w["screen"] for w in notes["warnings"]] == ["comment"]
    assert "Tarvitsetko lisää aikaa?" in notes["warnings"][0]["texts"]
    (event,) = read_events(tmp_path / "data")
    assert (event["type"], event["rating"]) == ("feedback", 2)
    assert event["comment"] == "Jonotin tunnin, soita [PHONE]"


def test_a_ticket_that_did_not_print_stays_until_done(kiosk_run, tmp_path):
    printer = PrinterSimulator(PrinterState.PAPER_OUT)
    try:
        config = example_config_file(
            tmp_path,
            timeouts__ticket=2,
            timeouts__warning=1,
            devices__printer={"kind": "serial", "port": printer.port},
        )
        notes = kiosk_run("ui_scripts_time:unprinted_ticket_waits", config=config)
    finally:
        printer.close()

    assert notes["printed"] is False
    assert notes["stayed_s"] >= 4
    (event,) = read_events(tmp_path / "data")
    assert (event["ticket"], event["printed"]) == (notes["ticket"], False)


@pytest.mark.parametrize("window", ["800x480", "480x800"])
def test_the_warning_on_screen(kiosk_run, tmp_path, window):
    shots = tmp_path / "shots"
    notes = kiosk_run(
        "ui_scripts_time:warning_shots",
        config=example_config_file(tmp_path, **SHORT),
        window=window,
        shots=shots,
    )

    for language in ("fi", "sv"):
        assert (shots / f"time-warning-{language}.png").stat().st_size > 0
    texts = [w["texts"] for w in notes["warnings"]]
    assert "Tarvitsetko lisää aikaa?" in texts[0] and "Jatka" in texts[0]
    assert "Behöver du mer tid?" in texts[1] and "Fortsätt" in texts[1]
    for warning in notes["warnings"]:
        assert warning["button_height"] >= warning["touch_min"]

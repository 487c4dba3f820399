"""The real kiosk app under Xvfb, driven by simulated touches; what it records is read back from
the real outbox file."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from datetime import datetime
from pathlib import Path

import pytest

from tests.support.kiosk_config import example_config_file
from tests.support.outbox import read_events
from tests.support.paths import ROOT

pytestmark = pytest.mark.ui

ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)$")


def test_a_rating_in_each_language_lands_in_the_outbox(kiosk_run, tmp_path):
    notes = kiosk_run("rate_in_each_language")

    events = read_events(tmp_path / "data")
    assert [(e["type"], e["language"], e["rating"]) for e in events] == [
        ("feedback", "fi", 4),
        ("feedback", "sv", 2),
        ("feedback", "en", 1),
    ]
    for event in events:
        assert uuid.UUID(event["id"]).version == 4
        assert ISO_WITH_OFFSET.match(event["occurred_at"]), event["occurred_at"]
        assert datetime.fromisoformat(event["occurred_at"]).utcoffset() is not None
        assert event["boot_id"] and event["monotonic_ms"] > 0
        assert event["reason"] is None and event["comment"] is None
        assert event["misuse"] is False
    assert notes["thanks_language"] == ["fi", "sv", "en"]
    # The visitor's own face, and the kinder words after an unhappy rating.
    assert notes["thanks_face"] == [[4, False], [2, True], [1, True]]


def test_reason_comment_and_a_taken_back_rating(kiosk_run, tmp_path):
    notes = kiosk_run("reason_comment_and_back")

    events = read_events(tmp_path / "data")
    assert len(events) == 1, "the smiley taken back with Back must not be recorded"
    (event,) = events
    assert event["rating"] == 1
    assert event["reason"] == notes["reason"]
    assert notes["typed"].startswith("Jonotin tunnin, soita 040 123 4567.")
    assert "040" not in event["comment"] and "4567" not in event["comment"]
    assert "[PHONE]" in event["comment"]
    assert event["comment"].startswith("Jonotin tunnin")


def test_every_visitor_finds_the_keyboard_on_letters(kiosk_run):
    notes = kiosk_run("keyboard_starts_fresh")

    assert notes["left"] == {"symbols": True, "typed": "Ok 12"}  # the first visitor's state
    for visitor in ("first", "next"):
        assert notes[visitor] == {"symbols": False, "letter": "A"}


def test_check_in_gives_the_next_ticket(kiosk_run, tmp_path):
    notes = kiosk_run("check_in_twice")

    first, second = notes["tickets"]
    assert re.fullmatch(r"[A-Z]\d{3}", first), first
    assert int(second[1:]) == int(first[1:]) + 1 and second[0] == first[0]
    events = read_events(tmp_path / "data")
    assert [(e["type"], e["ticket"], e["method"], e["printed"]) for e in events] == [
        ("checkin", first, "touch", False),
        ("checkin", second, "touch", False),
    ]
    assert {e["service_point"] for e in events} == {notes["service_point"]}

    # A restart of the app continues the day's numbering; nothing is reused.
    notes = kiosk_run("check_in_twice")
    assert int(notes["tickets"][0][1:]) == int(second[1:]) + 1


def test_inactivity_returns_to_start_and_keeps_the_rating(kiosk_run, tmp_path):
    config = example_config_file(tmp_path, timeouts__inactivity=2, timeouts__thanks=1)
    kiosk_run("walk_away", config=config)

    events = read_events(tmp_path / "data")
    assert [(e["rating"], e["reason"], e["language"]) for e in events] == [
        (2, None, "sv"),
        (3, None, "fi"),
    ]


def test_admin_screen_refuses_a_wrong_pin(kiosk_run):
    notes = kiosk_run("admin_pin")

    assert notes["wrong_pin_message"] == "Wrong PIN. Try again."
    rows = notes["admin_rows"]
    assert rows["Kiosk"].startswith("kaleva-")
    assert rows["Waiting to upload"] == "0"
    assert rows["Free disk"].endswith("GB") or rows["Free disk"].endswith("MB")
    assert rows["Saving events"] == "toimii"  # works, in the kiosk's Finnish


def test_a_failed_write_shows_an_apology_not_a_crash(kiosk_run):
    notes = kiosk_run("failed_write")
    assert notes["failed"] is True


def test_the_app_and_a_second_writer_at_once(kiosk_run, tmp_path):
    data_dir = tmp_path / "data"
    writer = subprocess.Popen(
        [sys.executable, "-c", SECOND_WRITER, str(data_dir / "outbox.sqlite")],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout.readline().strip() == "started"
        kiosk_run("rate_in_each_language", data_dir=data_dir)
    finally:
        writer.terminate()
        written = int(writer.communicate(timeout=30)[0].split()[-1])

    events = read_events(data_dir)
    assert sum(e["type"] == "feedback" and e["language"] != "xx" for e in events) == 3
    assert sum(e.get("language") == "xx" for e in events) == written > 0


# Appends feedback events in a loop beside the app until terminated, then prints how many it wrote.
SECOND_WRITER = """
import signal, sys
from kiosk.clock import KioskClock
from kiosk.events import feedback_event
from kiosk.outbox import Outbox
outbox = Outbox.open(__import__("pathlib").Path(sys.argv[1]))
clock, written, running = KioskClock(), 0, True
def stop(*_):
    global running
    running = False
signal.signal(signal.SIGTERM, stop)
print("started", flush=True)
while running:
    outbox.append(feedback_event(stamp=clock.now(), language="xx", rating=3, reason=None,
                                 comment=None, misuse=False))
    written += 1
print(written, flush=True)
"""


def test_an_example_config_path_that_does_not_exist_stops_with_a_clear_message(tmp_path: Path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk.cli",
            "--config",
            str(tmp_path / "nope.toml"),
            "--data-dir",
            str(tmp_path / "data"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "nope.toml" in done.stderr
    assert not (tmp_path / "data").exists(), "a bad config must not touch the data dir"


def test_a_new_config_from_the_central_is_applied_when_idle(kiosk_run, tmp_path):
    notes = kiosk_run("new_config_when_idle")

    assert notes["station_while_busy"] == "Kalevan terveysasema"
    assert notes["station_after"] == "Kalevan hyvinvointiasema"
    assert "service-point-rokotukset" in notes["controls"]
    assert notes["ticket"] == "V001"
    (event,) = read_events(tmp_path / "data")
    assert (event["service_point"], event["ticket"]) == ("rokotukset", "V001")

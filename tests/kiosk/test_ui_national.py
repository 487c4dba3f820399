"""The national question set on the real kiosk under Xvfb: the start card that opens it, the
recommendation's eleven numbers (one row, two in portrait and in large text on the 7") with the
site's end labels, each at least 12 mm, and a statement's faces with their words, in normal and
in large text."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.national import national_config_file

pytestmark = pytest.mark.ui

WINDOWS = ["800x480", "480x800"]


@pytest.mark.parametrize("window", WINDOWS)
def test_the_national_screens_fit_and_every_target_is_12_mm(kiosk_run, tmp_path, window):
    shots = Path(os.environ.get("HYMY_SCREEN_SHOTS", tmp_path / "shots"))
    notes = kiosk_run(
        "ui_scripts_national:national_layout",
        config=national_config_file(tmp_path),
        window=window,
        shots=shots,
    )
    for key in ("normal", "large"):
        assert "start-smiley-4" not in notes[f"start-controls-{key}"]  # no faces to rate with
        assert notes[f"recommend-screen-{key}"] == "recommend"
        numbers = notes[f"recommend-{key}"]["numbers"]
        rows = sorted({box[1] for box in numbers.values()}, reverse=True)  # top row first
        # One row on the landscape 7"; two in portrait, and in large text where "10" would not
        # fit its button (three in large text on the narrow portrait 7"); the numbers then
        # scroll with the question if they must.
        expected = {("800x480", "normal"): 1, ("480x800", "large"): 3}.get((window, key), 2)
        assert len(rows) == expected, (key, rows)
        xs = [numbers[str(v)][0] for v in range(11) if numbers[str(v)][1] == rows[0]]
        assert xs == sorted(xs)  # 0 on the left
        touch_min = notes[f"recommend-{key}"]["touch_min"]
        assert all(min(box[2], box[3]) >= touch_min - 0.5 for box in numbers.values())
        assert "Erittäin epätodennäköisesti" in notes[f"recommend-{key}"]["low"]
        assert "Erittäin todennäköisesti" in notes[f"recommend-{key}"]["high"]
        assert notes[f"statement-screen-{key}"] == "statement"
        statement = notes[f"statement-{key}"]
        assert statement["words"][0] == "Täysin eri mieltä"
        assert statement["words"][-1] == "Täysin samaa mieltä"
        assert len(statement["steps"]) == 5
        assert notes[f"back-{key}"] == "thanks"  # back past the first answer: it is kept
        for screen in ("start", "recommend", "statement"):
            assert not notes[f"{screen}-{key}"]["faults"], (screen, key, notes[f"{screen}-{key}"])


def test_a_national_set_answered_in_finnish_and_swedish_reaches_the_managers_report(
    kiosk_run, tmp_path
) -> None:
    """Partly abandoned visits on the real kiosk, uploaded by `hymy-sync once` to a real
    `hymy-central serve`, reported by `hymy-central report national`."""
    import json
    import subprocess
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from central.cli.examples import example_text
    from hymy_dev.demo import sync_command
    from hymy_dev.local_central import LocalCentral
    from tests.support.kiosk_config import example_config
    from tests.support.paths import EXAMPLE_SITE

    site = tmp_path / "site.toml"  # every figure shown from one answer: the test's few visits
    site.write_text(
        EXAMPLE_SITE.read_text(encoding="utf-8")
        + "\n[reports]\nmin_answers = 1\n\n"
        + example_text("questions"),
        encoding="utf-8",
    )
    central = LocalCentral(tmp_path / "central")
    central.data_dir.mkdir()
    central.add_site(site)
    central.start()
    try:
        kiosk_dir = tmp_path / "kiosk"
        code = central.enroll_code("kaleva")
        enrol = sync_command(kiosk_dir, "enroll", "--central", central.url, "--code", code,
                             "--kiosk-id", "kaleva-aula-1")  # fmt: skip
        subprocess.run(enrol, check=True, capture_output=True)
        shots = Path(os.environ.get("HYMY_SCREEN_SHOTS", tmp_path / "shots"))
        # The set comes from the central (its config, written by the enrolment): not the file.
        config = tmp_path / "kiosk.toml"
        config.write_text(example_config(timeouts__inactivity=4, timeouts__warning=1))
        notes = kiosk_run(
            "ui_scripts_national:national_visits", config=config, data_dir=kiosk_dir, shots=shots
        )
        assert notes["back-chosen"] == 0  # the "I cannot say" given, shown on the way back
        assert notes["after-stop"] == "thanks" and notes["walked-away"] == "start"
        assert notes["sv-question"].startswith("Hur sannolikt")
        assert notes["sv-statement"] == ["Helt av annan åsikt", "Helt av samma åsikt"]
        assert notes["last"] == "comment" and notes["end"] == "thanks"
        subprocess.run(sync_command(kiosk_dir, "once"), check=True, capture_output=True)
        # Yesterday too: the visits may have begun before midnight in Helsinki.
        today = datetime.now(ZoneInfo("Europe/Helsinki")).date()
        first, last = (today - timedelta(days=1)).isoformat(), today.isoformat()
        answer = json.loads(central.command("report", "national", "--site", "kaleva", "--from",
                                            first, "--to", last, "--format", "json"))  # fmt: skip
    finally:
        central.stop()
    (kaleva,) = answer["sites"]
    figures = {q["question"]: q for q in kaleva["questions"]}
    # Recommendations 9, 3 and 10: one promoter more than detractors of three, NPS +33.3.
    assert figures["suosittelu"]["n"] == 3 and figures["suosittelu"]["nps"] == 33.3
    assert figures["kohtelu"]["n"] == 3  # 4, 2 (walked away after it) and 5
    assert figures["sain-apua"]["n"] == 2 and figures["sain-apua"]["cannot_say"] == 0
    assert figures["odotus"]["n"] == 1  # only the third visitor came this far


def test_the_national_set_with_the_keypad_only_speaks_each_question(kiosk_run, tmp_path) -> None:
    from kiosk.outbox import OUTBOX_FILE, Outbox

    config = national_config_file(tmp_path, speech={"engine": "fake"})
    notes = kiosk_run("ui_scripts_national:national_by_keypad", config=config)
    said = " ".join(notes["said"])
    assert "Fråga 1 av 7. Hur sannolikt är det" in said
    assert "Välj ett tal från noll till tio. Noll betyder: Mycket osannolikt." in said
    assert (
        "Fråga 2 av 7. Jag blev bemött vänligt och med respekt. Hur mycket håller du med?" in said
    )
    assert "Helt av annan åsikt" in said  # a step's words as the focus reaches it
    assert notes["first-focus"] == "agree-1"  # each new statement starts at its first step
    assert notes["back-chosen"] == 1  # the answer given, shown on the way back
    with Outbox.open(tmp_path / "data" / OUTBOX_FILE) as outbox:
        answers = [(e.payload["question"], e.payload["value"]) for e in outbox.pending()]
    assert answers == [("suosittelu", 7), ("kohtelu", 4), ("sain-apua", 1)]

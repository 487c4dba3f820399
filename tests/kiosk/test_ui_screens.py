"""The visitor's screens as they read (issue 14): the ticket card with its directions whatever
the printer does, the start screen's faces that rate in one touch, its help line, logo and clock,
the rating words and the comment screen's notice and counter; the real app under Xvfb, with the
printer on a pseudo-terminal.

Set HYMY_SCREEN_SHOTS=DIR to keep the screenshots of test_every_screen_at_every_size."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kiosk.devices.interfaces import PrinterState
from kiosk.devices.simulate import PrinterSimulator
from tests.support.kiosk_config import example_config, example_config_file
from tests.support.outbox import read_events
from tests.support.paths import ROOT

SIZES = ("800x480", "1280x720", "480x800")
LOGO = ROOT / "assets" / "images" / "example-logo.png"
NBSP = "\u00a0"
OUT_OF_PAPER = "The printer is not working. Please write down your number or take a photo of it."
FAILED_FI = "Tulostin ei toimi. Kirjoita vuoronumerosi muistiin tai ota siitä kuva."
FAILED_SV = "Skrivaren fungerar inte. Skriv upp ditt könummer eller ta en bild av det."
TAKE_IT = {"fi": "Ota vuorolappusi tulostimesta.", "sv": "Ta din kölapp ur skrivaren."}


def _config(tmp_path: Path, printer: PrinterSimulator | None = None, **changes: object) -> Path:
    if printer is not None:
        changes["devices__printer"] = {"kind": "serial", "port": printer.port}
    changes.setdefault("display__logo", str(LOGO))
    return example_config_file(tmp_path, **changes)


def _inside(inner: list[int], outer: list[int]) -> bool:
    x, y, w, h = inner
    ox, oy, ow, oh = outer
    return x >= ox - 1 and y >= oy - 1 and x + w <= ox + ow + 1 and y + h <= oy + oh + 1


def _apart(upper: list[int], lower: list[int]) -> bool:
    """The first box stands wholly above the second (window coordinates: y grows upwards)."""
    return upper[1] >= lower[1] + lower[3] - 1


def _run_ticket(kiosk_run, tmp_path: Path, state: PrinterState, window: str = "800x480") -> dict:
    printer = PrinterSimulator(state)
    try:
        notes = kiosk_run(
            "ui_scripts_screens:ticket_card", config=_config(tmp_path, printer), window=window
        )
    finally:
        printer.close()
    notes["_tickets"] = printer.tickets
    return notes


@pytest.mark.parametrize("state", [PrinterState.PAPER_OUT, PrinterState.OFFLINE])
def test_the_directions_stay_on_screen_when_the_printer_fails(kiosk_run, tmp_path, state):
    notes = _run_ticket(kiosk_run, tmp_path, state)
    for language, failed in (("fi", FAILED_FI), ("sv", FAILED_SV)):
        seen = notes[language]
        assert seen["printed"] is False
        assert seen["paper"]["visible"] and seen["paper"]["text"] == failed
        assert seen["directions"]["visible"] and seen["number"]["visible"]
        for part in ("number", "point", "directions"):
            assert _inside(seen[part]["box"], seen["card"]), f"{language}: {part} off the card"
    # The config's "2. kerroksessa" is kept on one line.
    assert f"2.{NBSP}kerroksessa" in notes["fi"]["directions"]["text"]
    assert notes["sv"]["point"]["text"] == "Munhälsovården"
    assert notes["_tickets"] == []


def test_a_printed_ticket_says_take_it_from_the_printer(kiosk_run, tmp_path):
    notes = _run_ticket(kiosk_run, tmp_path, PrinterState.OK)
    for language in ("fi", "sv"):
        seen = notes[language]
        assert seen["printed"] is True
        assert seen["paper"]["visible"] and seen["paper"]["text"] == TAKE_IT[language]
        assert seen["directions"]["visible"]
    assert len(notes["_tickets"]) == 2


def test_one_touch_on_a_start_face_rates(kiosk_run, tmp_path):
    notes = kiosk_run("ui_scripts_screens:rate_from_the_start_screen", config=_config(tmp_path))
    assert {f"start-smiley-{r}" for r in (1, 2, 3, 4)} <= set(notes["start_controls"])
    assert notes["after_touch"] == "reason" and notes["rating"] == 2
    (event,) = read_events(tmp_path / "data")
    assert event["rating"] == 2


def test_the_comment_counter_counts_and_the_field_holds_two_lines(kiosk_run, tmp_path):
    notes = kiosk_run("ui_scripts_screens:comment_notice_and_counter", config=_config(tmp_path))
    assert notes["counter_before"]["text"] == f"0{NBSP}/{NBSP}500"
    assert notes["counter_after"]["text"] == f"{len(notes['typed'])}{NBSP}/{NBSP}500"
    assert notes["typed"] == "Hoito oli hyvää" and notes["counter_after"]["visible"]
    field = notes["field"]
    assert field["height"] >= 2 * field["line_height"] + field["padding"][1] + field["padding"][3]
    notice = notes["fi"]["notice"]
    assert notice["visible"] and "Palaute on nimetön" in notice["text"]
    assert "kysy vastaanotosta" in notice["text"]
    assert "Responsen är anonym" in notes["sv"]["notice"]["text"]
    assert "anonymous" in notes["en"]["notice"]["text"]


def test_the_help_line_logo_and_clock_are_shown(kiosk_run, tmp_path):
    notes = kiosk_run("ui_scripts_screens:start_screen_extras", config=_config(tmp_path))
    help_fi = notes["fi"]["help_line"]
    assert help_fi["visible"] and help_fi["text"].startswith("Tarvitsetko apua?")
    assert notes["sv"]["help_line"]["text"].startswith("Behöver du hjälp?")
    assert notes["fi"]["logo"] == str(LOGO) and notes["fi"]["logo_width"] > 0
    clock = notes["fi"]["clock"]
    assert clock["visible"] and len(clock["text"]) == 5 and clock["text"][2] == "."
    assert clock["text"].replace(".", "").isdigit()


def test_without_help_line_logo_or_clock_the_start_screen_shows_none(kiosk_run, tmp_path):
    toml = example_config(display__logo="no-such-logo.png", display__clock=False)
    config = tmp_path / "kiosk.toml"
    config.write_text(
        "".join(line for line in toml.splitlines(True) if not line.startswith("help_line")),
        encoding="utf-8",
    )
    notes = kiosk_run("ui_scripts_screens:start_screen_extras", config=config)
    assert notes["fi"]["logo"] == "" and notes["fi"]["logo_width"] == 0
    assert notes["fi"]["clock"] is None and notes["fi"]["help_line"] is None
    assert "no-such-logo.png" in notes["_log"] and "missing" in notes["_log"]


@pytest.mark.parametrize("window", SIZES)
def test_every_screen_at_every_size(kiosk_run, tmp_path, window):
    """Start, rating, ticket (printer out of paper) and comment at 800x480, 1280x720 and in
    portrait: nothing a visitor reads is cut or off the window, the faces stand in line, the
    ticket reads as one card and the comment's notice stands clear of its field."""
    shots = Path(os.environ.get("HYMY_SCREEN_SHOTS", tmp_path / "shots"))
    printer = PrinterSimulator(PrinterState.PAPER_OUT)
    try:
        notes = kiosk_run(
            "ui_scripts_screens:every_screen",
            config=_config(tmp_path, printer),
            window=window,
            shots=shots,
        )
    finally:
        printer.close()
    for language in ("fi", "sv", "en"):
        rating = notes["rating"][language]
        faces = [rating["faces"][str(r)]["face"] for r in (4, 3, 2, 1)]
        rows = {y for _x, y, _size in faces}
        assert len({size for _x, _y, size in faces}) == 1, f"{language}: faces of unlike size"
        assert len(rows) == (2 if window == "480x800" else 1), f"{language}: faces out of line"
        for r in ("4", "3", "2", "1"):
            assert rating["faces"][r]["word"]["visible"], f"{language}: word {r} cut"
        comment = notes["comment"][language]
        assert comment["notice"]["visible"], f"{language}: notice cut"
        assert _apart(comment["notice"]["box"], comment["field"]), f"{language}: notice on field"
        assert comment["field"][3] >= comment["two_lines"] - 0.5, f"{language}: field too low"
    for language in ("fi", "sv"):
        ticket = notes["ticket"][language]
        for part in ("number", "point", "directions", "paper"):
            assert ticket[part]["visible"], f"{language}: {part} not seen"
        for part in ("number", "point", "directions"):
            assert _inside(ticket[part]["box"], ticket["card"]), f"{language}: {part} off card"
        assert _apart(ticket["card"], ticket["paper"]["box"])
        start = notes["start"][language]
        assert start["help_line"]["visible"] and start["clock"]["visible"]

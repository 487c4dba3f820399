"""Use without sight on the real app under Xvfb: speech mode from a held panel key or a keypad
key, then a whole rating and a whole check-in in fi, sv and en with those keys only, the fake
speech recording what was said; real espeak-ng into WAV files; the focus frame drawn."""

from __future__ import annotations

from pathlib import Path

from hymy_dev.autopilot import PANEL_RELAY_ENV, PanelRelay
from kiosk.devices.simulate import PseudoTerminal
from tests.support.kiosk_config import example_config_file
from tests.support.outbox import read_events

# What each language's visitor must hear (words of the catalogs and of the example config).
HEARD = {
    "fi": {
        "rating": ["Puheopastus on päällä", "Miten käyntisi sujui tänään?", "Valitsit: ", "Kiitos"],
        "check-in": ["Vuoronumerosi on L ", "Laboratorio", "Odota laboratorion aulassa"],
    },
    "sv": {
        "rating": ["Uppläsningen är på", "Hur gick ditt besök i dag?", "Du valde: ", "Tack"],
        "check-in": ["Ditt könummer är L ", "Laboratoriet", "Vänta i laboratoriets väntrum"],
    },
    "en": {
        "rating": ["Speech is on", "How did your visit go today?", "You chose: ", "Thank you"],
        "check-in": ["Your queue number is L ", "Laboratory", "Please wait in the laboratory"],
    },
}


def _check_visits(notes: dict, data: Path) -> None:
    for language, heard in HEARD.items():
        for part, words in heard.items():
            said = " ".join(notes[f"{language}-{part}"])
            for word in words:
                assert word in said, f"{language} {part}: {word!r} not said in {said!r}"
    events = read_events(data)
    ratings = [e for e in events if e["type"] == "feedback"]
    checkins = [e for e in events if e["type"] == "checkin"]
    assert [(e["language"], e["rating"]) for e in ratings[:3]] == [
        ("fi", 3),
        ("sv", 3),
        ("en", 3),
    ]
    assert all(e["reason"] for e in ratings[:3])
    assert [(e["language"], e["service_point"]) for e in checkins] == [
        (language, "laboratorio") for language in ("fi", "sv", "en")
    ]
    assert [e["ticket"] for e in checkins] == notes["tickets"]


def test_a_rating_and_a_check_in_with_the_panel_only(kiosk_run, tmp_path, monkeypatch) -> None:
    panel = PseudoTerminal()
    relay = PanelRelay(tmp_path / "panel-lines", panel.write)
    monkeypatch.setenv(PANEL_RELAY_ENV, str(relay.path))
    config = example_config_file(
        tmp_path,
        speech={"engine": "fake"},
        devices__buttons={"kind": "serial", "port": panel.port},
    )
    try:
        notes = kiosk_run("ui_scripts_nav:panel_visits", config=config)
    finally:
        relay.close()
        panel.close()
    _check_visits(notes, tmp_path / "data")
    assert "Press 1 for" in " ".join(notes["en-rating"])
    # Outside speech mode a press is a quick rating, as before, and nothing is said.
    assert read_events(tmp_path / "data")[-1]["rating"] == 4
    assert notes["said_after_quick_rating"] == 0


def test_a_rating_and_a_check_in_with_the_keypad_only(kiosk_run, tmp_path) -> None:
    config = example_config_file(tmp_path, speech={"engine": "fake"})
    notes = kiosk_run("ui_scripts_nav:keypad_visits", config=config)
    _check_visits(notes, tmp_path / "data")
    assert "Press 4 for" in " ".join(notes["en-rating"])

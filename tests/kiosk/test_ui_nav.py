"""Use without sight on the real app under Xvfb: speech mode from a held panel key or a keypad
key, then a whole rating and a whole check-in in fi, sv and en with those keys only, the fake
speech recording what was said; real espeak-ng into WAV files; the focus frame drawn."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image

from hymy_dev.autopilot import PANEL_RELAY_ENV, PanelRelay
from kiosk.devices.simulate import PseudoTerminal
from kiosk.theme import PALETTE, contrast_ratio, hex_rgb
from kiosk.ui.focus import FRAME_DARK, FRAME_LIGHT
from tests.support.audio import assert_speech
from tests.support.kiosk_config import example_config_file
from tests.support.outbox import read_events

# What each language's visitor must hear (words of the catalogs and of the example config).
HEARD = {
    "fi": {
        "rating": ["Puheopastus on päällä", "Miten käyntisi sujui?", "Valitsit: ", "Kiitos"],
        "check-in": ["Vuoronumerosi on L ", "Laboratorio", "Odota laboratorion aulassa"],
    },
    "sv": {
        "rating": ["Uppläsningen är på", "Hur gick ditt besök?", "Du valde: ", "Tack"],
        "check-in": ["Ditt könummer är L ", "Laboratoriet", "Vänta i laboratoriets väntrum"],
    },
    "en": {
        "rating": ["Speech is on", "How did your visit go?", "You chose: ", "Thank you"],
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


def _frame_pixels(image: Image.Image, rect: list[float], band: float) -> tuple[int, int]:
    """(yellow, dark) pixels in the ring just around `rect` (window coordinates, origin at the
    bottom left) in the screenshot."""
    x, y, w, h = rect
    top = image.height - (y + h)  # the image's origin is at the top left
    reach = int(band * 2.5) + 2
    yellow = dark = 0
    pixels = image.load()
    for px in range(max(0, int(x) - reach), min(image.width, int(x + w) + reach)):
        for py in range(max(0, int(top) - reach), min(image.height, int(top + h) + reach)):
            inside = x + reach < px < x + w - reach and top + reach < py < top + h - reach
            if inside:
                continue
            r, g, b = pixels[px, py][:3]
            if abs(r - 0xFF) < 12 and abs(g - 0xD6) < 12 and b < 40:
                yellow += 1
            elif max(r, g, b) < 0x30:
                dark += 1
    return yellow, dark


@pytest.mark.parametrize(
    ("window", "script"),
    [
        ("800x480", "focus_frames"),
        ("480x800", "focus_frames"),
        ("800x480", "focus_frames_in_large_text"),
    ],
)
def test_the_focus_frame_is_drawn_and_stands_out(kiosk_run, tmp_path, window, script) -> None:
    shots = tmp_path / "shots"
    notes = kiosk_run(
        f"ui_scripts_nav:{script}",
        config=example_config_file(tmp_path, speech={"engine": "fake"}),
        shots=shots,
        window=window,
    )
    assert set(notes["frames"]) == {"start-card", "rating-smiley", "service-point", "ticket-done"}
    with Image.open(shots / "no-speech-mode.png") as image:
        colours = image.convert("RGB").getcolors(1 << 20)
    assert not [c for _n, c in colours if c[0] > 240 and 200 < c[1] < 220 and c[2] < 40]
    for name, frame in notes["frames"].items():
        assert frame["band"] >= 3, f"{name}: bands of {frame['band']} px"
        with Image.open(shots / f"{name}.png") as image:
            yellow, dark = _frame_pixels(image.convert("RGB"), frame["rect"], frame["band"])
        _x, _y, w, h = frame["rect"]
        perimeter = 2 * (w + h)
        # Each band all the way round, at least 3 px: the yellow one, and the dark ones.
        assert yellow >= perimeter * 3 * 0.9, f"{name}: {yellow} yellow pixels, {perimeter}"
        assert dark >= perimeter * 3 * 0.9, f"{name}: {dark} dark pixels"
    # The frame's colours against the kiosk's: the dark band against the light background and
    # the white buttons, the yellow one against the dark buttons, at least 3:1 (WCAG 2.4.13).
    for ours, theirs in (
        (FRAME_DARK, PALETTE.background),
        (FRAME_DARK, PALETTE.surface),
        (FRAME_LIGHT, PALETTE.primary),
        (FRAME_LIGHT, PALETTE.secondary),
        (FRAME_LIGHT, FRAME_DARK),
    ):
        assert contrast_ratio(hex_rgb(ours), hex_rgb(theirs)) >= 3


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_espeak_ng_speaks_the_ticket_into_wav_files(kiosk_run, tmp_path) -> None:
    said = tmp_path / "said"
    config = example_config_file(tmp_path, speech={"engine": "espeak-ng", "wav_dir": str(said)})
    notes = kiosk_run("ui_scripts_nav:espeak_visit", config=config)
    files = sorted(said.glob("*-fi.wav"))
    assert files, "nothing was spoken"
    assert_speech(files[-1], min_seconds=3.0)  # the number, the service point and the way
    (event,) = read_events(tmp_path / "data")
    assert event["ticket"] == notes["ticket"]


def test_the_time_warning_is_spoken_and_holds_the_focus(kiosk_run, tmp_path) -> None:
    # Speech mode doubles the times: a warning 6 s before a reset after 12 s untouched.
    config = example_config_file(
        tmp_path, speech={"engine": "fake"}, timeouts__inactivity=6, timeouts__warning=3
    )
    notes = kiosk_run("ui_scripts_nav:time_warning_in_speech_mode", config=config)
    said = notes["said_with_warning"]
    assert any("Tarvitsetko lisää aikaa?" in s for s in said), notes
    assert any("Jatka" in s for s in said), said
    assert notes["with_warning"] == "more-time"
    assert (notes["screen"], notes["after_warning"]) == ("rating", "smiley-4")


def test_an_overlay_inside_the_screen_can_be_given_the_focus(kiosk_run, tmp_path) -> None:
    config = example_config_file(tmp_path, speech={"engine": "fake"})
    notes = kiosk_run("ui_scripts_nav:overlay_in_the_screen_holds_the_focus", config=config)
    assert (notes["with_overlay"], notes["said_with_overlay"]) == ("more-time", "Continue")
    assert notes["after_overlay"] == "smiley-4"

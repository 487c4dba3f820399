"""Eight languages on the real kiosk under Xvfb: the language picker, a visit in Ukrainian and
one in selkosuomi recorded under their tags, and each language's on-screen keyboard."""

from __future__ import annotations

import pytest

from tests.support.kiosk_config import example_config_file
from tests.support.outbox import read_events
from tests.support.screenshots import screenshot_problems

pytestmark = pytest.mark.ui

EIGHT = ["fi", "sv", "en", "fi-x-easy", "sv-x-easy", "uk", "ru", "et"]
AUTONYMS = {
    "fi": "Suomi",
    "sv": "Svenska",
    "en": "English",
    "fi-x-easy": "Selkosuomi",
    "sv-x-easy": "Lättläst svenska",
    "uk": "Українська",
    "ru": "Русский",
    "et": "Eesti",
}
CYRILLIC = set("абвгґдеєжзиіїйклмнопрстуфхцчшщьюяыэъё")


def test_the_picker_sets_ukrainian_and_the_answer_is_recorded_in_it(kiosk_run, tmp_path):
    config = example_config_file(tmp_path, kiosk__languages=EIGHT)
    shots = tmp_path / "shots"
    notes = kiosk_run("ui_scripts_lang:picker_rate_in_ukrainian", config=config, shots=shots)

    # One language button on the top bar, not eight.
    assert "languages" in notes["start_controls"]
    assert not [c for c in notes["start_controls"] if c.startswith("lang-")]
    # Every language by its own name, in the config's order; the one in use marked.
    assert notes["picker"] == {f"language-{tag}": AUTONYMS[tag] for tag in EIGHT}
    assert list(notes["picker"]) == [f"language-{tag}" for tag in EIGHT]
    assert notes["picker_selected"] == ["language-fi"]
    assert notes["after_back"] == "fi"
    # The bar's button names the language in use.
    assert notes["bar"] == {"uk": "Українська", "fi-x-easy": "Selkosuomi"}
    assert notes["reset_to"] == "fi"  # the next visitor starts in the default language

    events = read_events(tmp_path / "data")
    assert [(e["language"], e["rating"]) for e in events] == [("uk", 3), ("fi-x-easy", 3)]
    assert events[0]["comment"] == "Дякую, все добре"
    assert events[1]["comment"] == "Kiitos"
    assert set("".join(notes["letters"]["uk"]).lower()) >= set("їієґ")
    assert set("".join(notes["letters"]["uk"]).lower()) <= CYRILLIC

    pictures = sorted(shots.glob("*.png"))
    assert {p.stem for p in pictures} >= {
        "languages-from-fi",
        "rating-uk",
        "comment-uk",
        "rating-fi-x-easy",
        "comment-fi-x-easy",
    }
    assert screenshot_problems(pictures, "800x480") == []


def test_every_language_has_its_keyboard_with_keys_of_touch_size(kiosk_run, tmp_path):
    config = example_config_file(tmp_path, kiosk__languages=EIGHT)
    notes = kiosk_run("ui_scripts_lang:keyboards_of_every_language", config=config)

    keys = notes["keys"]
    assert set(keys["uk"]["letters"]) >= set("йцукенгшщзхїфівапролджєячсмитьбюґ")
    assert set(keys["ru"]["letters"]) >= set("йцукенгшщзхъфывапролджэячсмитьбюё")
    assert set(keys["uk"]["letters"]) <= CYRILLIC and set(keys["ru"]["letters"]) <= CYRILLIC
    assert set(keys["et"]["letters"]) >= set("õäöüšž")
    assert keys["fi-x-easy"]["letters"] == keys["fi"]["letters"]
    assert keys["sv-x-easy"]["letters"] == keys["sv"]["letters"]
    assert "å" in keys["fi"]["letters"]
    assert {lang: keys[lang]["back_to_letters"] for lang in ("fi", "uk", "ru", "et")} == {
        "fi": "abc",
        "uk": "абв",
        "ru": "абв",
        "et": "abc",
    }
    # The 7" display (800x480): every key on the screen, at least 12 mm wide and high.
    for language, found in keys.items():
        assert found["inside"], f"{language}: a key off the screen"
        assert found["narrowest"] >= notes["touch_min"] - 0.5, (language, found)
        assert found["lowest"] >= notes["touch_min"] - 0.5, (language, found)


def test_the_picker_returns_where_it_was_opened_and_gives_way_when_left(kiosk_run, tmp_path):
    config = example_config_file(tmp_path, kiosk__languages=EIGHT, timeouts__inactivity=5)
    shots = tmp_path / "shots"
    notes = kiosk_run("ui_scripts_lang:picker_back_and_left_open", config=config, shots=shots)

    assert notes["back_to"] == "rating"
    assert notes["chosen_to"] == ["rating", "et"]
    assert notes["title_et"] == ["Valige keel"]  # the picker speaks the language in use
    assert notes["left_mid_visit"] == ["start", "fi"]
    assert notes["left_at_start"] == "start"
    assert read_events(tmp_path / "data") == []  # nobody rated
    assert screenshot_problems(sorted(shots.glob("*.png")), "800x480") == []


def test_in_a_portrait_window_every_key_stays_on_the_screen(kiosk_run, tmp_path):
    """480 px leave no room for eleven keys of 12 mm: the keys shrink rather than leave the
    screen (Backspace among them)."""
    config = example_config_file(tmp_path, kiosk__languages=EIGHT)
    notes = kiosk_run(
        "ui_scripts_lang:keyboards_of_every_language", config=config, window="480x800"
    )
    assert {language: found["inside"] for language, found in notes["keys"].items()} == {
        language: True for language in EIGHT
    }


@pytest.mark.parametrize("window", ["800x480", "1280x720"])
def test_the_comment_field_keeps_two_lines_in_every_language(kiosk_run, tmp_path, window):
    config = example_config_file(tmp_path, kiosk__languages=EIGHT)
    shots = tmp_path / "shots"
    notes = kiosk_run(
        "ui_scripts_lang:comment_screen_in_every_language",
        config=config,
        window=window,
        shots=shots,
    )
    short = {lang: round(n, 1) for lang, n in notes["field_lines"].items() if n < 2}
    assert not short, f"the comment field is under two lines high in {short}"
    assert screenshot_problems(sorted(shots.glob("*.png")), window) == []

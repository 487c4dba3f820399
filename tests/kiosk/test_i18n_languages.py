"""The kiosk's eight languages: every catalog complete and in its own script, the tags loaded
(easy-read ones falling back to their base), config texts falling back, and the tags on the wire."""

from __future__ import annotations

import re
import string

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from kiosk.config import ConfigError, parse_config, text
from kiosk.i18n import Catalogs, available_languages, base_language, text_fallbacks
from kiosk.typography import keep_together
from sync.protocol import ProtocolError, parse_event
from tests.support.paths import EXAMPLE_CONFIG, ROOT

LOCALE = ROOT / "assets" / "locale"
LANGUAGES = ("fi", "sv", "en", "fi-x-easy", "sv-x-easy", "uk", "ru", "et")
NEW = ("fi-x-easy", "sv-x-easy", "uk", "ru", "et")
AUTONYMS = {
    "fi-x-easy": "Selkosuomi",
    "sv-x-easy": "Lättläst svenska",
    "uk": "Українська",
    "ru": "Русский",
    "et": "Eesti",
}
CYRILLIC = ("uk", "ru")
# Words written in Latin letters in Ukrainian and Russian too: "PIN-код".
LATIN_IN_CYRILLIC = {"PIN"}


def catalog(language: str):
    with (LOCALE / language / "LC_MESSAGES" / "hymy.po").open("rb") as f:
        return read_po(f, locale=base_language(language))


def fields(message: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(message) if name}


def msgids() -> set[str]:
    """The messages of the kiosk, as the English catalog (kept in step by extract_messages) has
    them."""
    return {m.id for m in catalog("en") if m.id}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_catalog_has_every_message_translated_with_its_placeholders(language):
    po = catalog(language)
    wanted = msgids()
    assert len(wanted) > 60
    have = {m.id for m in po if m.id}
    assert not wanted - have, f"{language} misses {sorted(wanted - have)}"
    for message in wanted:
        entry = po.get(message)
        assert entry.string and entry.string.strip(), f"{language}: empty {message!r}"
        assert not entry.fuzzy, f"{language}: fuzzy {message!r}"
        assert fields(entry.string) == fields(message), f"{language}: placeholders of {message!r}"


@pytest.mark.parametrize("language", CYRILLIC)
def test_ukrainian_and_russian_are_written_in_cyrillic(language):
    for entry in catalog(language):
        if not entry.id:
            continue
        words = re.findall(r"[^\W\d_]{2,}", re.sub(r"\{\w+\}", "", entry.string))  # "A+" is no word
        latin = [w for w in words if re.search("[A-Za-z]", w) and w not in LATIN_IN_CYRILLIC]
        assert not latin, f"{language}: Latin letters in {entry.string!r} ({entry.id!r})"


def test_a_mistranslation_into_latin_letters_would_be_found():
    words = re.findall(r"[^\W\d_]+", "Дякуємо за feedback!")
    assert [w for w in words if re.search("[A-Za-z]", w)] == ["feedback"]


@pytest.mark.parametrize("language", ("fi-x-easy", "sv-x-easy", "et"))
def test_the_latin_catalogs_are_not_left_in_english(language):
    po = catalog(language)
    words = [m for m in po if m.id and re.search("[A-Za-z]", re.sub(r"\{\w+\}", "", m.id))]
    same = [m.id for m in words if m.string == m.id and len(m.id) > 12]
    assert not same, f"{language}: untranslated {same}"


def test_the_new_catalogs_load_under_their_tags_with_their_own_names():
    assert set(available_languages()) >= set(LANGUAGES)
    catalogs = Catalogs(LANGUAGES)
    assert {lang: catalogs.autonym(lang) for lang in NEW} == AUTONYMS
    assert catalogs.gettext("uk", "Thank you for your feedback!") == "Дякуємо за ваш відгук!"
    assert catalogs.gettext("fi-x-easy", "Thank you for your feedback!") == "Kiitos palautteesta!"
    assert catalogs.gettext("et", "Send") == "Saada"


def test_an_easy_read_catalog_falls_back_to_its_base_language(tmp_path):
    for language, thanks in (("fi", "Kiitos palautteestasi!"), ("fi-x-easy", None)):
        folder = tmp_path / language / "LC_MESSAGES"
        folder.mkdir(parents=True)
        po = Catalog(locale="fi")
        po.add("English", "Suomi" if language == "fi" else "Selkosuomi")
        if thanks:
            po.add("Thank you for your feedback!", thanks)
        with (folder / "hymy.mo").open("wb") as f:
            write_mo(f, po)
    catalogs = Catalogs(["fi-x-easy"], directory=tmp_path)
    assert catalogs.autonym("fi-x-easy") == "Selkosuomi"
    assert catalogs.gettext("fi-x-easy", "Thank you for your feedback!") == "Kiitos palautteestasi!"
    assert catalogs.gettext("fi-x-easy", "Send") == "Send"  # nowhere: the English msgid


def test_config_texts_fall_back_from_easy_read_to_base_and_from_others_to_english():
    assert base_language("fi-x-easy") == "fi"
    assert base_language("uk") == "uk"
    assert text_fallbacks("fi-x-easy") == ("fi-x-easy", "fi")
    assert text_fallbacks("sv-x-easy") == ("sv-x-easy", "sv")
    assert text_fallbacks("uk") == ("uk", "en")
    assert text_fallbacks("fi") == ("fi",)
    assert text_fallbacks("en") == ("en",)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_catalog_tag_is_a_language_the_wire_accepts(language):
    event = {
        "id": "3f2504e0-4f89-41d3-9a0c-0305e82c3301",
        "type": "feedback",
        "occurred_at": "2026-11-23T08:15:00+02:00",
        "boot_id": "boot-1",
        "monotonic_ms": 1000,
        "language": language,
        "rating": 4,
    }
    assert parse_event(event).language == language
    with pytest.raises(ProtocolError, match="language"):
        parse_event({**event, "language": language.upper()})


def test_every_compiled_catalog_is_one_of_the_eight():
    assert set(available_languages()) == set(LANGUAGES)


# --- the kiosk config -------------------------------------------------------------------------

EXAMPLE = EXAMPLE_CONFIG.read_text(encoding="utf-8")
EIGHT = 'languages = ["fi", "sv", "en", "fi-x-easy", "sv-x-easy", "uk", "ru", "et"]'


def with_languages(line: str) -> str:
    assert 'languages = ["fi", "sv", "en"]' in EXAMPLE
    return EXAMPLE.replace('languages = ["fi", "sv", "en"]', line, 1)


def test_the_config_takes_the_eight_languages_without_texts_of_their_own():
    config = parse_config(with_languages(EIGHT), source="kiosk.toml", available_languages=LANGUAGES)
    assert config.kiosk.languages == LANGUAGES
    lab = config.service_point("laboratorio").name
    assert text(lab, "fi-x-easy") == text(lab, "fi") == lab["fi"]
    assert text(lab, "sv-x-easy") == lab["sv"]
    assert text(lab, "uk") == text(lab, "et") == lab["en"]
    assert text({"fi": "Laboratorio", "uk": "Лабораторія"}, "uk") == "Лабораторія"
    assert text({"fi": "Laboratorio"}, "ru") == "Laboratorio"  # the first it has


def test_the_config_names_a_language_without_a_catalog_or_listed_twice():
    found = config_problems(
        with_languages('languages = ["fi", "sv", "en", "uk", "fi-x-selko", "uk"]')
    )
    assert any("'fi-x-selko' has no translation" in m for m in found["kiosk.languages"])
    assert "lists 'uk' more than once" in found["kiosk.languages"]


def test_a_language_the_station_writes_its_texts_in_still_needs_them():
    text_ = with_languages(EIGHT).replace(
        'station_name = { fi = "Kalevan terveysasema", sv = "Kalevas hälsostation", '
        'en = "Kaleva Health Station" }',
        'station_name = { fi = "Kalevan terveysasema", sv = "Kalevas hälsostation" }',
    )
    assert config_problems(text_)["kiosk.station_name"] == ["has no text for en; add it"]


def config_problems(text_: str) -> dict[str, list[str]]:
    with pytest.raises(ConfigError) as caught:
        parse_config(text_, source="kiosk.toml", available_languages=LANGUAGES)
    found: dict[str, list[str]] = {}
    for problem in caught.value.problems:
        found.setdefault(problem.key, []).append(problem.message)
    return found


@pytest.mark.parametrize("language", NEW)
def test_the_new_catalogs_keep_their_units_together(language):
    """As in Finnish and Swedish (tests/kiosk/test_typography.py): no line break between a
    number and its word, or after a one-letter word ("в\u00a0черзі", "på\u00a01")."""
    breakable = [
        m.string for m in catalog(language) if m.id and keep_together(m.string) != m.string
    ]
    assert not breakable, f"{language}: a line may break inside a unit in {breakable}"

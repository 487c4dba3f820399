"""The catalogs hold every visible string of the kiosk, translated into Finnish and Swedish."""

from __future__ import annotations

import re
import runpy
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from kiosk.i18n import Catalogs, available_languages
from tests.support.paths import ROOT

LOCALE = ROOT / "assets" / "locale"
extract = runpy.run_path(str(ROOT / "scripts" / "extract_messages.py"))["extract_messages"]


def catalog(language: str):
    with (LOCALE / language / "LC_MESSAGES" / "hymy.po").open("rb") as f:
        return read_po(f, locale=language)


def fields(message: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(message) if name}


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_every_message_of_the_kiosk_is_translated(language):
    po = catalog(language)
    used = extract()
    assert len(used) > 30
    for message, places in used.items():
        entry = po.get(message)
        assert entry is not None and entry.string, f"{language}: {message!r} ({places[0]})"
        assert not entry.fuzzy, f"{language}: fuzzy {message!r}"
        assert fields(entry.string) == fields(message), f"{language}: placeholders of {message!r}"


def test_no_message_is_left_over_in_the_catalogs():
    used = set(extract())
    stale = {m.id for m in catalog("fi") if m.id} - used
    assert not stale, f"in fi.po but used nowhere: {stale}"


def test_catalogs_are_compiled_and_load():
    assert set(available_languages()) >= {"fi", "sv", "en"}
    catalogs = Catalogs(["fi", "sv", "en"])
    assert [catalogs.autonym(lang) for lang in ("fi", "sv", "en")] == [
        "Suomi",
        "Svenska",
        "English",
    ]
    assert catalogs.gettext("fi", "Thank you for your feedback!") == "Kiitos palautteestasi!"
    assert catalogs.gettext("sv", "Thank you for your feedback!") == "Tack för din respons!"


KV_LITERAL_TEXT = re.compile(r'^\s*text:\s*"[^"]*[A-Za-zÅÄÖåäö]')
PY_LITERAL_TEXT = re.compile(r'\btext\s*=\s*"[^"]*[A-Za-zÅÄÖåäö]')


def test_no_visible_text_bypasses_the_catalogs():
    offenders = []
    for path in (ROOT / "kiosk" / "ui").rglob("*.kv"):
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if KV_LITERAL_TEXT.match(line):
                offenders.append(f"{path.relative_to(ROOT)}:{lineno}: {line.strip()}")
    for path in (ROOT / "kiosk" / "ui").rglob("*.py"):
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if PY_LITERAL_TEXT.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{lineno}: {line.strip()}")
    assert not offenders, "visible text outside the catalogs:\n" + "\n".join(offenders)


def test_a_language_without_a_catalog_is_a_clear_error(tmp_path: Path):
    from kiosk.i18n import CatalogMissingError

    with pytest.raises(CatalogMissingError, match="compile"):
        Catalogs(["de"], directory=tmp_path)

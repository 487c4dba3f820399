"""The console's catalogs (domain `console`) hold every visible string of the web console,
translated into Finnish and Swedish: no empty or fuzzy entry, the same placeholders as the
English, plural forms where the code counts, nothing the code no longer says, and they compile
and load (the pages come out in Finnish and Swedish)."""

from __future__ import annotations

import re
import runpy
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from central.web import i18n, templating
from tests.support.console import person, sign_in
from tests.support.paths import ROOT

LOCALE = ROOT / "assets" / "locale"
EXTRACTOR = runpy.run_path(str(ROOT / "scripts" / "extract_messages.py"))
COMPILE = runpy.run_path(str(ROOT / "scripts" / "compile_catalogs.py"))["compile_catalogs"]
TRANSLATED = ("fi", "sv")
# A printf placeholder: %(name)s, %(n)d, %s; "%%" is a literal percent sign.
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[#0 +-]*\d*(?:\.\d+)?([diouxXeEfFgGcrsa%])")


def used() -> dict:
    """msgid (or (singular, plural)) -> places, as the extractor finds them in this tree."""
    return EXTRACTOR["extract_console_messages"]()


def catalog(language: str):
    with (LOCALE / language / "LC_MESSAGES" / "console.po").open("rb") as f:
        return read_po(f, locale=language)


def placeholders(text: str) -> Counter:
    return Counter(m.groups() for m in PLACEHOLDER.finditer(text) if m.group(2) != "%")


def forms(value: str | tuple) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_console_message_is_translated(language: str) -> None:
    po = catalog(language)
    messages = used()
    assert len(messages) > 100
    for message, places in messages.items():
        singular = forms(message)[0]
        entry = po.get(singular)
        where = f"{language}: {singular!r} ({places[0]})"
        assert entry is not None, f"{where} is not in the catalog: run scripts/extract_messages.py"
        assert entry.id == message, f"{where}: the catalog's plural differs from the code's"
        assert all(forms(entry.string)), f"{where} is not translated"
        assert not entry.fuzzy, f"{where} is fuzzy"


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_the_placeholders_and_format(language: str) -> None:
    """Jinja2's gettext formats every translation with % (also one without variables), so a
    lone % in a translation would break the page; a placeholder lost or misspelt would too."""
    for entry in catalog(language):
        if not entry.id:
            continue
        wanted = placeholders(forms(entry.id)[0])
        values = {name: 7 for name, _ in wanted if name}
        for text in forms(entry.string):
            assert placeholders(text) == wanted, f"{language}: placeholders of {entry.id!r}"
            text % values  # raises on a stray %


def test_the_english_catalog_has_the_messages_and_no_translations() -> None:
    po = catalog("en")
    assert {m.id for m in po if m.id} == set(used())
    assert not [m.id for m in po if m.id and any(forms(m.string))]


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_no_message_is_left_over_in_the_catalogs(language: str) -> None:
    stale = {m.id for m in catalog(language) if m.id} - set(used())
    assert not stale, f"in {language}/console.po but used nowhere: {stale}"


def test_templates_say_at_run_time_what_the_catalogs_hold() -> None:
    """The extractor trims {% trans %} blocks, the console's Jinja2 does not: a block spread
    over lines would be looked up untrimmed and stay English."""
    keywords = EXTRACTOR["CONSOLE_KEYWORDS"]
    for path in sorted((ROOT / "central" / "web" / "templates").glob("*.html")):
        found = {}
        for trimmed in ("true", "false"):
            options = {"extensions": "jinja2.ext.i18n", "trimmed": trimmed}
            found[trimmed] = [
                message
                for _, message, _, _ in extract_from_file(
                    "jinja2.ext:babel_extract", str(path), keywords=keywords, options=options
                )
            ]
        assert found["true"] == found["false"], f"{path.name}: a {{% trans %}} block over lines"


@pytest.fixture
def compiled(tmp_path: Path) -> Iterator[Path]:
    """This tree's catalogs compiled into tmp_path, and the console reading them (a venv
    shared by worktrees would read another checkout's packaged catalogs)."""
    locale = tmp_path / "locale"
    shutil.copytree(LOCALE, locale, ignore=shutil.ignore_patterns("*.mo"))
    COMPILE(locale)
    original = i18n.locale_dir
    i18n.locale_dir = lambda: locale
    i18n.translations.cache_clear()
    templating.environment.cache_clear()
    yield locale
    i18n.locale_dir = original
    i18n.translations.cache_clear()
    templating.environment.cache_clear()


def test_catalogs_compile_and_load(compiled: Path) -> None:
    assert (compiled / "fi" / "LC_MESSAGES" / "console.mo").exists()
    assert i18n.translations("fi").gettext("Sign in") == "Kirjaudu sisään"
    assert i18n.translations("sv").gettext("Sign in") == "Logga in"
    assert i18n.translations("en").gettext("Sign in") == "Sign in"
    plural = next(m for m in used() if isinstance(m, tuple))
    for language in TRANSLATED:
        one, many = (i18n.translations(language).ngettext(*plural, n) for n in (1, 3))
        assert one != plural[0] and many != plural[1] and one != many, language


def test_pages_come_out_in_finnish_and_swedish(compiled: Path, client: TestClient) -> None:
    login = client.get("/login", headers={"Accept-Language": "sv-FI,sv;q=0.9"})
    assert 'lang="sv"' in login.text and "Logga in i Hymy" in login.text
    person(client)
    sign_in(client, "hoitaja@example.fi")
    page = client.get("/comments", headers={"Accept-Language": "fi"})
    assert page.status_code == 200
    assert "Kommentit" in page.text and "Kirjaudu ulos" in page.text
    assert "Sign out" not in page.text


def test_what_a_site_edit_changes_is_said_in_the_admins_language(compiled: Path) -> None:
    """The admin's preview and save list the changes in their language; the CLI and the
    audit lines keep the English."""
    from central.site_changes import site_changes
    from central.sites import parse_site
    from tests.support.paths import EXAMPLE_SITE

    text = EXAMPLE_SITE.read_text(encoding="utf-8")
    old = parse_site(text)
    new = parse_site(text.replace('id = "neuvola"', 'id = "rokotukset"', 1))
    assert "service point added: rokotukset" in site_changes(old, new)
    finnish = site_changes(old, new, i18n.translations("fi").gettext)
    assert "palvelupiste lisätty: rokotukset" in finnish
    swedish = site_changes(old, new, i18n.translations("sv").gettext)
    assert "servicepunkt tillagd: rokotukset" in swedish

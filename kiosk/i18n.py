"""The kiosk's translations: gettext catalogs, assets/locale/<lang>/LC_MESSAGES/hymy.mo.

Every string a visitor or an IT person sees on the kiosk goes through `Catalogs.gettext`. The msgids
are the English texts; each language's own name (for the language buttons) is the translation of
the msgid "English" in that language's catalog, so it lives in the catalogs too.

Languages are BCP 47 tags, the catalog folders' names: "fi", "uk", and for easy-read (plain
language) versions a private-use tag on the base language, "fi-x-easy" (selkosuomi) and
"sv-x-easy" (lättläst svenska). An easy-read catalog falls back to its base language's catalog for
a message it lacks; every other catalog to the English msgid.
"""

from __future__ import annotations

import gettext
import logging
from collections.abc import Iterable
from importlib.resources import files
from pathlib import Path

DOMAIN = "hymy"

log = logging.getLogger(__name__)


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a message for the catalogs where it is translated later, at display time."""
    return message


# Each language's own name is the translation of "English" in its catalog.
AUTONYM_MSGID = N_("English")
# The languages the station writes its own config texts in (names of service points, reasons):
# every other language falls back to one of them.
TEXT_LANGUAGES = ("fi", "sv", "en")
PRIVATE_USE = "-x-"  # "fi-x-easy": easy-read Finnish


def base_language(language: str) -> str:
    """The language a private-use variant is of ("fi-x-easy" -> "fi"); others are their own."""
    return language.split(PRIVATE_USE)[0]


def text_fallbacks(language: str) -> tuple[str, ...]:
    """Where a config text (a station's or service point's name) in the language is looked for,
    in order: the language itself, then for an easy-read variant its base language, and for a
    language the station writes no texts in, English ("fi-x-easy" -> fi-x-easy, fi;
    "uk" -> uk, en; "fi" -> fi)."""
    chain = [language, base_language(language)]
    if chain[-1] not in TEXT_LANGUAGES:
        chain.append("en")
    return tuple(dict.fromkeys(chain))


class CatalogMissingError(Exception):
    """A language has no compiled catalog (.mo)."""


def locale_dir() -> Path:
    """Where the compiled catalogs of the installed package live."""
    return Path(str(files("hymy_assets").joinpath("locale")))


def available_languages(directory: Path | None = None) -> tuple[str, ...]:
    """Languages that have a compiled catalog, sorted."""
    directory = directory or locale_dir()
    return tuple(sorted(p.parent.parent.name for p in directory.glob(f"*/LC_MESSAGES/{DOMAIN}.mo")))


def _load(directory: Path, language: str) -> gettext.GNUTranslations:
    """The compiled catalog of the language, read from its file: gettext's own lookup would
    normalise the folder's name as a POSIX locale, which a tag such as "fi-x-easy" is not."""
    path = directory / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
    try:
        with path.open("rb") as mo_file:
            return gettext.GNUTranslations(mo_file)
    except FileNotFoundError as err:
        raise CatalogMissingError(
            f"No compiled catalog for language {language!r} in {directory}; run "
            "`make setup` (or `python scripts/compile_catalogs.py`) to compile them."
        ) from err


class Catalogs:
    """Compiled gettext catalogs for a set of languages, loaded once at start-up."""

    def __init__(self, languages: Iterable[str], directory: Path | None = None) -> None:
        """Load the catalog of each language.

        Raises CatalogMissingError when a language has no compiled catalog.
        """
        directory = directory or locale_dir()
        self._translations: dict[str, gettext.NullTranslations] = {}
        for language in languages:
            self._translations[language] = _load(directory, language)
            base = base_language(language)
            if base != language and (directory / base / "LC_MESSAGES" / f"{DOMAIN}.mo").exists():
                # A message the easy-read catalog lacks is shown in the base language, not English.
                self._translations[language].add_fallback(_load(directory, base))

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self._translations)

    def gettext(self, language: str, message: str) -> str:
        """The message in the language; the English msgid where the language has no catalog."""
        translation = self._translations.get(language)
        return translation.gettext(message) if translation else message

    def ngettext(self, language: str, singular: str, plural: str, n: int) -> str:
        translation = self._translations.get(language)
        if translation is None:
            return singular if n == 1 else plural
        return translation.ngettext(singular, plural, n)

    def autonym(self, language: str) -> str:
        """The language's name in itself ("Suomi", "Svenska", "English", "Українська")."""
        return self.gettext(language, AUTONYM_MSGID)

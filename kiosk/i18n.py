"""The kiosk's translations: gettext catalogs, assets/locale/<lang>/LC_MESSAGES/hymy.mo.

Every string a visitor or an IT person sees on the kiosk goes through `Catalogs.gettext`. The msgids
are the English texts; each language's own name (for the language buttons) is the translation of
the msgid "English" in that language's catalog, so it lives in the catalogs too.
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


class CatalogMissingError(Exception):
    """A language has no compiled catalog (.mo)."""


def locale_dir() -> Path:
    """Where the compiled catalogs of the installed package live."""
    return Path(str(files("hymy_assets").joinpath("locale")))


def available_languages(directory: Path | None = None) -> tuple[str, ...]:
    """Languages that have a compiled catalog, sorted."""
    directory = directory or locale_dir()
    return tuple(sorted(p.parent.parent.name for p in directory.glob(f"*/LC_MESSAGES/{DOMAIN}.mo")))


class Catalogs:
    """Compiled gettext catalogs for a set of languages, loaded once at start-up."""

    def __init__(self, languages: Iterable[str], directory: Path | None = None) -> None:
        """Load the catalog of each language.

        Raises CatalogMissingError when a language has no compiled catalog.
        """
        directory = directory or locale_dir()
        self._translations: dict[str, gettext.NullTranslations] = {}
        for language in languages:
            try:
                self._translations[language] = gettext.translation(
                    DOMAIN, localedir=str(directory), languages=[language]
                )
            except FileNotFoundError as err:
                raise CatalogMissingError(
                    f"No compiled catalog for language {language!r} in {directory}; run "
                    "`make setup` (or `python scripts/compile_catalogs.py`) to compile them."
                ) from err

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
        """The language's name in itself ("Suomi", "Svenska", "English")."""
        return self.gettext(language, AUTONYM_MSGID)

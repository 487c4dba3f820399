"""The console's languages: gettext catalogs of the domain `console` (assets/locale, beside the
kiosk's), and which language a request gets: the person's own choice, else the language cookie
set on the sign-in page, else the browser's Accept-Language, else Finnish."""

from __future__ import annotations

import gettext
from functools import cache
from importlib.resources import files
from pathlib import Path

from babel import Locale, negotiate_locale

DOMAIN = "console"
LANGUAGES = ("fi", "sv", "en")
DEFAULT = "fi"
LANGUAGE_COOKIE = "hymy_lang"
# Each language's name in itself, for the language switch.
AUTONYMS = {"fi": "suomi", "sv": "svenska", "en": "English"}


def locale_dir() -> Path:
    """The packaged catalogs (hymy_assets/locale)."""
    return Path(str(files("hymy_assets").joinpath("locale")))


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The compiled catalog of `language`; English (the msgids) when there is none."""
    return gettext.translation(DOMAIN, str(locale_dir()), [language], fallback=True)


@cache
def locale(language: str) -> Locale:
    """The Babel locale for numbers and dates: fi_FI, sv_FI (Finland's Swedish), en_GB."""
    return Locale.parse({"fi": "fi_FI", "sv": "sv_FI", "en": "en_GB"}.get(language, "fi_FI"))


def chosen(language: str | None) -> str | None:
    """`language` when the console has it, else None."""
    return language if language in LANGUAGES else None


def from_browser(accept_language: str | None) -> str:
    """The best of our languages for an Accept-Language header (q-values honoured)."""
    wanted: list[tuple[float, str]] = []
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        if not tag:
            continue
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        wanted.append((q, tag.strip().replace("-", "_")))
    preferred = [tag for q, tag in sorted(wanted, key=lambda item: -item[0]) if q > 0]
    found = negotiate_locale(preferred, list(LANGUAGES), sep="_", aliases={})
    if found is None:  # "fi-FI" against "fi": match on the language part
        for tag in preferred:
            if tag.split("_")[0].lower() in LANGUAGES:
                return tag.split("_")[0].lower()
    return found or DEFAULT

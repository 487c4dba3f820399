"""The name of a kiosk visitor's language (a BCP 47 tag of the wire format: "fi", "uk",
"fi-x-easy") in the console's language (fi, sv or en), for the reports that list answers (pure).

The kiosks' own languages are named here, in the words a Finnish health station uses; any other
language the wire takes is named from Babel's locale data; an unknown private-use variant as its
base language with the tag in brackets, and a tag nobody knows as itself.
"""

from __future__ import annotations

from babel import Locale, UnknownLocaleError

PRIVATE_USE = "-x-"

# tag -> name in Finnish, Swedish and English, as a table's cell (a capital first).
NAMES: dict[str, dict[str, str]] = {
    "fi": {"fi": "Suomi", "sv": "Finska", "en": "Finnish"},
    "sv": {"fi": "Ruotsi", "sv": "Svenska", "en": "Swedish"},
    "en": {"fi": "Englanti", "sv": "Engelska", "en": "English"},
    "fi-x-easy": {"fi": "Selkosuomi", "sv": "Lättläst finska", "en": "Easy-read Finnish"},
    "sv-x-easy": {"fi": "Selkoruotsi", "sv": "Lättläst svenska", "en": "Easy-read Swedish"},
    "uk": {"fi": "Ukraina", "sv": "Ukrainska", "en": "Ukrainian"},
    "ru": {"fi": "Venäjä", "sv": "Ryska", "en": "Russian"},
    "et": {"fi": "Viro", "sv": "Estniska", "en": "Estonian"},
    "se": {"fi": "Pohjoissaame", "sv": "Nordsamiska", "en": "Northern Sámi"},
    "smn": {"fi": "Inarinsaame", "sv": "Enaresamiska", "en": "Inari Sámi"},
    "sms": {"fi": "Koltansaame", "sv": "Skoltsamiska", "en": "Skolt Sámi"},
}
READER_FALLBACK = "en"


def language_name(tag: str | None, reader: str) -> str | None:
    """The visitor language `tag` named in the reader's language `reader` (fi, sv or en;
    another reads English); None for an answer without a language."""
    if not tag:
        return None
    reader = reader if reader in NAMES["fi"] else READER_FALLBACK
    if tag in NAMES:
        return NAMES[tag][reader]
    base, private, _variant = tag.partition(PRIVATE_USE)
    if private:
        return f"{language_name(base, reader)} ({tag})"
    return _babel_name(tag, reader) or tag


def _babel_name(tag: str, reader: str) -> str | None:
    try:
        locale = Locale.parse(tag, sep="-")
    except (ValueError, UnknownLocaleError):
        return None
    name = locale.get_display_name(reader)
    return name[:1].upper() + name[1:] if name else None

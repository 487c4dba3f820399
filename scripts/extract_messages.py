"""Find every translatable message of the kiosk and of the web console, and bring their catalogs
up to date with them.

The kiosk (domain `hymy`): the first argument of `t(...)` / `N_(...)` in kiosk/ (Python) and of
`app.t("...")` in the .kv files. The console (domain `console`): `_(...)` / `gettext(...)` /
`ngettext(...)` / `N_(...)` in central/web/ (Python) and in its Jinja2 templates, and in the
central's own modules (central/*.py: overview, heatmap, comparison, site reports... make the
console's tables with English-msgid headings through a `gettext` parameter). Run after changing
visible text, then translate what is new in each .po:

    .venv/bin/python scripts/extract_messages.py
"""

from __future__ import annotations

import ast
import logging
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

sys.path.insert(0, str(Path(__file__).resolve().parent))  # as setup.py does
from compile_catalogs import babel_locale

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "assets" / "locale"
SOURCE_DIR = ROOT / "kiosk"
KEYWORDS = {"t": (1,), "N_": (1,), "gettext": (2,)}
CONSOLE_DIR = ROOT / "central" / "web"
# The central's modules beside the console (not recursive: not the API, CLI or migrations)
# whose tables the console shows with translated headings.
CONSOLE_MODULES_DIR = ROOT / "central"
# n_: a router's short name for a catalog's ngettext (fleet_page.py).
CONSOLE_KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "n_": (1, 2), "N_": None}
KV_MESSAGE = re.compile(r'app\.t\(\s*("(?:[^"\\]|\\.)*")')

log = logging.getLogger("extract_messages")


def extract_messages(source_dir: Path = SOURCE_DIR) -> dict[str, list[str]]:
    """msgid -> places ("file:line") where the kiosk's code and .kv rules use it."""
    found: dict[str, list[str]] = {}
    for path in sorted(source_dir.rglob("*.py")):
        for lineno, message, _comments, _context in extract_from_file(
            "python", str(path), keywords=KEYWORDS
        ):
            if isinstance(message, str):
                found.setdefault(message, []).append(f"{path.relative_to(ROOT)}:{lineno}")
    for path in sorted(source_dir.rglob("*.kv")):
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for literal in KV_MESSAGE.findall(line):
                found.setdefault(ast.literal_eval(literal), []).append(
                    f"{path.relative_to(ROOT)}:{lineno}"
                )
    return found


def _place(path: Path, lineno: int) -> str:
    return f"{path.relative_to(ROOT)}:{lineno}"


MessageId = str | tuple[str, str]  # a msgid, or (singular, plural) of an ngettext


def extract_console_messages(
    source_dir: Path = CONSOLE_DIR, modules_dir: Path | None = CONSOLE_MODULES_DIR
) -> dict[MessageId, list[str]]:
    """msgid -> places where the console's Python code and templates use it, and the central's
    modules that make its tables. A counted message is its (singular, plural) pair: without
    the plural in the catalog, ngettext finds no translation and shows the English."""
    found: dict[MessageId, list[str]] = {}
    modules = sorted(modules_dir.glob("*.py")) if modules_dir else []
    sources = [("python", p) for p in [*modules, *sorted(source_dir.rglob("*.py"))]]
    sources += [("jinja2.ext:babel_extract", p) for p in sorted(source_dir.rglob("*.html"))]
    for method, path in sources:
        options = {"extensions": "jinja2.ext.i18n", "trimmed": "true"}
        for lineno, message, _comments, _context in extract_from_file(
            method, str(path), keywords=CONSOLE_KEYWORDS, options=options
        ):
            key: MessageId | None = message if isinstance(message, str) else None
            if isinstance(message, tuple) and all(isinstance(m, str) for m in message[:2]):
                key = (message[0], message[1])
            if key:
                found.setdefault(key, []).append(_place(path, lineno))
    return found


def _translated(string: str | tuple[str, ...]) -> bool:
    """A msgstr, or every plural form of one, is there."""
    return all(string) if isinstance(string, tuple) else bool(string)


DOMAINS = {"hymy": extract_messages, "console": extract_console_messages}


def update_catalogs(locale_dir: Path = LOCALE_DIR, domain: str = "hymy") -> dict[str, list[str]]:
    """Add new messages to every .po of the domain (and drop vanished ones); language ->
    untranslated."""
    template = Catalog(project="hymy")
    for message, places in DOMAINS[domain]().items():
        template.add(
            message, locations=[(p.rsplit(":", 1)[0], int(p.rsplit(":", 1)[1])) for p in places]
        )
    untranslated: dict[str, list[str]] = {}
    for language_dir in sorted(locale_dir.glob("*/LC_MESSAGES")):
        po_path = language_dir / f"{domain}.po"
        language = language_dir.parent.name
        if not po_path.exists():
            if domain != "hymy":  # the kiosk has languages the console has not (uk, fi-x-easy)
                continue
            catalog = Catalog(locale=babel_locale(language), project="hymy", domain=domain)
        else:
            with po_path.open("rb") as f:
                catalog = read_po(f, locale=babel_locale(language))
        catalog.update(template, no_fuzzy_matching=True)
        with po_path.open("wb") as f:
            write_po(f, catalog, width=100, omit_header=False, ignore_obsolete=True)
        untranslated[language] = [m.id for m in catalog if m.id and not _translated(m.string)]
    return untranslated


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for domain in DOMAINS:
        for language, missing in update_catalogs(domain=domain).items():
            log.info(
                "%s %s: %d untranslated%s",
                domain,
                language,
                len(missing),
                "".join(f"\n  {m}" for m in missing),
            )

"""Compile the gettext catalogs under assets/locale (.po → .mo).

Run by the build (setup.py, also from the sdist: MANIFEST.in ships this file) and by
scripts/setup.sh, so an edited .po shows up on the next run:

    python scripts/compile_catalogs.py
"""

import logging
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent.parent / "assets" / "locale"

log = logging.getLogger("compile_catalogs")


def babel_locale(folder: str) -> str:
    """Babel's locale for a catalog folder: the folder's name, but for a private-use tag
    ("fi-x-easy", easy-read Finnish), which Babel cannot parse, its base language ("fi"), whose
    plural rules it shares."""
    return folder.split("-x-")[0]


def compile_catalogs(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """Write a .mo beside every .po under locale_dir and return the paths written."""
    written = []
    for po_path in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=babel_locale(po_path.parent.parent.name))
        mo_path = po_path.with_suffix(".mo")
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        written.append(mo_path)
    return written


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for path in compile_catalogs():
        log.info("compiled %s", path.relative_to(LOCALE_DIR.parent.parent))

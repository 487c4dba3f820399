"""kiosk.typography.keep_together, and the catalogs written by the same rules: no line break
inside "2. kerros", "huone 214" or "i dag"."""

from __future__ import annotations

import pytest
from babel.messages.pofile import read_po

from kiosk.typography import NO_BREAK_SPACE as NB
from kiosk.typography import keep_together
from tests.support.paths import ROOT


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Suun terveydenhuolto on 2. kerroksessa.", f"Suun terveydenhuolto on 2.{NB}kerroksessa."),
        ("Odota huoneen 214 edessä.", f"Odota huoneen{NB}214{NB}edessä."),
        ("Mene huone 214. Odota siellä.", f"Mene huone{NB}214. Odota siellä."),
        ("Hur gick ditt besök i dag?", f"Hur gick ditt besök i{NB}dag?"),
        (
            "Väntrummet är på 2:a våningen, rum B12.",
            f"Väntrummet är på 2:a{NB}våningen, rum{NB}B12.",
        ),
        ("Dental care is on the 2nd floor.", f"Dental care is on the 2nd{NB}floor."),
        ("Vastaanotto on auki klo 8.00–16.00.", f"Vastaanotto on auki klo{NB}8.00–16.00."),
        ("Laboratorio on aulan vieressä.", "Laboratorio on aulan vieressä."),
    ],
)
def test_units_are_kept_on_one_line(text: str, kept: str) -> None:
    assert keep_together(text) == kept


def test_a_sentence_ending_in_a_number_does_not_glue_the_next_sentence() -> None:
    assert keep_together("Huone 214. Odota.") == f"Huone{NB}214. Odota."


def test_keeping_together_twice_changes_nothing_more() -> None:
    text = "Suun terveydenhuolto on 2. kerroksessa, huone 214. Vänta i dag."
    assert keep_together(keep_together(text)) == keep_together(text)


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_the_catalogs_keep_their_units_together(language: str) -> None:
    """Every Finnish and Swedish translation already has its no-break spaces where
    keep_together would put them (a "2. kerros" or "i dag" with a plain space fails here)."""
    path = ROOT / "assets" / "locale" / language / "LC_MESSAGES" / "hymy.po"
    with path.open("rb") as po:
        catalog = read_po(po)
    breakable = [m.string for m in catalog if m.id and keep_together(m.string) != m.string]
    assert not breakable, f"{language}: a line may break inside a unit in {breakable}"


def test_the_catalog_check_would_find_a_plain_space() -> None:
    assert keep_together("Hammashoitola on 2. kerroksessa.") != "Hammashoitola on 2. kerroksessa."

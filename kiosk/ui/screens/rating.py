"""The rating screen: four smileys from very good to very poor, no neutral (the words are
kiosk.rating_words')."""

from __future__ import annotations

from kivy.app import App

from kiosk.rating_words import RATING_ORDER, RATING_WORDS
from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.widgets.buttons import fit_font


def shared_word_font(language: str, width: float, largest: float) -> float:
    """One font size for the four answers under faces `width` wide: the largest at which each
    answer's longest word fits, so the four read alike and their faces stay in line."""
    app = App.get_running_app()
    return min(fit_font(app.t(RATING_WORDS[r], language), width, largest) for r in RATING_ORDER)


class RatingScreen(KioskScreen):
    pass

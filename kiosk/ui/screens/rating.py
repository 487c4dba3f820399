"""The rating screen: four smileys from very happy to very unhappy, no neutral."""

from __future__ import annotations

from kiosk.i18n import N_
from kiosk.ui.screens.base import KioskScreen

# Left to right as on the feedback terminals Finnish visitors already know: happiest first.
RATING_ORDER = (4, 3, 2, 1)
RATING_WORDS = {
    4: N_("Very happy"),
    3: N_("Happy"),
    2: N_("Unhappy"),
    1: N_("Very unhappy"),
}


class RatingScreen(KioskScreen):
    pass

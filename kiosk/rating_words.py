"""The rating question and the words under its four faces, in one place: the rating screen, the
start screen's faces and the spoken screens all read them here, so what is asked and what the
answers say cannot drift apart.

The answers answer the question asked: "How did your visit go?" is answered "Very good" ... "Very
poor", not "Very happy" (that would answer "How satisfied are you?"). Messages are catalog
msgids; translate them at the screen.
"""

from __future__ import annotations

from kiosk.i18n import N_

QUESTION = N_("How did your visit go?")
# Left to right as on the feedback terminals Finnish visitors already know: the best first.
RATING_ORDER = (4, 3, 2, 1)
RATING_WORDS = {
    4: N_("Very good"),
    3: N_("Good"),
    2: N_("Poor"),
    1: N_("Very poor"),
}


def rating_word(rating: int) -> str:
    """The msgid of the answer for a rating 1..4.

    Raises KeyError for any other rating.
    """
    return RATING_WORDS[rating]

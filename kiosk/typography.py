"""Line breaks a reader would not make: a pure helper that glues the words of one unit together
with no-break spaces (U+00A0), so a wrapped label never ends a line with "2." and starts the next
with "kerros", or splits "huone 214" or "i dag".

The catalogs' translations are written with these spaces already (tests check that they obey
the same rules); `keep_together` is for texts that come from elsewhere: a service point's
directions and the help line in the kiosk config.
"""

from __future__ import annotations

import re

NO_BREAK_SPACE = "\u00a0"

# A number, an ordinal ("2." before a word in lower case: not a sentence's end) or an ordinal with
# its ending ("2nd", "2:a"), and the word after it: "2. kerros", "3 min", "2nd floor".
_NUMBER_THEN_WORD = re.compile(r"(?<![\w.])(\d+(?:st|nd|rd|th|:a|:e)?|\d+\.(?= +[a-zåäö])) +(?=\w)")
# A word and the number (or a room code such as "B12") after it: "huone 214", "rum B12", "klo 14";
# not an ordinal, which belongs to the word after it ("on 2. kerroksessa", "the 2nd floor").
_WORD_THEN_NUMBER = re.compile(r"(?<=\w) +(?=[A-ZÅÄÖ]?\d+(?![\w:])(?!\.[ \u00a0]+[a-zåäö]))")
# A one-letter word and the word after it: Swedish "i dag", "i morgon", "på" excepted; Finnish
# has none worth gluing, English "a photo".
_ONE_LETTER_WORD = re.compile(r"(?<!\w)(\w) +(?=\w)")


def keep_together(text: str) -> str:
    """The text with a no-break space inside each unit a line break would split: a number and
    its word, a word and its number, a one-letter word and the next.

    >>> keep_together("Suun terveydenhuolto on 2. kerroksessa, huone 214.") == (
    ...     "Suun terveydenhuolto on 2.\u00a0kerroksessa, huone\u00a0214.")
    True
    """
    text = _NUMBER_THEN_WORD.sub(lambda m: m.group(1) + NO_BREAK_SPACE, text)
    text = _WORD_THEN_NUMBER.sub(NO_BREAK_SPACE, text)
    return _ONE_LETTER_WORD.sub(lambda m: m.group(1) + NO_BREAK_SPACE, text)

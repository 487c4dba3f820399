""" "You said, we did": the short message a site shows on its kiosks' start screen, one text per
language (pure). The central checks each text when the message is written (the console's site
form, `hymy-central site add`), the kiosk again when it reads its config: the same rule at both
ends, so a message the central took never makes a kiosk drop its config.
"""

from __future__ import annotations

import unicodedata

from hymy_domain.redaction import contains_personal_data

MESSAGE_MAX_CHARS = 180  # in each language: two or three lines on the start screen
MESSAGE_LANGUAGES = ("fi", "sv", "en")  # the languages the console writes it in


def message_problem_kind(text: str) -> str | None:
    """Which rule one language's message breaks ("empty", "spaces", "too_long", "control",
    "personal_data"), for a form that says it in its own language; None when it may be shown."""
    if not text.strip():
        return "empty"
    if text != text.strip():
        return "spaces"
    if len(text) > MESSAGE_MAX_CHARS:
        return "too_long"
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in text):
        return "control"
    if contains_personal_data(text):
        return "personal_data"
    return None


def message_problem(text: str) -> str | None:
    """What is wrong with one language's message, as a sentence that says what to do; None
    when it may be shown."""
    kind = message_problem_kind(text)
    if kind == "too_long":
        return (
            f"is {len(text)} characters long: shorten it to at most {MESSAGE_MAX_CHARS}, so "
            "that it fits on the kiosk's start screen beside its buttons"
        )
    return None if kind is None else _PROBLEMS[kind]


_PROBLEMS = {
    "empty": "is empty: write the message, or leave this language out",
    "spaces": "starts or ends with a space or a line break: remove it",
    "control": "holds a line break or another control character: write it as one paragraph",
    "personal_data": (
        "holds a phone number, an e-mail address or a personal identity code, which Hymy "
        'never shows or sends: say where to ask instead ("ask at the reception")'
    ),
}

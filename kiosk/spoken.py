"""What the kiosk says in speech mode, in the visitor's language. Pure: no Kivy, no audio.

Each screen speaks on arrival what a sighted visitor reads first (its question or title; on the
ticket screen the number, the service point and where to wait), then the choice that has the
focus; each choice is spoken again as the focus moves. A rating is confirmed on the screen after
it ("You chose: Happy."). Entering speech mode tells which key does what. Sentences are short:
they are heard once, while standing.

`Translate` is the catalogs' gettext (language, msgid) -> text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Literal

from hymy_domain.national import RECOMMEND_SCALE
from kiosk.answer_words import (
    CANNOT_SAY,
    QUESTION_OF,
    RECOMMEND_HINT,
    STATEMENT_HINT,
    YOUR_ANSWER,
    step_names,
)
from kiosk.i18n import N_
from kiosk.journey import Step
from kiosk.rating_words import QUESTION
from kiosk.session import View, WriteStatus

Translate = Callable[[str, str], str]
KeySource = Literal["panel", "keypad"]

SPEECH_ON = N_("Speech is on.")
KEY_HELP: dict[KeySource, str] = {
    "panel": N_(
        "Press 1 for the previous choice and 2 for the next. Press 3 to choose and 4 to go back. "
        "Hold a key down to hear this again."
    ),
    "keypad": N_(
        "Press 4 for the previous choice and 6 for the next. Press 5 to choose and 0 to go back. "
        "Press plus to hear the screen again."
    ),
}
YOU_CHOSE = N_("You chose: {choice}.")
QUESTIONS: dict[Step, str] = {
    Step.START: N_("Welcome!"),
    Step.RATING: QUESTION,
    Step.COMMENT: N_("Would you like to tell us more?"),
    Step.SERVICE_POINT: N_("Where is your appointment?"),
}
REASON_GOOD = N_("What went well?")
REASON_BAD = N_("What could have gone better?")
START_CHOICES = N_("You can check in or give feedback.")
MESSAGE_HEADING = N_("You said, we did")  # the start screen's heading of the site's message
COMMENT_HINT = N_("The comment is typed on the screen's keyboard. You can also skip it.")
THANKS = {
    "failed": (
        N_("Sorry, your feedback could not be saved this time."),
        N_("Thank you all the same. Have a good day!"),
    ),
    "unhappy": (
        N_("Thank you for telling us."),
        N_(
            "We are sorry your visit did not go well. "
            "If you need help now, please ask at the reception."
        ),
    ),
    "happy": (N_("Thank you for your feedback!"), N_("Have a good day!")),
}
UNHAPPY = 2  # as the thank-you screen: ratings up to this get the kinder words
TICKET_FAILED = N_("Sorry, a queue number could not be given. Please ask the staff for help.")
TICKET_NUMBER = N_("Your queue number is {number}.")
TICKET_WAIT = N_("Please wait until your number is called.")
TICKET_NOT_PRINTED = N_(
    "The printer is not working. Please write down your number or take a photo of it."
)
TICKET_PRINTED = N_("Take your ticket from the printer.")
TICKET_AGAIN: dict[KeySource, str] = {
    "panel": N_("To hear the number again, hold a key down."),
    "keypad": N_("To hear the number again, press plus."),
}
WARNING = (N_("Do you need more time?"), N_("Continue"))


def sentences(*parts: str) -> str:
    """Parts joined as sentences (a name gets its full stop, so the voice pauses after it),
    empty ones left out."""
    kept = [part.strip() for part in parts if part and part.strip()]
    return " ".join(part if part[-1] in ".!?:" else part + "." for part in kept)


def spoken_number(ticket: str) -> str:
    """A queue number as it is called out: "L023" -> "L 23" (the letter, then the number)."""
    letters = ticket.rstrip("0123456789")
    digits = ticket[len(letters) :].lstrip("0") or ("0" if ticket[len(letters) :] else "")
    return f"{letters} {digits}".strip() if digits else ticket


def key_help(t: Translate, language: str, source: KeySource) -> str:
    """Said when speech mode starts, and on request: which key does what."""
    return sentences(t(language, SPEECH_ON), t(language, KEY_HELP[source]))


def confirmation(t: Translate, view: View, rating_words: Mapping[int, str]) -> str:
    """The rating confirmed aloud ("You chose: Happy."), or "" without a rating."""
    if view.rating is None or view.rating not in rating_words:
        return ""
    word = t(view.language, rating_words[view.rating])
    return t(view.language, YOU_CHOSE).format(choice=word)


def arrival(
    t: Translate,
    view: View,
    *,
    rating_words: Mapping[int, str],
    after_rating: bool = False,
    source: KeySource = "panel",
) -> str:
    """What a screen says when it appears (`after_rating`: the screen right after the rating,
    which confirms it first). The focused choice is spoken after this, separately."""
    lang = view.language

    def say(msgid: str) -> str:
        return t(lang, msgid)

    if view.warning:
        return warning(t, lang)
    confirm = confirmation(t, view, rating_words) if after_rating else ""
    step = view.step
    if step is Step.START:
        notice = say(view.notice) if view.notice else ""
        # The site's message last: a visitor who came to act hears the choices first.
        message = f"{say(MESSAGE_HEADING)}: {view.message}" if view.message else ""
        return sentences(
            say(QUESTIONS[step]), view.station_name, notice, say(START_CHOICES), message
        )
    if step is Step.REASON:
        good = view.rating is not None and view.rating > UNHAPPY
        return sentences(confirm, say(REASON_GOOD if good else REASON_BAD))
    if step is Step.COMMENT:
        return sentences(confirm, say(QUESTIONS[step]), say(COMMENT_HINT))
    if step is Step.THANKS:
        if view.write is WriteStatus.FAILED:
            kind = "failed"
        elif view.unhappy_answers or (view.rating is not None and view.rating <= UNHAPPY):
            kind = "unhappy"
        else:
            kind = "happy"
        return sentences(confirm, *(say(msgid) for msgid in THANKS[kind]))
    if step is Step.TICKET:
        return ticket(t, view, source)
    if step in (Step.RECOMMEND, Step.STATEMENT) and view.question is not None:
        return question(t, view)
    return sentences(confirm, say(QUESTIONS.get(step, "")) if step in QUESTIONS else "")


def question(t: Translate, view: View) -> str:
    """A question of the national set: which of how many, its words, how to answer (the 0-10
    scale's ends; each step's words are heard as the focus reaches them) and, back at a
    question already answered, the answer given."""
    asked = view.question
    assert asked is not None
    lang = view.language
    where = t(lang, QUESTION_OF).format(number=asked.number, count=asked.count)
    if asked.scale == RECOMMEND_SCALE:
        hint = t(lang, RECOMMEND_HINT).format(low=asked.low, high=asked.high)
    else:
        hint = t(lang, STATEMENT_HINT)
    given = ""
    if asked.answered:
        if asked.chosen is None:
            word = t(lang, CANNOT_SAY)
        elif asked.scale == RECOMMEND_SCALE:
            word = str(asked.chosen)
        else:
            names = step_names(lambda m: t(lang, m), asked.steps, asked.labels)
            word = names[asked.chosen - 1]
        given = t(lang, YOUR_ANSWER).format(answer=word)
    return sentences(where, asked.text, hint, given)


def ticket(t: Translate, view: View, source: KeySource = "panel") -> str:
    """The queue number, the service point and where to wait (repeated on request)."""
    lang = view.language
    if view.write is WriteStatus.FAILED or not view.ticket:
        return t(lang, TICKET_FAILED) if view.write is WriteStatus.FAILED else ""
    number = t(lang, TICKET_NUMBER).format(number=spoken_number(view.ticket))
    printed = {
        True: t(lang, TICKET_PRINTED),
        False: t(lang, TICKET_NOT_PRINTED),
        None: "",
    }[view.printed]
    guidance = view.guidance or t(lang, TICKET_WAIT)
    return sentences(
        number, view.service_point_name, guidance, printed, t(lang, TICKET_AGAIN[source])
    )


def warning(t: Translate, language: str) -> str:
    """The time warning: its question, then its button."""
    question, button = WARNING
    return sentences(t(language, question), t(language, button))


def choice(words: str) -> str:
    """A focused choice's words as they are spoken: the button's text without its arrows."""
    return " ".join(words.replace("‹", " ").replace("›", " ").split())

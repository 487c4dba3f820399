"""The words of the national question set that the kiosk itself supplies (catalog msgids): the
agreement scale's five steps, "I cannot say", and the hints of the screens and the voice. The
questions and the ends of the 0-10 scale are the site's own (kiosk.config.Questions), as are
the names of a scale of other than five steps.

Five steps as Finnish questionnaires word them (täysin eri mieltä .. täysin samaa mieltä),
from disagree on the left to agree on the right, each under its face.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from kiosk.i18n import N_

AGREEMENT_WORDS = (
    N_("Strongly disagree"),
    N_("Somewhat disagree"),
    N_("Neither agree nor disagree"),
    N_("Somewhat agree"),
    N_("Strongly agree"),
)
CANNOT_SAY = N_("I cannot say")
STOP = N_("Stop and send")  # leave the set here: the answers given so far are sent
GIVE_FEEDBACK = N_("Give feedback")
FEW_QUESTIONS = N_("A few short questions about your visit.")
QUESTION_OF = N_("Question {number} of {count}")
RECOMMEND_HINT = N_("Choose a number from 0 to 10. 0 means: {low}. 10 means: {high}.")
STATEMENT_HINT = N_("How much do you agree?")
YOUR_ANSWER = N_("Your answer: {answer}.")  # said back at a question already answered


def step_names(
    translate: Callable[[str], str], steps: int, labels: Sequence[str] | None
) -> tuple[str, ...]:
    """The agreement steps' names, disagree first: the site's labels, else (five steps) the
    catalog's words through `translate`."""
    if labels:
        return tuple(labels)
    if steps != len(AGREEMENT_WORDS):
        raise ValueError(f"a scale of {steps} steps needs the site's labels")
    return tuple(translate(word) for word in AGREEMENT_WORDS)

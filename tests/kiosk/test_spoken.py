"""What speech mode says, in each language, from the real catalogs: pure, no Kivy, no audio."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kiosk import spoken
from kiosk.i18n import Catalogs
from kiosk.journey import Step
from kiosk.session import View, WriteStatus

WORDS = {1: "Very poor", 2: "Poor", 3: "Good", 4: "Very good"}
CATALOGS = Catalogs(("fi", "sv", "en"))
t = CATALOGS.gettext


def view(step: Step, language: str = "en", **fields: object) -> View:
    base = View(
        step=step,
        language=language,
        rating=None,
        reasons=(),
        service_point=None,
        ticket=None,
        write=WriteStatus.IDLE,
        station_name="Kalevan terveysasema",
    )
    return replace(base, **fields)


def arrival(v: View, **kwargs: object) -> str:
    return spoken.arrival(t, v, rating_words=WORDS, **kwargs)


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("fi", "Valitsit: Hyvin. Mikä sujui hyvin?"),
        ("sv", "Du valde: Bra. Vad gick bra?"),
        ("en", "You chose: Good. What went well?"),
    ],
)
def test_the_rating_is_confirmed_on_the_next_screen(language: str, words: str) -> None:
    said = arrival(view(Step.REASON, language, rating=3), after_rating=True)
    assert said == words


def test_the_confirmation_only_comes_right_after_the_rating() -> None:
    assert "You chose" not in arrival(view(Step.REASON, rating=1))
    assert arrival(view(Step.REASON, rating=1)) == "What could have gone better?"


def test_the_thank_you_follows_the_rating_and_a_failed_save() -> None:
    assert arrival(view(Step.THANKS, rating=4)) == "Thank you for your feedback! Have a good day!"
    kind = arrival(view(Step.THANKS, rating=1))
    assert kind.startswith("Thank you for telling us.") and "reception" in kind
    failed = arrival(view(Step.THANKS, rating=4, write=WriteStatus.FAILED))
    assert failed.startswith("Sorry, your feedback could not be saved")


@pytest.mark.parametrize(
    ("language", "printed", "words"),
    [
        (
            "fi",
            True,
            "Vuoronumerosi on L 23. Laboratorio. Odota aulassa. Ota vuorolappusi tulostimesta.",
        ),
        (
            "sv",
            False,
            "Ditt könummer är L 23. Laboratoriet. Vänta i väntrummet. Skrivaren fungerar",
        ),
        ("en", None, "Your queue number is L 23. Laboratory. Please wait in the lobby. To hear"),
    ],
)
def test_the_ticket_says_number_service_point_and_where_to_wait(language, printed, words) -> None:
    guidance = {
        "fi": "Odota aulassa.",
        "sv": "Vänta i väntrummet.",
        "en": "Please wait in the lobby.",
    }
    name = {"fi": "Laboratorio", "sv": "Laboratoriet", "en": "Laboratory"}
    v = view(
        Step.TICKET,
        language,
        ticket="L023",
        write=WriteStatus.SAVED,
        printed=printed,
        service_point_name=name[language],
        guidance=guidance[language],
    )
    assert arrival(v).startswith(words)
    assert arrival(v) == spoken.ticket(t, v)  # the same words again on request


def test_a_ticket_without_guidance_says_the_usual_words_and_how_to_hear_it_again() -> None:
    v = view(Step.TICKET, ticket="A001", write=WriteStatus.SAVED, service_point_name="Dental care")
    said = spoken.ticket(t, v, "keypad")
    assert "Please wait until your number is called." in said
    assert said.endswith("To hear the number again, press plus.")
    assert spoken.ticket(t, v, "panel").endswith("hold a key down.")


def test_no_queue_number_says_to_ask_the_staff() -> None:
    v = view(Step.TICKET, write=WriteStatus.FAILED)
    assert arrival(v) == "Sorry, a queue number could not be given. Please ask the staff for help."


@pytest.mark.parametrize(
    ("language", "question"),
    [("fi", "Tarvitsetko lisää aikaa? Jatka."), ("sv", "Behöver du mer tid? Fortsätt.")],
)
def test_the_time_warning_is_spoken_over_any_screen(language: str, question: str) -> None:
    warned = replace(view(Step.COMMENT, language), warning=True)
    assert arrival(warned) == question


def test_the_keys_are_told_for_the_panel_and_the_keypad() -> None:
    panel = spoken.key_help(t, "en", "panel")
    assert panel.startswith("Speech is on. Press 1 for the previous choice and 2 for the next.")
    keypad = spoken.key_help(t, "fi", "keypad")
    assert keypad.startswith("Puheopastus on päällä. Edellinen vaihtoehto: paina\u00a04.")
    assert all(len(s.split()) <= 14 for s in panel.split(". ")), "short sentences"


def test_the_start_screen_greets_and_names_the_station_and_a_notice() -> None:
    said = arrival(
        view(
            Step.START,
            "sv",
            notice="This booking code is not known here. Please choose your service on the screen.",
        )
    )
    assert said.startswith("Välkommen! Kalevan terveysasema. ")
    assert "Du kan anmäla dig eller ge respons." in said


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("fi", "Voit ilmoittautua tai antaa palautetta. Palautteenne perusteella: Aulassa"),
        ("sv", "Du kan anmäla dig eller ge respons. Utifrån er respons: Aulassa"),
        ("en", "You can check in or give feedback. You said, we did: Aulassa"),
    ],
)
def test_the_sites_message_is_said_after_the_choices(language: str, words: str) -> None:
    said = arrival(view(Step.START, language, message="Aulassa on nyt 12 uutta tuolia."))
    assert said.endswith(words + " on nyt 12 uutta tuolia."), said
    assert "perusteella" not in arrival(view(Step.START, "fi")), "no message, no heading"


@pytest.mark.parametrize(
    ("ticket", "words"), [("L023", "L 23"), ("A100", "A 100"), ("H000", "H 0"), ("T", "T")]
)
def test_a_queue_number_is_said_as_it_is_called_out(ticket: str, words: str) -> None:
    assert spoken.spoken_number(ticket) == words


def test_a_choice_is_said_without_its_arrow() -> None:
    assert spoken.choice("‹  Back") == "Back"


def test_names_get_their_full_stop_so_the_voice_pauses() -> None:
    assert spoken.sentences("Laboratory", "", "Please wait.", "Done?") == (
        "Laboratory. Please wait. Done?"
    )


def test_every_spoken_message_is_in_the_catalogs() -> None:
    msgids = [
        spoken.SPEECH_ON,
        *spoken.KEY_HELP.values(),
        spoken.YOU_CHOSE,
        spoken.START_CHOICES,
        spoken.MESSAGE_HEADING,
        spoken.COMMENT_HINT,
        spoken.TICKET_NUMBER,
        spoken.TICKET_PRINTED,
        *spoken.TICKET_AGAIN.values(),
        *spoken.WARNING,
    ]
    for language in ("fi", "sv"):
        for msgid in msgids:
            assert t(language, msgid) != msgid, f"{language}: {msgid!r} untranslated"


def test_a_question_of_the_national_set_says_where_it_is_what_it_asks_and_how_to_answer() -> None:
    from kiosk.session import QuestionView

    recommend = QuestionView(
        id="suosittelu", text="Kuinka todennäköisesti suosittelisit tätä palvelua?", scale="0-10",
        number=1, count=7, answered=False, chosen=None,
        low="Erittäin epätodennäköisesti", high="Erittäin todennäköisesti",
    )  # fmt: skip
    assert arrival(view(Step.RECOMMEND, "fi", question=recommend)) == (
        "Kysymys 1/7. Kuinka todennäköisesti suosittelisit tätä palvelua? Valitse luku "
        "nollasta kymmeneen. Nolla tarkoittaa: Erittäin epätodennäköisesti. Kymmenen "
        "tarkoittaa: Erittäin todennäköisesti."
    )
    statement = replace(
        recommend, id="kohtelu", text="Jag blev bemött vänligt.", scale="agree-5", number=2
    )
    assert arrival(view(Step.STATEMENT, "sv", question=statement)) == (
        "Fråga 2 av 7. Jag blev bemött vänligt. Hur mycket håller du med?"
    )


def test_back_at_a_question_answered_the_answer_given_is_said() -> None:
    from kiosk.session import QuestionView

    statement = QuestionView(
        id="kohtelu", text="Minua kohdeltiin ystävällisesti.", scale="agree-5", number=2,
        count=7, answered=True, chosen=4,
    )  # fmt: skip
    assert arrival(view(Step.STATEMENT, "fi", question=statement)).endswith(
        "Vastauksesi: Jokseenkin samaa mieltä."
    )
    cannot = replace(statement, chosen=None)
    assert arrival(view(Step.STATEMENT, "sv", question=cannot)).endswith(
        "Ditt svar: Kan inte säga."
    )
    recommend = replace(statement, scale="0-10", number=1, chosen=0, low="a", high="b")
    assert arrival(view(Step.RECOMMEND, "en", question=recommend)).endswith("Your answer: 0.")

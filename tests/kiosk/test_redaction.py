"""Personal data out of comments (hymy_domain.redaction, shared by the kiosk and the central):
henkilötunnus (checksum-validated, every century sign, in the forms people type), phone numbers
and e-mail addresses however they are written; ordinary numbers (dates, times, rooms, tickets)
stay."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from hymy_domain.redaction import (
    CENTURIES,
    CHECK_CHARACTERS,
    Redaction,
    contains_personal_data,
    is_valid_hetu,
    redact,
)

SIGNS_BY_CENTURY = {
    1800: ["+"],
    1900: ["-", "Y", "X", "W", "V", "U"],
    2000: ["A", "B", "C", "D", "E", "F"],
}


def make_hetu(born: date, individual: int, sign: str) -> str:
    stem = f"{born:%d%m}{born.year % 100:02d}"
    check = CHECK_CHARACTERS[int(f"{stem}{individual:03d}") % 31]
    return f"{stem}{sign}{individual:03d}{check}"


@st.composite
def hetus(draw) -> str:
    century = draw(st.sampled_from(sorted(SIGNS_BY_CENTURY)))
    born = draw(st.dates(date(century, 1, 1), date(century + 99, 12, 31)))
    sign = draw(st.sampled_from(SIGNS_BY_CENTURY[century]))
    return make_hetu(born, draw(st.integers(2, 999)), sign)


WORDS = st.lists(
    st.sampled_from(
        [
            "kiitos",
            "hyvä",
            "palvelu",
            "odotin",
            "tack",
            "bra",
            "the",
            "nurse",
            "was",
            "kind",
            "!",
            ",",
        ]
    ),
    max_size=6,
).map(" ".join)


def test_known_valid_codes():
    assert is_valid_hetu("131052-308T")  # the Digital and Population Data Services example
    assert is_valid_hetu("131052a308t")  # typed in lowercase
    assert is_valid_hetu(make_hetu(date(2023, 1, 1), 123, "B"))
    assert is_valid_hetu(make_hetu(date(1999, 12, 31), 900, "Y"))  # a temporary number
    assert set(CENTURIES) == {s for signs in SIGNS_BY_CENTURY.values() for s in signs}


@given(hetus(), WORDS, WORDS)
def test_a_valid_hetu_in_any_text_is_redacted(code, before, after):
    text = f"{before} {code} {after}"
    result = redact(text)
    assert code not in result.text and "[HETU]" in result.text
    assert result.found.count("hetu") == 1
    assert redact(f"{before} {code.lower()} {after}").found.count("hetu") == 1
    assert contains_personal_data(code)


@given(hetus(), st.sampled_from(CHECK_CHARACTERS))
def test_a_wrong_check_character_is_not_a_hetu(code, other):
    assume(other != code[-1])
    assert not is_valid_hetu(code[:-1] + other)
    assert "hetu" not in redact(f"koodi {code[:-1] + other}").found


@pytest.mark.parametrize("code", ["300252-308T", "290223A123B", "311152-308T", "131352-308T"])
def test_impossible_dates_are_not_a_hetu(code):
    stem, individual = code[:6], code[7:10]
    fixed = code[:-1] + CHECK_CHARACTERS[int(stem + individual) % 31]  # right check, bad date
    assert not is_valid_hetu(fixed)


def test_leap_days():
    assert is_valid_hetu(make_hetu(date(2024, 2, 29), 222, "A"))
    stem = "290223"
    assert not is_valid_hetu(f"{stem}A222{CHECK_CHARACTERS[int(stem + '222') % 31]}")


@pytest.mark.parametrize(
    "number",
    [
        "040 123 4567",
        "0401234567",
        "+358 40 123 4567",
        "+358401234567",
        "09 1234 5678",
        "(09) 123 456",
        "050-123 4567",
        "00358 40 1234567",
        "+46 70 123 45 67",
    ],
)
def test_phone_numbers_people_type_are_redacted(number):
    result = redact(f"Soittakaa minulle {number}, kiitos.")
    assert result.text == "Soittakaa minulle [PHONE], kiitos."
    assert result.found == ("phone",)


@pytest.mark.parametrize(
    "text",
    [
        "Olin 12.3.2024 klo 14.30 vastaanotolla",
        "Jonotin 45 minuuttia",
        "Huone 214 oli kylmä",
        "Vuoronumero L023",
        "Maksoin 27,50 euroa",
        "Vuonna 2023 oli parempi",
        "12/03/2024",
        "Kaksi tuntia ja 15 min",
        "väntade 1 timme",
        "Room 2 B",
        "viite 1234567890123",
    ],
)
def test_ordinary_numbers_stay(text):
    assert redact(text) == redact(text).__class__(text=text, found=())


def test_emails_are_redacted_including_nordic_letters():
    result = redact("Vastatkaa: etunimi.sukunimi@hyvinvointialue.fi tai åsa.öberg@exempel.fi.")
    assert result.text == "Vastatkaa: [EMAIL] tai [EMAIL]."
    assert result.found == ("email", "email")


def test_everything_in_one_comment():
    text = "Olen 131052-308T, soita 040 123 4567 tai maili matti@example.com"
    assert redact(text).text == "Olen [HETU], soita [PHONE] tai maili [EMAIL]"


def test_every_century_sign_from_2023_is_known():
    born = date(2005, 6, 15)
    for sign in SIGNS_BY_CENTURY[2000]:
        assert is_valid_hetu(make_hetu(born, 345, sign))
    born = date(1975, 6, 15) + timedelta(days=3)
    for sign in SIGNS_BY_CENTURY[1900]:
        assert is_valid_hetu(make_hetu(born, 345, sign))


# --- the forms people type -------------------------------------------------------------------

DASH_FORMS = ["-", "\u2010", "\u2011", "\u2012", "–", "—", "\u2212"]  # hyphen .. minus sign
SPACES = ["", " ", "  ", "\u00a0"]
WORD_BEFORE = ["", "Hetu ", "hetu:", "hetu", "Henkilötunnus: ", "(", "htun. ", "personnummer "]
WORD_AFTER = ["", ".", ",", ")", " kiitos", "kiitos", "!", " tack"]


@st.composite
def typed_hetus(draw) -> tuple[str, str]:
    """(the henkilötunnus as a person might type it, its textbook form)."""
    code = draw(hetus())
    stem, sign, individual, check = code[:6], code[6], code[7:10], code[10]
    if sign == "-":
        sign = draw(st.sampled_from(DASH_FORMS))
    typed_sign = draw(st.sampled_from(SPACES)) + sign + draw(st.sampled_from(SPACES))
    if draw(st.booleans()):
        typed_sign, check = typed_sign.lower(), check.lower()
    return f"{stem}{typed_sign}{individual}{check}", code


@given(typed_hetus(), st.sampled_from(WORD_BEFORE), st.sampled_from(WORD_AFTER))
@example(("020390 - 526W", "020390-526W"), "", "")
@example(("020390 – 526W", "020390-526W"), "Olen ", ".")
@example(("020390-526w", "020390-526W"), "hetu", "kiitos")
def test_a_hetu_in_every_spacing_and_dash_is_redacted(typed, before, after):
    code, textbook = typed
    result = redact(f"{before}{code}{after}")
    assert result == Redaction(text=f"{before}[HETU]{after}", found=("hetu",)), textbook
    assert is_valid_hetu(code)


@given(hetus())
def test_a_hetu_without_its_sign_is_redacted_when_it_ends_in_a_letter(code):
    glued = code[:6] + code[7:]
    if code[-1].isdigit():
        # Ten digits alone could be anything (a phone number): only the sign tells.
        assert "hetu" not in redact(glued).found
    else:
        assert redact(f"hetu {glued}").text == "hetu [HETU]"


@pytest.mark.parametrize(
    "text",
    [
        "020390 - 526W",
        "020390 – 526W",
        "020390 — 526W",
        "020390-526w",
        "020390 -526W",
        "020390- 526W",
        "hetu020390-526W",
        "020390-526Wkiitos",
        "020390526W",
        "131052 - 308T",
        "010105 a 123p",  # a letter sign typed with spaces, all lower case
        "Henkilötunnukseni on 131052-308t.",
    ],
)
def test_hetu_forms_from_the_issue(text):
    assert redact(text).found == ("hetu",), text
    assert not any(ch.isdigit() for ch in redact(text).text), text


DATE_LIKE = re.compile(r"0\d ?[-./] ?[01]\d ?[-./] ?(19|20)\d\d")
MOBILE_PREFIXES = ["40", "41", "42", "43", "44", "45", "46", "50"]
AREA_CODES = ["9", "2", "3", "5", "6", "8", "13", "14", "15", "16", "17", "18", "19"]
PHONE_SEPARATORS = [" ", "  ", "-", ".", " - ", ""]
LABELS = [
    "",
    "puh ",
    "Puh:",
    "puh.",
    "Puh. ",
    "p.",
    "p. ",
    "tel:",
    "Tel. ",
    "gsm ",
    "nro ",
    "numero: ",
    "soita ",
    "ring ",
    "Soita minulle ",
]
ENDINGS = ["", ".", ",", " kiitos", "!", " tai sähköposti", " (iltaisin)"]


@st.composite
def chunks(draw, digits: str) -> list[str]:
    """The digits cut into groups of two to four, as people group them."""
    parts: list[str] = []
    rest = digits
    while len(rest) > 4:
        size = draw(st.integers(2, min(4, len(rest) - 2)))
        parts.append(rest[:size])
        rest = rest[size:]
    return [*parts, rest]


@st.composite
def finnish_phone_numbers(draw) -> str:
    mobile = draw(st.booleans())
    area = draw(st.sampled_from(MOBILE_PREFIXES if mobile else AREA_CODES))
    length = draw(st.integers(6, 8) if mobile else st.integers(5, 7))
    subscriber = draw(st.text("0123456789", min_size=length, max_size=length))
    assume(not subscriber.startswith("0"))
    separator = draw(st.sampled_from(PHONE_SEPARATORS))
    groups = draw(chunks(subscriber)) if separator else [subscriber]
    prefix = draw(st.sampled_from(["0", "+358", "+358 ", "00358 ", "+358 (0)", "+358-"]))
    number = prefix + area + separator + separator.join(groups)
    # "09-10-2026" is a phone number and a date at once: a date wins (dates are common in
    # comments, Helsinki numbers written like dates are not).
    assume(not DATE_LIKE.fullmatch(number))
    return number


@given(finnish_phone_numbers(), st.sampled_from(LABELS), st.sampled_from(ENDINGS))
@example("0457654321", "Puh:", "")
@example("0401234567", "p.", "")
@example("+358401234567", "tel:", "")
@example("040 123 4567", "puh.", "")
@example("040.123.4567", "", ".")
@example("040  123  4567", "soita ", "")
def test_finnish_phone_numbers_in_many_formats_are_redacted(number, label, ending):
    result = redact(f"{label}{number}{ending}")
    assert result == Redaction(text=f"{label}[PHONE]{ending}", found=("phone",)), number


@pytest.mark.parametrize(
    "number",
    [
        "Puh:0457654321",
        "p.0401234567",
        "tel:+358401234567",
        "puh.040 123 4567",
        "puh 040.123.4567",
        "040  123  4567",
        "+358 (0)40 123 4567",
        "+358 9 123 4567",
        "(09) 123 456",
        "0800 123 456",
        "040-123-45-67",
    ],
)
def test_phone_forms_from_the_issue(number):
    result = redact(f"Soita {number} kiitos")
    assert result.found == ("phone",), result
    assert not any(ch.isdigit() for ch in result.text), result.text


EMAILS = [
    ("matti.meikalainen@example.fi", "[EMAIL]"),
    ("matti @ example.fi", "[EMAIL]"),
    ("matti@ example.fi", "[EMAIL]"),
    ("matti . meikalainen @ example . fi", "[EMAIL]"),
    ("matti(at)example.fi", "[EMAIL]"),
    ("matti (at) example (dot) fi", "[EMAIL]"),
    ("matti [at] example [dot] fi", "[EMAIL]"),
    ("matti(ät)example.fi", "[EMAIL]"),
    ("matti{at}example.com", "[EMAIL]"),
    ("MATTI@EXAMPLE.FI", "[EMAIL]"),
    ("åsa.öberg@exempel.se", "[EMAIL]"),
]


@pytest.mark.parametrize(("address", "token"), EMAILS)
def test_email_addresses_however_written(address, token):
    assert redact(f"Vastatkaa: {address}, kiitos").text == f"Vastatkaa: {token}, kiitos"


@pytest.mark.parametrize(
    "text",
    [
        "Moi @ kaikki. Kiitos hyvästä palvelusta",
        "Tapasimme @ aulassa",
        "at the desk. Thanks",
        "Kiitos (at) kaikille",
    ],
)
def test_sentences_with_an_at_sign_stay(text):
    assert redact(text) == Redaction(text=text, found=())


ORDINARY = [
    "01-12-2026",
    "1.12.2026",
    "01.12.2026",
    "01/12/2026",
    "2026-12-01",
    "01. 12. 2026",
    "1.12.2026 klo 14.30",
    "01.12.2026 08.30",
    "klo 14.30",
    "klo 08.00-16.00",
    "08.00–16.00",
    "avoinna 8-16",
    "01.12.2026–05.12.2026",
    "huone 214",
    "huone 0214",
    "Vuoronumero L023",
    "L023 ja L024",
    "vuonna 1987",
    "1990-2026",
    "00100 Helsinki",
    "PL 123, 00101 Helsinki",
    "Maksoin 27,50 euroa",
    "viite 1234567890123",
    "0 1 2 3 4 5 6 7",
    "LAB-2026-0042",
    "3 kk ja 2 vk",
    "puh. numero puuttui",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_numbers_from_the_issue_stay(text):
    assert redact(text) == Redaction(text=text, found=())


DATE_FORMATS = [
    "{d.day}.{d.month}.{d.year}",
    "{d:%d.%m.%Y}",
    "{d:%d-%m-%Y}",
    "{d:%d/%m/%Y}",
    "{d:%Y-%m-%d}",
    "{d.day}.{d.month}.",
    "{d:%d.%m.%y}",
    "{d:%d. %m. %Y}",
]
TIME_FORMATS = [
    "klo {t.hour}.{t:%M}",
    "{t:%H.%M}",
    "{t:%H:%M}",
    "klo {t:%H}",
    "{t:%H.%M}-{u:%H.%M}",
    "{t:%H.%M} – {u:%H.%M}",
    "{t.hour}-{u.hour}",
]


@given(
    st.dates(date(1990, 1, 1), date(2035, 12, 31)),
    st.times(),
    st.times(),
    st.sampled_from(DATE_FORMATS),
    st.sampled_from(TIME_FORMATS),
    st.sampled_from([" ", " klo ", ", ", " alkaen ", " - ", " ja "]),
)
def test_dates_and_times_stay(day, at, until, date_format, time_format, between):
    text = date_format.format(d=day) + between + time_format.format(t=at, u=until)
    assert redact(f"Olin {text} vastaanotolla") == Redaction(
        text=f"Olin {text} vastaanotolla", found=()
    )


@given(
    st.integers(1, 999),
    st.sampled_from("ALHSNRV"),
    st.integers(1900, 2100),
    st.integers(0, 99999),
)
def test_rooms_tickets_years_and_short_numbers_stay(room, prefix, year, small):
    for text in (
        f"huone {room}",
        f"Vuoronumero {prefix}{room:03d}",
        f"vuonna {year}",
        f"{small} euroa",
        f"odotin {small % 200} min",
    ):
        assert redact(text) == Redaction(text=text, found=()), text


@given(st.text(max_size=200))
def test_redaction_is_idempotent_and_never_adds_digits(text):
    once = redact(text)
    assert redact(once.text).text == once.text
    assert sum(ch.isdigit() for ch in once.text) <= sum(ch.isdigit() for ch in text)


def test_a_date_beside_a_phone_number_keeps_the_date():
    text = "Olin 01.12.2026 klo 08.30, soittakaa 0401234567 tai 01.12.2026 0401234567"
    assert redact(text).text == (
        "Olin 01.12.2026 klo 08.30, soittakaa [PHONE] tai 01.12.2026 [PHONE]"
    )


def test_an_address_after_a_sentence_keeps_the_sentence():
    assert redact("Kiitos. matti@example.fi").text == "Kiitos. [EMAIL]"
    assert redact("Soita. 0401234567").text == "Soita. [PHONE]"


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("0 " * 5000, 0),  # thousands of one-digit groups
        ("0-" * 5000, 0),
        (" - 0" * 3000, 0),
        ("040 123 " * 3000, 1500),  # one run of digit groups 24,000 characters long
        ("040 " * 3000, 0),  # ... and one of a list of numbers
        ("matti at " * 3000 + "x.fi", 1),
        ("a at b dot " * 3000, 0),
        ("358 " * 3000, 1),
        ("01 12 " * 3000, 1000),
        ("a . " * 3000 + "@ x", 0),
        ("x@" + " . x" * 3000, 0),
        ("a(at)" * 2000, 0),
        ("020390-" * 2000, 0),  # a list of numbers of one length, not a phone number
        ("(0)" * 3000, 250),
    ],
)
def test_long_and_odd_texts_are_redacted_in_one_pass(text, found):
    """Comments the central gets from anywhere: the rules look only as far as a phone number or
    an address can reach (these took minutes with a quadratic search)."""
    assert len(redact(text).found) == found


# --- more of the forms people type (the kiosk's keyboard has no @) ---------------------------


@pytest.mark.parametrize(
    "text",
    [
        "hetu 131052 308T",  # a space where the sign goes
        "131052  308t kiitos",
        "Sotu:131052 308T",
    ],
)
def test_a_hetu_with_a_space_for_its_sign_is_redacted(text):
    result = redact(text)
    assert result.found == ("hetu",), text
    assert not any(ch.isdigit() for ch in result.text), result.text


@pytest.mark.parametrize("text", ["010203 4567", "Tilaus 131052 3085", "131052 3085"])
def test_a_space_for_the_sign_needs_a_letter_for_its_check(text):
    assert "hetu" not in redact(text).found


@pytest.mark.parametrize(
    "number", ["358 40 123 4567", "358401234567", "358-50-123 4567", "358 9 1234 5678"]
)
def test_the_country_code_without_its_plus_is_a_phone_number(number):
    for label in ("", "puh ", "gsm:", "nro. "):
        assert redact(f"{label}{number}").text == f"{label}[PHONE]", number


@pytest.mark.parametrize(
    "address",
    [
        "matti at gmail.com",
        "matti at gmail dot com",
        "matti.meikalainen at example piste fi",
        "matti miukumauku gmail.com",
        "matti ät exempel.se",
        "matti snabel-a exempel punkt se",
        "Matti AT Gmail DOT com",
        "matti\uff20example.fi",
    ],
)
def test_an_address_written_in_words_is_redacted(address):
    assert redact(f"Vastatkaa {address}, kiitos").text == "Vastatkaa [EMAIL], kiitos"


@pytest.mark.parametrize(
    "text",
    [
        "at the desk dot. Thanks",
        "Odotin at least 20 min",
        "I was at home. Kiitos",
        "piste hyvä",
    ],
)
def test_sentences_with_at_or_dot_as_words_stay(text):
    assert redact(text) == Redaction(text=text, found=())


@pytest.mark.parametrize(
    "text",
    [
        "01 12 2026",  # a date with spaces
        "Olin 03 12 2025 aamulla",
        "klo 0930-1030",  # times of four digits
        "klo 0800 - 1600",
        "numerot 001 002 003",  # a list of ticket numbers
        "023 024 025",
        "huone 0214 0215",
        "postinumerot 00100 00200",
        "00100-00990",  # a postcode range
        "00100–00990",
        "lähete 0123/2026",  # a number with its year
        "tilausnro 0001234567",  # no phone number starts 000
        "asiakas 000123456789",
    ],
)
def test_more_ordinary_numbers_stay(text):
    assert redact(text) == Redaction(text=text, found=())


def test_two_phone_numbers_of_one_length_are_still_two_phone_numbers():
    assert redact("0401234567 0501234567").text == "[PHONE] [PHONE]"
    assert redact("040 1234567, 050 7654321").text == "[PHONE], [PHONE]"


@pytest.mark.parametrize(
    "text",
    [
        "puh 040\t123 4567",
        "040\u2009123\u20094567",
        "040\u202f123\u202f4567",
        "soita 040 123\n4567",
        "soita 040\r\n123 4567",
        "+358\u00a040\u00a0123\u00a04567",
    ],
)
def test_other_spaces_and_a_line_break_between_digit_groups_still_make_a_number(text):
    assert redact(text).found == ("phone",)


def test_a_line_break_between_words_and_numbers_stays():
    text = "Vuonna 2026\nhuone 214\nKiitos"
    assert redact(text).text == text

"""Personal data out of comments: henkilötunnus (checksum-validated, every century sign), phone
numbers and e-mail addresses; ordinary numbers stay."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from kiosk.redaction import (
    CENTURIES,
    CHECK_CHARACTERS,
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

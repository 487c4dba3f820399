"""Booking codes, panel lines and printer status bytes: pure rules, no ports."""

from __future__ import annotations

import pytest

from kiosk.devices.booking import BookingRule, decide
from kiosk.devices.escpos_status import answer, printer_state
from kiosk.devices.interfaces import PrinterState
from kiosk.devices.panel import rating_of

RULES = [BookingRule("laboratorio", ("LAB-",)), BookingRule("neuvola", (), r"N\d{6}")]


@pytest.mark.parametrize(
    ("code", "point"),
    [
        ("LAB-123456", "laboratorio"),
        ("lab-77", "laboratorio"),
        ("N123456", "neuvola"),
        ("N12345", None),
        ("X-1", None),
        ("LAB-0001234567", "laboratorio"),  # a zero-padded number: no phone starts 000
        ("LAB-00100-00990", "laboratorio"),
        ("LAB-0930-1030", "laboratorio"),
    ],
)
def test_a_code_maps_to_its_service_point(code, point) -> None:
    assert decide(code, RULES).service_point == point


@pytest.mark.parametrize(
    "code",
    [
        "LAB-131052-308T",
        "X131052-308TQ",
        "LAB-040 123 4567",
        "LAB-131052 308T",  # a space for the sign
        "LAB-358401234567",  # the country code without its plus
        "LAB-matti at gmail.com",
    ],
)
def test_a_code_with_personal_data_is_refused(code) -> None:
    decision = decide(code, RULES)
    assert decision.service_point is None and decision.refused_personal_data


@pytest.mark.parametrize(
    ("line", "rating"), [("B1", 1), ("b4", 4), (" B3 0412 ", 3), ("B5", None), ("X", None)]
)
def test_panel_lines(line, rating) -> None:
    assert rating_of(line) == rating


@pytest.mark.parametrize("state", [s for s in PrinterState if s is not PrinterState.NONE])
def test_status_answers_round_trip(state) -> None:
    assert printer_state(answer(state, 1)[0], answer(state, 4)[0]) is state


def test_no_answer_or_noise_is_offline() -> None:
    assert printer_state(None, 0x12) is PrinterState.OFFLINE
    assert printer_state(0xFF, 0x12) is PrinterState.OFFLINE

"""The real app under Xvfb with its devices on pseudo-terminals: a check-in prints a ticket and
records printed=true; out of paper the number stays on screen and printed=false; a scanned
booking code checks in; a press on the button panel lands as a rating."""

from __future__ import annotations

import threading
import time

from kiosk.devices.interfaces import PrinterState
from kiosk.devices.simulate import PrinterSimulator, PseudoTerminal
from tests.support.kiosk_config import example_config_file
from tests.support.outbox import read_events


def on_serial(**ports: str) -> dict[str, dict[str, str]]:
    """Changes for example_config: the named devices (printer, scanner, buttons) on serial ports."""
    return {
        f"devices__{device}": {"kind": "serial", "port": port} for device, port in ports.items()
    }


def test_a_check_in_prints_its_ticket(kiosk_run, tmp_path) -> None:
    printer = PrinterSimulator()
    try:
        notes = kiosk_run(
            "check_in_and_print",
            config=example_config_file(tmp_path, **on_serial(printer=printer.port)),
        )
    finally:
        printer.close()
    assert notes["printed"] is True and not notes["not_printed_shown"]
    (ticket,) = printer.tickets
    assert notes["ticket"] in ticket.large and "Laboratorio" in ticket.lines
    assert ticket.code_pages == ["cp858"] and ticket.cut
    (event,) = read_events(tmp_path / "data")
    assert (event["ticket"], event["printed"], event["method"]) == (notes["ticket"], True, "touch")


def test_out_of_paper_the_number_stays_on_screen(kiosk_run, tmp_path) -> None:
    printer = PrinterSimulator(PrinterState.PAPER_OUT)
    try:
        notes = kiosk_run(
            "check_in_and_print",
            config=example_config_file(tmp_path, **on_serial(printer=printer.port)),
        )
    finally:
        printer.close()
    assert notes["printed"] is False and notes["not_printed_shown"]
    assert notes["ticket"] in notes["texts"]
    assert any("Tulostin ei toimi" in text for text in notes["texts"])
    assert printer.tickets == []
    (event,) = read_events(tmp_path / "data")
    assert event["printed"] is False


def test_a_scanned_code_checks_in_and_a_panel_press_rates(kiosk_run, tmp_path) -> None:
    scanner, panel = PseudoTerminal(), PseudoTerminal()
    config = example_config_file(tmp_path, **on_serial(scanner=scanner.port, buttons=panel.port))

    data = tmp_path / "data"

    def wait_for(check) -> None:
        deadline = time.monotonic() + 30
        while not check() and time.monotonic() < deadline:
            time.sleep(0.1)

    def shown(fragment: str) -> bool:
        seen = data / "seen"
        return seen.exists() and fragment in seen.read_text()

    def devices() -> None:  # the test's hands: a scan with a henkilötunnus, a good one, a press
        wait_for((data / "ready").exists)
        scanner.write(b"LAB-131052-308T\r\n")
        wait_for(lambda: shown("Tällä koodilla"))
        scanner.write(b"LAB-2026-0042\r\n")
        wait_for(lambda: shown("ticket"))
        wait_for(lambda: shown("ticket\nstart") or shown("ticket\nstart:"))
        panel.write(b"B4\r\n")

    hands = threading.Thread(target=devices)
    hands.start()
    try:
        notes = kiosk_run("wait_for_devices", config=config)
    finally:
        hands.join()
        scanner.close()
        panel.close()
    assert any("Tällä koodilla ei voi ilmoittautua" in mark for mark in notes["seen"])
    checkin, rating = read_events(tmp_path / "data")
    assert (checkin["type"], checkin["service_point"], checkin["method"]) == (
        "checkin",
        "laboratorio",
        "barcode",
    )
    assert checkin["ticket"] == notes["ticket"]
    assert (rating["type"], rating["rating"], rating["misuse"]) == ("feedback", 4, False)
    assert "131052" not in (tmp_path / "data" / "outbox.sqlite").read_bytes().decode("latin-1")

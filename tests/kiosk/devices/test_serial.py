"""Every driver over a real pseudo-terminal pair with pyserial on the kiosk's side: the ticket's
bytes decoded (text, code page, cut), the printer's status answers, scanner lines however they
arrive, and a port that is pulled and plugged back."""

from __future__ import annotations

import os
import queue
import time
from datetime import datetime
from pathlib import Path

import pytest

from kiosk.devices.escpos_decode import decode
from kiosk.devices.escpos_ticket import ticket_bytes
from kiosk.devices.framing import LineFramer
from kiosk.devices.interfaces import LinkState, PrinterState, TicketText
from kiosk.devices.serial_lines import SerialLineDevice
from kiosk.devices.serial_printer import SerialReceiptPrinter
from kiosk.devices.simulate import PrinterSimulator, PseudoTerminal

TICKET = TicketText(
    station="Kalevan terveysasema",
    service_point="Lääkärin vastaanotto",
    number="A023",
    issued_at=datetime(2026, 11, 23, 9, 5),
    guidance="Odota, kunnes numerosi näkyy näytöllä.",
)


def test_the_ticket_bytes_carry_the_text_the_code_page_and_a_cut() -> None:
    data = ticket_bytes(TICKET)
    assert b"\x1bt\x13" in data  # ESC t 19: CP858
    assert "Lääkärin".encode("cp858") in data
    (ticket,) = decode(data)
    assert ticket.lines[:2] == ["Kalevan terveysasema", "Lääkärin vastaanotto"]
    assert "A023" in ticket.large and "23.11.2026 09.05" in ticket.lines
    assert ticket.lines[-1] == TICKET.guidance and ticket.code_pages == ["cp858"] and ticket.cut


def test_a_ticket_prints_over_the_serial_line() -> None:
    simulator = PrinterSimulator()
    printer = SerialReceiptPrinter(simulator.port)
    try:
        result = printer.print_ticket(TICKET)
        deadline = time.monotonic() + 5
        while not simulator.tickets and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        printer.close()
        simulator.close()
    assert result.printed and result.state is PrinterState.OK
    (ticket,) = simulator.tickets
    assert "A023" in ticket.large and "Lääkärin vastaanotto" in ticket.lines


@pytest.mark.parametrize(
    ("state", "printed"),
    [
        (PrinterState.PAPER_NEAR_END, True),
        (PrinterState.PAPER_OUT, False),
        (PrinterState.OFFLINE, False),
    ],
)
def test_the_printer_state_comes_from_its_status_answers(state, printed) -> None:
    simulator = PrinterSimulator(state)
    printer = SerialReceiptPrinter(simulator.port)
    try:
        assert printer.status() is state
        result = printer.print_ticket(TICKET)
        time.sleep(0.3)
    finally:
        printer.close()
        simulator.close()
    assert (result.printed, result.state) == (printed, state)
    assert bool(simulator.tickets) is printed


def test_a_printer_that_is_not_there_is_offline() -> None:
    printer = SerialReceiptPrinter("/dev/ttyHYMY-missing")
    assert printer.print_ticket(TICKET).state is PrinterState.OFFLINE


def test_scanner_lines_split_across_reads_garbage_and_over_long_lines() -> None:
    framer = LineFramer(max_line=16)
    assert framer.feed(b"LAB-") == []
    assert framer.feed(b"123\r") == ["LAB-123"]
    assert framer.feed(b"\n\x00\x07N1\x1b23\n") == ["N123"]  # CRLF, control bytes dropped
    assert framer.feed(b"X" * 40 + b"\r\nOK-1\n") == ["OK-1"]
    assert framer.dropped == 1


def read_lines(device: SerialLineDevice) -> tuple[queue.Queue, queue.Queue]:
    lines: queue.Queue = queue.Queue()
    states: queue.Queue = queue.Queue()
    device.start(lines.put, states.put)
    return lines, states


def test_a_scanner_over_a_pty_delivers_whole_lines() -> None:
    pty = PseudoTerminal()
    device = SerialLineDevice("scanner", pty.port)
    lines, states = read_lines(device)
    try:
        assert states.get(timeout=5) is LinkState.CONNECTED
        pty.write(b"LAB-12")
        time.sleep(0.3)  # a read ends in the middle of the code
        pty.write(b"3456\r\n\xff\xfe\r\nN123456\n")
        assert lines.get(timeout=5) == "LAB-123456"
        assert lines.get(timeout=5) == "ÿþ"  # Latin-1 letters pass; the mapping refuses them
        assert lines.get(timeout=5) == "N123456"
    finally:
        device.close()
        pty.close()


def test_a_pulled_cable_is_noticed_and_the_port_reopened(tmp_path: Path) -> None:
    link = tmp_path / "ttyUSB0"  # like a /dev/serial/by-id name that comes and goes
    first = PseudoTerminal()
    link.symlink_to(first.port)
    device = SerialLineDevice("scanner", str(link))
    lines, states = read_lines(device)
    try:
        assert states.get(timeout=5) is LinkState.CONNECTED
        first.close()  # pulled
        link.unlink()
        assert states.get(timeout=5) is LinkState.DISCONNECTED
        second = PseudoTerminal()  # plugged back
        os.symlink(second.port, link)
        assert states.get(timeout=10) is LinkState.CONNECTED
        second.write(b"LAB-1\r\n")
        assert lines.get(timeout=5) == "LAB-1"
        second.close()
    finally:
        device.close()

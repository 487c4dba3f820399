"""The printer's state from its answers to DLE EOT (real-time status), as ESC/POS defines them.
Pure: the driver sends the queries and hands the answer bytes here."""

from __future__ import annotations

from kiosk.devices.interfaces import PrinterState

QUERY_PRINTER = b"\x10\x04\x01"  # DLE EOT 1: bit 3 set = offline
QUERY_PAPER = b"\x10\x04\x04"  # DLE EOT 4: bits 2-3 = near end, bits 5-6 = paper out
OFFLINE_BIT = 0x08
NEAR_END_BITS = 0x0C
PAPER_OUT_BITS = 0x60


def is_status_byte(value: int) -> bool:
    """Every status answer has bit 4 set and bits 0 and 7 clear."""
    return value & 0x93 == 0x12


def printer_state(printer: int | None, paper: int | None) -> PrinterState:
    """The state from the two answers (None: no answer in time, the printer is not there)."""
    if printer is None or paper is None:
        return PrinterState.OFFLINE
    if not (is_status_byte(printer) and is_status_byte(paper)):
        return PrinterState.OFFLINE
    if paper & PAPER_OUT_BITS:
        return PrinterState.PAPER_OUT
    if printer & OFFLINE_BIT:
        return PrinterState.OFFLINE
    if paper & NEAR_END_BITS:
        return PrinterState.PAPER_NEAR_END
    return PrinterState.OK


def answer(state: PrinterState, kind: int) -> bytes:
    """What a printer in `state` answers to DLE EOT kind (for the simulator and the tests)."""
    if kind == 1:
        return bytes([0x12 | (OFFLINE_BIT if state is PrinterState.OFFLINE else 0)])
    if kind == 4:
        bits = {
            PrinterState.PAPER_OUT: PAPER_OUT_BITS | NEAR_END_BITS,
            PrinterState.PAPER_NEAR_END: NEAR_END_BITS,
        }.get(state, 0)
        return bytes([0x12 | bits])
    return bytes([0x12])

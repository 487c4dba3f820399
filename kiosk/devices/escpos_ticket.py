"""A queue ticket as ESC/POS bytes, laid out with python-escpos (no I/O: its Dummy printer only
collects what would be sent)."""

from __future__ import annotations

from escpos.printer import Dummy

from kiosk.devices.interfaces import TicketText

DEFAULT_CODE_PAGE = "CP858"  # Western European with the euro sign: å, ä, ö, Å, Ä, Ö


def ticket_bytes(ticket: TicketText, *, code_page: str = DEFAULT_CODE_PAGE) -> bytes:
    """Station name, service point, a large number, date and time, one line of guidance, cut."""
    printer = Dummy(profile="default")
    printer.charcode(code_page)
    printer.set(align="center", bold=True)
    printer.text(f"{ticket.station}\n")
    printer.set(align="center", double_height=True, double_width=True)
    printer.text(f"{ticket.service_point}\n\n")
    printer.set(align="center", custom_size=True, width=6, height=6)
    printer.text(f"{ticket.number}\n\n")
    printer.set(align="center", custom_size=True, width=1, height=1)
    printer.text(f"{ticket.issued_at.strftime('%d.%m.%Y %H.%M')}\n")
    if ticket.guidance:
        printer.text(f"{ticket.guidance}\n")
    printer.set_with_default()
    printer.cut()
    return printer.output

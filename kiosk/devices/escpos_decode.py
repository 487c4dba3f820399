"""ESC/POS bytes back into a ticket's text: what the printer simulator shows and what the tests
check (text, code page, large lines, the cut). Pure; fed in chunks as a serial line delivers."""

from __future__ import annotations

from dataclasses import dataclass, field

# ESC t n: the code pages python-escpos selects for these names (its default profile).
CODE_PAGES = {0: "cp437", 2: "cp850", 5: "cp865", 16: "cp1252", 19: "cp858"}
ESC, GS, DLE, LF = 0x1B, 0x1D, 0x10, 0x0A
# Commands with one parameter byte that change nothing the decoder keeps.
ESC_ONE = {ord(c) for c in "!aE-M{dJ"} | {0x20, 0x3D, 0x72}
GS_ONE = {ord(c) for c in "BbHfhwL"}


@dataclass
class DecodedTicket:
    lines: list[str] = field(default_factory=list)
    large: list[str] = field(default_factory=list)  # lines printed at more than double size
    code_pages: list[str] = field(default_factory=list)
    cut: bool = False

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass
class StatusRequest:
    """DLE EOT n: 1 printer status, 2 offline cause, 3 error cause, 4 paper roll sensor."""

    kind: int


class EscPosDecoder:
    """Feed bytes; get tickets (at each cut) and status requests, in order."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._line = bytearray()
        self._ticket = DecodedTicket()
        self._encoding = "cp437"
        self._size = 0  # GS ! n: width and height multipliers - 1

    def _end_line(self) -> None:
        text = self._line.decode(self._encoding, errors="replace")
        self._ticket.lines.append(text)
        if self._size & 0x0F >= 2 or self._size >> 4 >= 2:
            self._ticket.large.append(text)
        self._line.clear()

    def feed(self, data: bytes) -> list[DecodedTicket | StatusRequest]:
        self._buffer += data
        out: list[DecodedTicket | StatusRequest] = []
        buf = self._buffer
        i = 0
        while i < len(buf):
            byte = buf[i]
            need = 1
            if byte == ESC:
                if i + 1 >= len(buf):
                    break
                command = buf[i + 1]
                if command == 0x40:  # ESC @ initialise
                    need = 2
                elif command in ESC_ONE or command == ord("t"):
                    if i + 2 >= len(buf):
                        break
                    if command == ord("t"):
                        page = CODE_PAGES.get(buf[i + 2], "cp437")
                        self._encoding = page
                        self._ticket.code_pages.append(page)
                    need = 3
                else:
                    need = 2
            elif byte == GS:
                if i + 2 >= len(buf):
                    break
                command = buf[i + 1]
                if command == ord("V"):  # GS V m [n]: cut
                    need = 4 if buf[i + 2] in (65, 66) else 3
                    if i + need > len(buf):
                        break
                    if self._line:
                        self._end_line()
                    self._ticket.cut = True
                    out.append(self._ticket)
                    self._ticket = DecodedTicket()
                    self._size = 0
                elif command == ord("!"):
                    self._size = buf[i + 2]
                    need = 3
                elif command in GS_ONE:
                    need = 3
                else:
                    need = 2
            elif byte == DLE:
                if i + 2 >= len(buf):
                    break
                if buf[i + 1] == 0x04:
                    out.append(StatusRequest(buf[i + 2]))
                need = 3
            elif byte == LF:
                self._end_line()
            elif byte >= 0x20:
                self._line.append(byte)
            i += need
        del self._buffer[:i]
        return out


def decode(data: bytes) -> list[DecodedTicket]:
    """The tickets in a complete byte stream."""
    return [item for item in EscPosDecoder().feed(data) if isinstance(item, DecodedTicket)]

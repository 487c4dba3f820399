"""Text lines out of a serial byte stream (scanners and button panels end each line with CR,
LF or both). Pure: bytes in, lines out, whatever the chunking."""

from __future__ import annotations

MAX_LINE = 128  # longer is not a booking code: dropped whole


class LineFramer:
    """Feed chunks as they arrive; get complete lines. Control bytes and bytes outside printable
    ASCII and Latin-1 letters are dropped; an over-long line is dropped until its end."""

    def __init__(self, max_line: int = MAX_LINE) -> None:
        self.max_line = max_line
        self._line = bytearray()
        self._overflow = False
        self.dropped = 0  # over-long lines thrown away

    def feed(self, data: bytes) -> list[str]:
        lines: list[str] = []
        for byte in data:
            if byte in (0x0D, 0x0A):
                if self._overflow:
                    self.dropped += 1
                elif self._line:
                    lines.append(self._line.decode("latin-1").strip())
                self._line.clear()
                self._overflow = False
            elif 0x20 <= byte < 0x7F or 0xC0 <= byte <= 0xFF:
                if len(self._line) >= self.max_line:
                    self._overflow = True
                    self._line.clear()
                elif not self._overflow:
                    self._line.append(byte)
        return [line for line in lines if line]

"""kiosk.key_rows: the keyboard's rows split to keep 12 mm keys in a narrow window."""

from __future__ import annotations

from kiosk.key_rows import fit_rows, keys_per_row
from kiosk.ui.widgets.keyboard import LETTERS, SPARE_IN_NARROW, SYMBOLS

KEY = 12 * 133 / 25.4  # 12 mm on the 7" display
GAP = 4.0


def test_rows_that_fit_stay_as_they_are():
    # 800x480 landscape: the keyboard is 780 px wide, room for eleven keys of 12 mm.
    assert keys_per_row(780, KEY, GAP) == 11
    assert fit_rows(LETTERS, 780, KEY, GAP) == [tuple(row) for row in LETTERS]


def test_a_narrow_keyboard_splits_rows_in_order_and_keeps_every_letter():
    # 480x800 portrait: 460 px, where eleven 12 mm keys would need 733.
    rows = fit_rows(LETTERS, 460, KEY, GAP, spare=SPARE_IN_NARROW)

    assert all(len(row) <= keys_per_row(460, KEY, GAP) for row in rows), rows
    keys = [k for row in rows for k in row]
    assert keys == [k for row in LETTERS for k in row if k not in SPARE_IN_NARROW]
    assert rows[0] == ("q", "w", "e", "r", "t", "y") and rows[1] == ("u", "i", "o", "p", "å")
    assert rows[-1] == ("MODE", "SPACE")
    assert len(rows) == 7
    # The keys left out are all on the symbols layout.
    assert {k for row in SYMBOLS for k in row} >= SPARE_IN_NARROW


def test_the_symbols_split_too_and_keep_every_key():
    rows = fit_rows(SYMBOLS, 460, KEY, GAP)
    assert all(len(row) <= keys_per_row(460, KEY, GAP) for row in rows), rows
    assert [k for row in rows for k in row] == [k for row in SYMBOLS for k in row]

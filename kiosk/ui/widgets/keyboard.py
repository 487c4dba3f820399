"""An on-screen keyboard for comments: a layout of letters for the visitor's language (Finnish and
Swedish with å, ä and ö, Estonian, Ukrainian and Russian ЙЦУКЕН), keys of touch size, and a second
layout for digits and punctuation behind the "123" key.

No row is wider than ROW_UNITS key widths, so that every key stays at least 12 mm wide on the 7"
display (800 px at 133 dpi); the space bar takes what its row leaves. A narrower window splits
the rows (kiosk.key_rows)."""

from __future__ import annotations

from kivy.app import App
from kivy.factory import Factory
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.textinput import TextInput

from kiosk.i18n import base_language
from kiosk.key_rows import fit_rows
from kiosk.ui.widgets.buttons import KioskButton, fit_font

Layout = tuple[tuple[str, ...], ...]

LETTERS: Layout = (
    ("q", "w", "e", "r", "t", "y", "u", "i", "o", "p", "å"),
    ("a", "s", "d", "f", "g", "h", "j", "k", "l", "ö", "ä"),
    ("SHIFT", "z", "x", "c", "v", "b", "n", "m", ",", ".", "BACKSPACE"),
    ("MODE", "!", "?", "SPACE", "-", "'"),
)
# Estonian: õ, ü, ö, ä where an Estonian keyboard has them; š and ž (loanwords) on the last row.
ESTONIAN: Layout = (
    ("q", "w", "e", "r", "t", "y", "u", "i", "o", "p", "ü"),
    ("a", "s", "d", "f", "g", "h", "j", "k", "l", "ö", "ä"),
    ("SHIFT", "z", "x", "c", "v", "b", "n", "m", "õ", "BACKSPACE"),
    ("MODE", "š", "ž", ",", "SPACE", ".", "?", "!"),
)
# ЙЦУКЕН, the 33 letters of each alphabet; the apostrophe is a letter's part in Ukrainian (м'ясо).
UKRAINIAN: Layout = (
    ("й", "ц", "у", "к", "е", "н", "г", "ш", "щ", "з", "х"),
    ("ф", "і", "в", "а", "п", "р", "о", "л", "д", "ж", "є"),
    ("SHIFT", "я", "ч", "с", "м", "и", "т", "ь", "б", "ю", "BACKSPACE"),
    ("MODE", "ї", "ґ", "'", "SPACE", ",", ".", "?"),
)
RUSSIAN: Layout = (
    ("й", "ц", "у", "к", "е", "н", "г", "ш", "щ", "з", "х"),
    ("ф", "ы", "в", "а", "п", "р", "о", "л", "д", "ж", "э"),
    ("SHIFT", "я", "ч", "с", "м", "и", "т", "ь", "б", "ю", "BACKSPACE"),
    ("MODE", "ъ", "ё", ",", "SPACE", ".", "?", "!"),
)
# By base language (easy-read Finnish types as Finnish); any other language gets LETTERS.
LAYOUTS: dict[str, Layout] = {"et": ESTONIAN, "uk": UKRAINIAN, "ru": RUSSIAN}
SYMBOLS: tuple[tuple[str, ...], ...] = (
    ("1", "2", "3", "4", "5", "6", "7", "8", "9", "0"),
    ("-", "/", ":", ";", "(", ")", "€", "%", "+", '"'),
    ("=", "*", "#", ",", ".", "?", "!", "'", "BACKSPACE"),
    ("MODE", "SPACE", "."),
)
WIDTH = {"SHIFT": 1.25, "BACKSPACE": 1.25, "MODE": 1.5, "SPACE": 3.0}  # in letter keys
ROW_UNITS = 11.5  # the widest row; in a whole layout SPACE fills its row up to this
# Where the rows must be split (a narrow portrait window), the letters leave out these: the
# symbols layout has them.
SPARE_IN_NARROW = frozenset({"!", "?", "-", "'"})
LABEL = {"SHIFT": "⇧", "BACKSPACE": "⌫", "SPACE": ""}
ICON_FONT = "DejaVuSans"  # has ⇧ and ⌫, which Kivy's Roboto lacks
KEY_BOUNCE_S = 0.06  # a key's own bounce filter: a brisk double letter is two touches


def layout_for(language: str) -> Layout:
    """The letters' layout for a visitor's language ("fi-x-easy" types as "fi")."""
    return LAYOUTS.get(base_language(language), LETTERS)


def key_widths(row: tuple[str, ...], fill: bool = True) -> list[float]:
    """Each key's width in letter-key widths; with `fill` (a row of the whole layout, not one
    split for a narrow window) the space bar takes the rest of ROW_UNITS."""
    widths = [WIDTH.get(key, 1.0) for key in row]
    if fill and "SPACE" in row:
        widths[row.index("SPACE")] = ROW_UNITS - sum(
            w for key, w in zip(row, widths, strict=True) if key != "SPACE"
        )
    return widths


class CommentInput(TextInput):
    """A comment field that holds at most max_chars characters."""

    max_chars = NumericProperty(500)

    def insert_text(self, substring: str, from_undo: bool = False) -> None:
        room = int(self.max_chars) - len(self.text)
        if room > 0:
            super().insert_text(substring[:room], from_undo=from_undo)


class OnScreenKeyboard(BoxLayout):
    """Types into `target`. Shift capitalises the next letter, as does the start of a sentence."""

    target = ObjectProperty(None, allownone=True)
    shift = BooleanProperty(False)
    symbols = BooleanProperty(False)
    rows = NumericProperty(4)  # rows of keys as built (more where the window is narrow)

    def on_kv_post(self, base_widget: object) -> None:
        App.get_running_app().bind(font_m=lambda *_: self._build(), lang=lambda *_: self._build())
        self.bind(symbols=lambda *_: self._build(), shift=lambda *_: self._relabel())
        self.bind(width=self._refit)
        self._layout: list[tuple[str, ...]] = []
        self._build()

    def _fitted(self) -> list[tuple[str, ...]]:
        """The layout's rows for this width, each key at least 12 mm wide."""
        app = App.get_running_app()
        width = self.width if self.width > 100 else 10_000  # 10 000: not laid out yet
        key, gap = app.touch_min, self.spacing
        if self.symbols:
            return fit_rows(SYMBOLS, width, key, gap)
        return fit_rows(layout_for(app.lang), width, key, gap, spare=SPARE_IN_NARROW)

    def _refit(self, *_: object) -> None:
        if self._fitted() != self._layout:
            self._build()

    def _build(self) -> None:
        app = App.get_running_app()
        self.clear_widgets()
        self._layout = self._fitted()
        self.rows = len(self._layout)
        whole = self.rows == len(SYMBOLS if self.symbols else layout_for(app.lang))
        for row in self._layout:
            line = BoxLayout(spacing=self.spacing)
            for key, width in zip(row, key_widths(row, fill=whole), strict=True):
                kind = Factory.PrimaryButton if key == "MODE" else Factory.SecondaryButton
                button = kind(
                    control=f"key-{key}",
                    font_name=ICON_FONT if key in LABEL else "Roboto",
                    font_size=app.font_m,
                    size_hint_x=width,
                    bounce_s=KEY_BOUNCE_S,
                )
                button.key = key
                if key == "MODE":
                    button.text = app.t("abc", app.lang) if self.symbols else app.t("123", app.lang)
                    # "123" on one line even where a portrait window makes the key narrow.
                    button.bind(width=self._fit_mode_label)
                else:
                    button.text = LABEL.get(key, key)
                button.bind(on_activate=self._press)
                line.add_widget(button)
            self.add_widget(line)
        self._relabel()

    @staticmethod
    def _fit_mode_label(button: KioskButton, width: float) -> None:
        app = App.get_running_app()
        button.font_size = fit_font(button.text, width - app.u * 0.4, app.font_m)

    def reset(self) -> None:
        """A fresh start for the next visitor: letters, not symbols, in the case the (empty)
        field wants, whatever the previous visitor left."""
        self.shift = False
        if self.symbols:
            self.symbols = False  # rebuilds the letters
        self._relabel()

    def _keys(self) -> list[KioskButton]:
        return [button for line in self.children for button in line.children]

    def _relabel(self, *_: object) -> None:
        upper = self._wants_capital()
        for button in self._keys():
            if len(button.key) == 1 and button.key.isalpha():
                button.text = button.key.upper() if upper else button.key

    def _wants_capital(self) -> bool:
        text = self.target.text.rstrip(" ") if self.target is not None else ""
        return self.shift or text == "" or text.endswith((".", "!", "?"))

    def _press(self, button: KioskButton) -> None:
        if self.target is None:
            return
        key = button.key
        if key == "SHIFT":
            self.shift = not self.shift
            return
        if key == "MODE":
            self.symbols = not self.symbols
            return
        if key == "BACKSPACE":
            self.target.do_backspace()
        elif key == "SPACE":
            self.target.insert_text(" ")
        else:
            self.target.insert_text(key.upper() if self._wants_capital() else key)
            self.shift = False
        self._relabel()

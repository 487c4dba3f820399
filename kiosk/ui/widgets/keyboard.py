"""An on-screen keyboard for comments: the Finnish/Swedish layout with å, ä and ö, keys of touch
size, and a second layout for digits and punctuation behind the "123" key."""

from __future__ import annotations

from kivy.app import App
from kivy.factory import Factory
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.textinput import TextInput

from kiosk.key_rows import fit_rows
from kiosk.ui.widgets.buttons import KioskButton

LETTERS: tuple[tuple[str, ...], ...] = (
    ("q", "w", "e", "r", "t", "y", "u", "i", "o", "p", "å"),
    ("a", "s", "d", "f", "g", "h", "j", "k", "l", "ö", "ä"),
    ("SHIFT", "z", "x", "c", "v", "b", "n", "m", ",", ".", "BACKSPACE"),
    ("MODE", "!", "?", "SPACE", "-", "'"),
)
SYMBOLS: tuple[tuple[str, ...], ...] = (
    ("1", "2", "3", "4", "5", "6", "7", "8", "9", "0"),
    ("-", "/", ":", ";", "(", ")", "€", "%", "+", '"'),
    ("=", "*", "#", ",", ".", "?", "!", "'", "BACKSPACE"),
    ("MODE", "SPACE", "."),
)
WIDTH = {"SHIFT": 1.5, "BACKSPACE": 1.5, "SPACE": 5.0, "MODE": 1.5}
# Where the rows must be split (a narrow portrait window), the letters leave out these: the
# symbols layout has them.
SPARE_IN_NARROW = frozenset({"!", "?", "-", "'"})
LABEL = {"SHIFT": "⇧", "BACKSPACE": "⌫", "SPACE": ""}
ICON_FONT = "DejaVuSans"  # has ⇧ and ⌫, which Kivy's Roboto lacks
KEY_BOUNCE_S = 0.06  # a key's own bounce filter: a brisk double letter is two touches


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
        return fit_rows(LETTERS, width, key, gap, spare=SPARE_IN_NARROW)

    def _refit(self, *_: object) -> None:
        if self._fitted() != self._layout:
            self._build()

    def _build(self) -> None:
        app = App.get_running_app()
        self.clear_widgets()
        self._layout = self._fitted()
        self.rows = len(self._layout)
        for row in self._layout:
            line = BoxLayout(spacing=self.spacing)
            for key in row:
                kind = Factory.PrimaryButton if key == "MODE" else Factory.SecondaryButton
                button = kind(
                    control=f"key-{key}",
                    font_name=ICON_FONT if key in LABEL else "Roboto",
                    font_size=app.font_m,
                    size_hint_x=WIDTH.get(key, 1.0),
                    bounce_s=KEY_BOUNCE_S,
                )
                button.key = key
                if key == "MODE":
                    button.text = app.t("abc", app.lang) if self.symbols else app.t("123", app.lang)
                else:
                    button.text = LABEL.get(key, key)
                button.bind(on_activate=self._press)
                line.add_widget(button)
            self.add_widget(line)
        self._relabel()

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

"""The bar of every visitor screen: back, a title, the language buttons and A+ (large text).

In landscape it stands on top; in portrait it moves to the bottom of its screen, where a
visitor's hand reaches Back, the languages and A+ without stretching. Where the languages leave
the title too little room, they take a row of their own under Back and A+, and wrap in it.
"""

from __future__ import annotations

from kivy.app import App
from kivy.clock import Clock
from kivy.factory import Factory
from kivy.properties import BooleanProperty, NumericProperty, OptionProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.stacklayout import StackLayout

from kiosk.ui.screens.languages import wants_picker
from kiosk.ui.widgets.buttons import KioskButton, text_width

TITLE_MIN_EMS = 6  # the title's least width beside the languages, in its font's sizes


def button_width(text: str, font_size: float) -> float:
    """A text button's width for `text` on one line (KioskButton keeps 0.4 units clear)."""
    return text_width(text, font_size) + App.get_running_app().u * 0.6


class LanguageBar(StackLayout):
    """One button per configured language, each named in its own language; the chosen one dark.
    Lays them out left to right, wrapping when its row is too narrow for all. With more than
    three, one button (a globe and the language in use) opens the picker instead."""

    natural_width = NumericProperty(0)  # all the buttons on one line

    def on_kv_post(self, base_widget: object) -> None:
        app = App.get_running_app()
        if wants_picker(app.kiosk_config.kiosk.languages):
            picker = Factory.LanguagePickerButton(control="languages", size_hint=(None, None))
            picker.language = ""
            picker.bind(on_activate=lambda _b: app.open_languages(), font_size=self._resize)
            self.add_widget(picker)
            app.bind(
                lang=lambda _app, lang: self._name_picker(picker, lang), touch_min=self._resize
            )
            self._name_picker(picker, app.lang)
            return
        for language in app.kiosk_config.kiosk.languages:
            button = Factory.LanguageButton(
                text=app.catalogs.autonym(language),
                control=f"lang-{language}",
                size_hint=(None, None),
            )
            button.language = language
            button.bind(on_activate=lambda b: app.session.set_language(b.language))
            button.bind(font_size=self._resize)
            self.add_widget(button)
        app.bind(lang=self._show_selected, touch_min=self._resize)
        self._show_selected(app, app.lang)
        self._resize()

    def _name_picker(self, picker: KioskButton, language: str) -> None:
        picker.text = App.get_running_app().catalogs.autonym(language)
        self._resize()

    def _show_selected(self, _app: object, language: str) -> None:
        for button in self.children:
            button.selected = button.language == language

    def _resize(self, *_: object) -> None:
        app = App.get_running_app()
        for button in self.children:
            button.height = bar_row_height(app)
            # Wide enough for the language's own name on one line, and a finger.
            button.width = max(app.touch_min * 1.4, button_width(button.text, button.font_size))
            if button.control == "languages":
                button.width += button.height * 0.8  # the globe
        widths = [b.width for b in self.children]
        # A pixel to spare: the stack must not wrap its last button over a rounding.
        self.natural_width = sum(widths) + self.spacing[0] * max(0, len(widths) - 1) + 1


class LargeTextButton(KioskButton):
    """A+: large text on and off for this visitor; dark (pressed) while on. Its face says "A+",
    `spoken_text` what it is, for speech."""

    spoken_text = StringProperty("")


def bar_row_height(app: object) -> float:
    """A row of the bar: a finger's 12 mm at least, and room for its text."""
    return max(app.touch_min, app.u * 1.25, app.font_m * 1.3)


class TopBar(BoxLayout):
    """Back on the left (hidden on the start screen), the title, the languages and A+ on the
    right; at the bottom of the screen in portrait."""

    title = StringProperty("")
    show_back = BooleanProperty(True)
    row_height = NumericProperty(63.0)
    languages_apart = BooleanProperty(False)  # the languages in a row of their own
    # Where the languages would need a row of their own, they may give way: "never" (the start
    # screen, where a visitor chooses), "large" (in large text: the screen needs the room) or
    # "always" (the comment screen and its keyboard).
    languages_optional = OptionProperty("large", options=["never", "large", "always"])

    def on_kv_post(self, base_widget: object) -> None:
        app = App.get_running_app()
        app.bind(
            portrait=self._fit,
            font_s=self._fit,
            font_m=self._fit,
            u=self._fit,
            large_text=self._fit,
        )
        self.bind(languages_optional=self._fit)
        self._place_soon = Clock.create_trigger(self._place)  # once the screen is built
        app.bind(portrait=self._place_soon)
        self.bind(width=self._fit, show_back=self._fit, parent=self._place_soon)
        # Held here: the bar's ids are weak, and the languages may be out of the bar a while.
        self.languages = self.ids.languages.__self__
        self.languages.bind(natural_width=self._fit)
        self._fit()
        self._place_soon()

    def _fit(self, *_: object) -> None:
        """The languages beside the title while both fit, else in a row of their own."""
        app = App.get_running_app()
        self.row_height = bar_row_height(app)
        row = self.ids.row
        languages = self.languages
        fixed = self.ids.large_text.width + (self.ids.back.width if self.show_back else 0)
        title = 0 if app.portrait else app.font_m * TITLE_MIN_EMS
        beside = fixed + title + languages.natural_width + row.spacing * 3 <= self.width
        optional = self.languages_optional == "always" or (
            self.languages_optional == "large" and app.large_text
        )
        home = row if beside else (None if optional else self)
        if languages.parent is not home:
            if languages.parent is not None:
                languages.parent.remove_widget(languages)
            if home is not None:
                # Before A+ in the row, or under Back and A+.
                home.add_widget(languages, index=1 if beside else 0)
        self.languages_apart = home is self

    def _place(self, *_: object) -> None:
        """On top of its screen in landscape, at the bottom in portrait."""
        parent = self.parent
        if parent is None or not isinstance(parent, BoxLayout):
            return
        portrait = App.get_running_app().portrait
        index = 0 if portrait else len(parent.children) - 1
        if parent.children.index(self) != index:
            parent.remove_widget(self)
            parent.add_widget(self, index=index)

"""The bar on top of every visitor screen: back, a title, and the language buttons."""

from __future__ import annotations

from kivy.app import App
from kivy.factory import Factory
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.ui.screens.languages import wants_picker


class LanguageBar(BoxLayout):
    """One button per configured language, each named in its own language; the chosen one dark.
    With more than three, one button (a globe and the language in use) opens the picker."""

    def on_kv_post(self, base_widget: object) -> None:
        app = App.get_running_app()
        if wants_picker(app.kiosk_config.kiosk.languages):
            button = Factory.LanguagePickerButton(
                control="languages", font_size=app.font_s, size_hint_x=None
            )
            button.language = ""
            button.bind(
                on_activate=lambda _b: app.open_languages(),
                height=lambda *_: self._resize(app, app.font_s),  # the globe's room
            )
            self.add_widget(button)
            app.bind(lang=lambda _app, lang: self._name_picker(button, lang))
            self._name_picker(button, app.lang)
            app.bind(font_s=self._resize)
            self._resize(app, app.font_s)
            return
        for language in app.kiosk_config.kiosk.languages:
            button = Factory.LanguageButton(
                text=app.catalogs.autonym(language),
                control=f"lang-{language}",
                font_size=app.font_s,
                size_hint_x=None,
            )
            button.language = language
            button.bind(on_activate=lambda b: app.session.set_language(b.language))
            self.add_widget(button)
        app.bind(lang=self._show_selected, font_s=self._resize)
        self._show_selected(app, app.lang)
        self._resize(app, app.font_s)

    def _name_picker(self, button: object, language: str) -> None:
        button.text = App.get_running_app().catalogs.autonym(language)
        self._resize(App.get_running_app(), button.font_size)

    def _show_selected(self, _app: object, language: str) -> None:
        for button in self.children:
            button.selected = button.language == language

    def _resize(self, app: object, font_size: float) -> None:
        for button in self.children:
            button.font_size = font_size
            # Wide enough for the language's own name on one line, and a finger.
            button.width = max(
                app.touch_min * 1.4, font_size * 0.62 * len(button.text) + app.u * 0.6
            ) + (button.height * 0.8 if button.control == "languages" else 0)  # the globe
        self.width = sum(b.width for b in self.children) + self.spacing * (len(self.children) - 1)


class TopBar(BoxLayout):
    """Back on the left (hidden on the start screen), the title, the languages on the right."""

    title = StringProperty("")
    show_back = BooleanProperty(True)

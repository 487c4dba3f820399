"""The bar on top of every visitor screen: back, a title, and the language buttons."""

from __future__ import annotations

from kivy.app import App
from kivy.factory import Factory
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout


class LanguageBar(BoxLayout):
    """One button per configured language, each named in its own language; the chosen one dark."""

    def on_kv_post(self, base_widget: object) -> None:
        app = App.get_running_app()
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

    def _show_selected(self, _app: object, language: str) -> None:
        for button in self.children:
            button.selected = button.language == language

    def _resize(self, app: object, font_size: float) -> None:
        for button in self.children:
            button.font_size = font_size
            # Wide enough for the language's own name on one line, and a finger.
            button.width = max(
                app.touch_min * 1.4, font_size * 0.62 * len(button.text) + app.u * 0.6
            )
        self.width = sum(b.width for b in self.children) + self.spacing * (len(self.children) - 1)


class TopBar(BoxLayout):
    """Back on the left (hidden on the start screen), the title, the languages on the right."""

    title = StringProperty("")
    show_back = BooleanProperty(True)

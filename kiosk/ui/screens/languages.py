"""The language picker: where more than three languages are configured, the top bar has one
language button, which opens this screen of every language named in itself."""

from __future__ import annotations

from kivy.factory import Factory

from kiosk.ui.screens.base import KioskScreen

# More languages than this and the top bar shows one button that opens the picker.
MAX_BAR_LANGUAGES = 3


def wants_picker(languages: tuple[str, ...]) -> bool:
    """Whether the top bar offers the picker rather than a button per language."""
    return len(languages) > MAX_BAR_LANGUAGES


class LanguagesScreen(KioskScreen):
    """A large button per configured language, in the config's order, each in its own name and
    its own language's control id ("language-uk"); the one in use dark. Choosing one sets it and
    returns to the screen the visitor came from, as Back does."""

    def on_pre_enter(self, *args: object) -> None:
        super().on_pre_enter(*args)
        self._place_header()
        grid = self.ids.languages
        grid.clear_widgets()
        for language in self.app.kiosk_config.kiosk.languages:
            button = Factory.PickerLanguageButton(
                text=self.app.catalogs.autonym(language),
                control=f"language-{language}",
                selected=language == self.app.lang,
            )
            button.language = language
            button.bind(on_activate=lambda b: self.choose(b.language))
            grid.add_widget(button)

    def _place_header(self) -> None:
        """Back and the title on top in landscape; at the bottom in portrait, within reach, as
        the visitor screens have their bar (kiosk.ui.widgets.topbar)."""
        header = self.ids.header
        parent = header.parent
        index = 0 if self.app.portrait else len(parent.children) - 1
        if parent.children.index(header) != index:
            parent.remove_widget(header)
            parent.add_widget(header, index=index)

    def choose(self, language: str) -> None:
        if self.app.session is not None:
            self.app.session.set_language(language)
        self.app.close_languages()

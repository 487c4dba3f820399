"""The out-of-order screen: shown while the outbox cannot be opened (the app tries again by
itself), in each of the kiosk's languages at once, calmly and with what to do instead."""

from __future__ import annotations

from kivy.properties import NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.ui.screens.base import KioskScreen


class OutOfOrderMessage(BoxLayout):
    """The message in one language."""

    language = StringProperty("fi")
    scale = NumericProperty(1.0)  # smaller type when more than three languages share the screen


class OutOfOrderScreen(KioskScreen):
    def on_kv_post(self, base_widget: object) -> None:
        languages = self.app.kiosk_config.kiosk.languages
        for language in languages:
            self.ids.messages.add_widget(
                OutOfOrderMessage(language=language, scale=min(1.0, 3 / len(languages)))
            )

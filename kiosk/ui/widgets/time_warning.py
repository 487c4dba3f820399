"""The warning before a time-out: "Do you need more time?" over the current screen, with one large
Continue button and the seconds left. Continue, or a touch anywhere on the overlay, keeps the
visitor where they are; the app shows and hides it from `View.warning`."""

from __future__ import annotations

from collections.abc import Callable

from kivy.properties import NumericProperty
from kivy.uix.modalview import ModalView


class TimeWarning(ModalView):
    """A modal overlay: while it is open the screen under it takes no touch."""

    seconds_left = NumericProperty(0.0)

    def __init__(self, keep_going: Callable[[], None], **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.keep_going = keep_going

    @property
    def shown(self) -> bool:
        return self._is_open

    def show(self, on: bool) -> None:
        """Open or close it at once (no fade: it must not catch a touch while it goes)."""
        if on and not self._is_open:
            self.open(animation=False)
        elif not on and self._is_open:
            self.dismiss(animation=False)

    def _on_button(self, touch: object) -> bool:
        button = self.ids.more_time
        return button.collide_point(*button.to_widget(*touch.pos))

    def on_touch_down(self, touch: object) -> bool:
        if self._on_button(touch):
            return super().on_touch_down(touch)
        touch.ud["time_warning"] = True  # a touch beside the button means "I am here" too
        return True

    def on_touch_up(self, touch: object) -> bool:
        if touch.ud.get("time_warning"):
            self.keep_going()
            return True
        return super().on_touch_up(touch)

"""The base of every kiosk screen: lifecycle hooks and the ghost-touch guard."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from kivy.app import App
from kivy.factory import Factory
from kivy.uix.screenmanager import Screen

from kiosk.session import Choice, View

# A finger that bounces on the touch glass lands its second touch on whatever the new screen shows
# at that spot; touches this soon after a screen appears are ignored.
GHOST_TOUCH_S = 0.3


class KioskScreen(Screen):
    """A screen of the kiosk. Subclasses fill `refresh` with what a new View changes."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.shown_at = 0.0

    @property
    def app(self) -> App:
        return App.get_running_app()

    def on_pre_enter(self, *_: object) -> None:
        self.shown_at = time.monotonic()

    def on_touch_down(self, touch: object) -> bool:
        if time.monotonic() - self.shown_at < GHOST_TOUCH_S:
            return True
        self.app.note_touch()
        return super().on_touch_down(touch)

    def refresh(self, view: View) -> None:
        """Show what the view says (language changes re-translate through kv bindings)."""


def show_choices(
    grid: object,
    choices: Sequence[Choice],
    *,
    button: str,
    control: str,
    choose: Callable[[str], None],
) -> None:
    """One `button` (a kv class) per choice in `grid`, named in the visitor's language; the
    buttons are built again only when the choices' ids change (a new config), and a touch calls
    `choose` with the choice's id (looked up at the touch, so a new session is the one called).
    `control` prefixes each button's control name."""
    ids = tuple(choice.id for choice in choices)
    if getattr(grid, "choice_ids", None) != ids:
        grid.clear_widgets()
        for choice_id in ids:
            widget = getattr(Factory, button)(control=f"{control}-{choice_id}")
            widget.choice_id = choice_id
            widget.bind(on_activate=lambda b: choose(b.choice_id))
            grid.add_widget(widget)
        grid.choice_ids = ids
    names = {choice.id: choice.name for choice in choices}
    for widget in grid.children:
        widget.text = names[widget.choice_id]

"""Simple vector icons drawn on the canvas (no image files to scale or ship)."""

from __future__ import annotations

from kivy.properties import ColorProperty
from kivy.uix.widget import Widget


class TicketIcon(Widget):
    """A queue ticket: a paper slip with a torn edge and a large number line."""

    paper = ColorProperty("#ffffff")
    ink = ColorProperty("#00504a")

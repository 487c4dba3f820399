"""The smiley face, drawn as vector graphics so it is sharp at every screen size."""

from __future__ import annotations

from kivy.clock import Clock
from kivy.graphics import Color, Ellipse, Line, Mesh
from kivy.properties import BooleanProperty, NumericProperty
from kivy.uix.widget import Widget
from kivy.utils import get_color_from_hex

from kiosk.theme import PALETTE
from kiosk.ui.geometry import level_shape


class SmileyFace(Widget):
    """A round face for a rating 1..4: colour, expression and a word beside it carry the meaning.
    An agreement step's face has a `level` between them (kiosk.ui.geometry.agreement_level)."""

    rating = NumericProperty(4)  # a level 1..4; whole for the smileys
    pressed = BooleanProperty(False)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        # Drawn once a frame, after the layouts have placed it: a face in a list whose rows
        # grow with their words is moved several times within one frame.
        self._redraw = Clock.create_trigger(self._draw, -1)
        self.bind(pos=self._redraw, size=self._redraw, rating=self._redraw, pressed=self._draw)

    def _draw(self, *_: object) -> None:
        r = max(min(self.width, self.height) / 2 - 2, 1)
        cx, cy = self.center
        rating = float(self.rating)
        shape = level_shape(rating, cx, cy, r)
        ink = get_color_from_hex(PALETTE.face_ink_on(rating))
        # A darker face while the finger is on it: the touch was felt.
        fill = get_color_from_hex(
            PALETTE.face_pressed(rating) if self.pressed else PALETTE.face(rating)
        )
        self.canvas.clear()
        with self.canvas:
            Color(*fill)
            Ellipse(pos=(cx - r, cy - r), size=(2 * r, 2 * r))
            Color(*ink)
            Line(circle=(cx, cy, r), width=max(r * 0.045, 1.2))
            for x, y, w, h in shape.eyes:
                Ellipse(pos=(x, y), size=(w, h))
            for brow in shape.brows:
                Line(points=brow, width=max(r * 0.06, 1.5), cap="round")
            if shape.mouth_open:
                points = shape.mouth
                # A fan from the middle of the straight upper lip fills the open mouth.
                top = ((points[0] + points[-2]) / 2, (points[1] + points[-1]) / 2)
                vertices = [top[0], top[1], 0, 0]
                for i in range(0, len(points), 2):
                    vertices += [points[i], points[i + 1], 0, 0]
                Mesh(
                    vertices=vertices, indices=list(range(len(vertices) // 4)), mode="triangle_fan"
                )
                Line(
                    points=[*points, points[0], points[1]], width=max(r * 0.05, 1.2), joint="round"
                )
            else:
                Line(points=shape.mouth, width=max(r * 0.075, 1.5), cap="round")

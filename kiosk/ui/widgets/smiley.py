"""The smiley face, drawn as vector graphics so it is sharp at every screen size."""

from __future__ import annotations

from kivy.graphics import Color, Ellipse, Line, Mesh
from kivy.properties import BooleanProperty, NumericProperty
from kivy.uix.widget import Widget
from kivy.utils import get_color_from_hex

from kiosk.theme import PALETTE
from kiosk.ui.geometry import face_shape


class SmileyFace(Widget):
    """A round face for a rating 1..4: colour, expression and a word beside it carry the meaning."""

    rating = NumericProperty(4)
    pressed = BooleanProperty(False)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.bind(pos=self._draw, size=self._draw, rating=self._draw, pressed=self._draw)

    def _draw(self, *_: object) -> None:
        r = max(min(self.width, self.height) / 2 - 2, 1)
        cx, cy = self.center
        shape = face_shape(int(self.rating), cx, cy, r)
        rating = int(self.rating)
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

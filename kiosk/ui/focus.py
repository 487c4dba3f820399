"""The focus ring of speech mode: which control the keys act on, drawn so that low-vision visitors
see it too.

The focusable controls are the current screen's `BounceFilteredButton`s with a `control` name
that are shown and enabled, in reading order, with the top bar's (Back, the languages) after the
screen's own choices: the question's answers come first. An overlay shown above the screen (the
time warning) takes the focus alone while it is shown: either its widget is handed to
`focus_scope` (and `release_scope` when it goes), or it is found among the window's children
above the screen manager.

The frame is two dark bands with a yellow one between them, each at least 3 px: dark on the light
background and on white buttons, yellow on the dark ones, so it stands out (well over 3:1)
against both whatever the button's colour.
"""

from __future__ import annotations

from collections.abc import Callable

from kivy.core.window import Window
from kivy.graphics import Color, InstructionGroup, Line
from kivy.uix.widget import Widget
from kivy.utils import get_color_from_hex

from kiosk.theme import PALETTE
from kiosk.ui.widgets.buttons import BounceFilteredButton
from kiosk.ui.widgets.topbar import TopBar

FRAME_DARK = PALETTE.text  # #1b1b1f
FRAME_LIGHT = "#ffd60a"  # signal yellow: 13:1 against the dark bands
MIN_BAND_PX = 3.0


def _shown(widget: Widget) -> bool:
    node: Widget | None = widget
    while node is not None and node is not node.parent:
        if node.opacity <= 0 or getattr(node, "disabled", False):
            return False
        node = node.parent
    return widget.width > 0 and widget.height > 0


def _in_top_bar(widget: Widget) -> bool:
    node = widget.parent
    while node is not None and node is not node.parent:
        if isinstance(node, TopBar):
            return True
        node = node.parent
    return False


def focusables_in(root: Widget) -> list[Widget]:
    """The controls under `root` the keys can reach, in the order the focus visits them."""
    found = [
        w
        for w in root.walk(restrict=True)
        if isinstance(w, BounceFilteredButton) and w.control and _shown(w)
    ]
    return [w for w in found if not _in_top_bar(w)] + [w for w in found if _in_top_bar(w)]


class FocusFrame:
    """The frame drawn around one widget (on its canvas.after), following its size."""

    def __init__(self, widget: Widget, band_px: float) -> None:
        self.widget = widget
        self.band = max(MIN_BAND_PX, band_px)
        self.group = InstructionGroup()
        self._lines: list[Line] = []
        for colour, width in ((FRAME_DARK, 1.5), (FRAME_LIGHT, 0.5)):
            self.group.add(Color(*get_color_from_hex(colour)))
            line = Line(width=self.band * width)
            self.group.add(line)
            self._lines.append(line)
        widget.canvas.after.add(self.group)
        widget.bind(pos=self._place, size=self._place)
        self._place()

    def _place(self, *_: object) -> None:
        w = self.widget
        radius = getattr(w, "radius", self.band * 3)
        radius = radius[0] if isinstance(radius, list | tuple) else radius
        # The dark band (3 band widths) centred on the button's edge, the yellow one inside it.
        pad = self.band * 0.5
        shape = (w.x - pad, w.y - pad, w.width + 2 * pad, w.height + 2 * pad, radius + pad)
        for line in self._lines:
            line.rounded_rectangle = shape

    def remove(self) -> None:
        self.widget.unbind(pos=self._place, size=self._place)
        self.widget.canvas.after.remove(self.group)


class FocusRing:
    """The focus of speech mode on the screen that `screen()` returns; `on_focus` hears each
    newly focused widget."""

    def __init__(
        self,
        screen: Callable[[], Widget | None],
        band_px: Callable[[], float],
        on_focus: Callable[[Widget], None] | None = None,
    ) -> None:
        self._screen = screen
        self._band_px = band_px
        self.on_focus = on_focus
        self.focused: Widget | None = None
        self._frame: FocusFrame | None = None
        self._scope: Widget | None = None

    # --- overlays --------------------------------------------------------------------------

    def focus_scope(self, widget: Widget) -> Widget | None:
        """An overlay is shown: only its controls take the focus until `release_scope`."""
        self._scope = widget
        return self.first()

    def release_scope(self) -> Widget | None:
        self._scope = None
        return self.first()

    def root(self) -> Widget | None:
        """Where the focus lives now: a given scope, an overlay above the screens, the screen."""
        if self._scope is not None and self._scope.get_parent_window() is not None:
            return self._scope
        screen = self._screen()
        top = screen.get_root_window() if screen is not None else None
        for child in (top or Window).children:  # the topmost first
            if screen is not None and child is not screen.manager and focusables_in(child):
                return child
        return screen

    def focusables(self) -> list[Widget]:
        root = self.root()
        return [] if root is None else focusables_in(root)

    # --- moving ----------------------------------------------------------------------------

    def first(self) -> Widget | None:
        items = self.focusables()
        self._set(items[0] if items else None)
        return self.focused

    def move(self, step: int) -> Widget | None:
        """The focus `step` controls on (1 next, -1 previous), round from the last to the first."""
        items = self.focusables()
        if not items:
            self._set(None)
            return None
        if self.focused in items:
            index = (items.index(self.focused) + step) % len(items)
        else:
            index = 0 if step > 0 else len(items) - 1
        self._set(items[index])
        return self.focused

    def focus_on(self, widget: Widget | None) -> Widget | None:
        """The focus back on `widget` if the keys can still reach it, else on the first."""
        if widget is not None and widget in self.focusables():
            self._set(widget)
            return self.focused
        return self.first()

    def current(self) -> Widget | None:
        """The focused control, moved to the first when it left the screen."""
        if self.focused is not None and self.focused in self.focusables():
            return self.focused
        return self.first()

    def select(self) -> bool:
        """Activate the focused control as a touch would; False when nothing has the focus."""
        widget = self.current()
        if widget is None:
            return False
        widget.dispatch("on_activate")
        return True

    def clear(self) -> None:
        self._scope = None
        self._set(None, announce=False)

    def _set(self, widget: Widget | None, announce: bool = True) -> None:
        if widget is not self.focused or (widget is not None and self._frame is None):
            if self._frame is not None:
                self._frame.remove()
                self._frame = None
            self.focused = widget
            if widget is not None:
                self._frame = FocusFrame(widget, self._band_px())
        if announce and widget is not None and self.on_focus is not None:
            self.on_focus(widget)

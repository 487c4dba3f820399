"""Scripts for tests/kiosk/test_ui_large.py: every visitor screen in normal and in large text
(A+), measured as drawn: touch targets, text contrast, font sizes, overlaps and cut text.
Kivy's widgets are imported inside the functions: the app sets the window's size first."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from hymy_dev.autopilot import Autopilot
from hymy_dev.tour import enter_pin
from kiosk.contrast import drawn_contrast
from kiosk.text_size import large_floor_px
from kiosk.theme import PALETTE, hex_rgb

Rect = tuple[float, float, float, float]  # x0, y0, x1, y1 in window coordinates
CAP_AND_DIGITS_EM = 0.72  # Roboto's capitals and digits, of the font size


def _ancestors(widget: object) -> Iterator[object]:
    """The widget's parents, up to its screen."""
    parent = widget.parent
    while parent is not None and parent is not widget and not hasattr(widget, "manager"):
        yield parent
        widget, parent = parent, parent.parent


def _visible(widget: object) -> bool:
    return all(
        w.opacity > 0 and w.width > 0 and w.height > 0 for w in [widget, *_ancestors(widget)]
    )


def _shown(widget: object) -> bool:
    """Drawn, or meant to be: a control squeezed to nothing by its layout still counts."""
    return all(w.opacity > 0 for w in [widget, *_ancestors(widget)])


def _rect(widget: object) -> Rect:
    x0, y0 = widget.to_window(widget.x, widget.y)
    return x0, y0, x0 + widget.width, y0 + widget.height


def _clip(widget: object, rect: Rect) -> Rect | None:
    """The part of `rect` a scroll view around `widget` lets show (None: scrolled out)."""
    from kivy.uix.scrollview import ScrollView

    for parent in _ancestors(widget):
        if isinstance(parent, ScrollView):
            x0, y0, x1, y1 = _rect(parent)
            rect = (max(rect[0], x0), max(rect[1], y0), min(rect[2], x1), min(rect[3], y1))
            if rect[0] >= rect[2] or rect[1] >= rect[3]:
                return None
    return rect


def _scrolls(widget: object) -> bool:
    from kivy.uix.scrollview import ScrollView

    return any(isinstance(parent, ScrollView) for parent in _ancestors(widget))


def _background(widget: object) -> list[float]:
    """The colour the widget's text is drawn on: its own or its nearest ancestor's `bg`."""
    for holder in [widget, *_ancestors(widget)]:
        if hasattr(holder, "bg"):
            return list(holder.bg)
    return [c / 255 for c in hex_rgb(PALETTE.background)] + [1.0]


def _texts(pilot: Autopilot) -> list[object]:
    from kivy.uix.label import Label
    from kivy.uix.textinput import TextInput

    screen = pilot.app.manager.current_screen
    return [
        w
        for w in screen.walk(restrict=True)
        if ((isinstance(w, Label) and w.text.strip()) or isinstance(w, TextInput)) and _visible(w)
    ]


# The start screen's invisible corner for staff (a long press): a touch target, never drawn.
HIDDEN_CONTROLS = ("admin-corner",)


def _targets(pilot: Autopilot) -> list[object]:
    screen = pilot.app.manager.current_screen
    return [
        w
        for w in screen.walk(restrict=True)
        if getattr(w, "control", "") and not w.disabled and _shown(w)
    ]


def _overlap(a: Rect, b: Rect) -> float:
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def _related(a: object, b: object) -> bool:
    return any(b is p for p in _ancestors(a)) or any(a is p for p in _ancestors(b))


def _widest_word(label: object) -> tuple[str, float]:
    """The label's widest word and its width in the label's font: wrapping inside it breaks it."""
    from kiosk.ui.widgets.buttons import text_width

    widths = [(word, text_width(word, label.font_size, label.bold)) for word in label.text.split()]
    return max(widths, key=lambda pair: pair[1], default=("", 0.0))


def measure(pilot: Autopilot, name: str, large: bool) -> dict:
    """What one screen shows, and every fault found on it."""
    from kivy.uix.label import Label
    from kivy.uix.textinput import TextInput

    app = pilot.app
    page = hex_rgb(PALETTE.background)
    floor = large_floor_px(app.kiosk_config.display.dpi / 25.4)
    width, height = app.root.size
    faults: list[str] = []
    targets = _targets(pilot)
    for widget in targets:
        if min(widget.width, widget.height) < app.touch_min - 0.5:
            faults.append(
                f"{widget.control}: {widget.width:.0f}x{widget.height:.0f} px, "
                f"under 12 mm ({app.touch_min:.0f} px)"
            )
    texts = _texts(pilot)
    for label in texts:
        what = getattr(label, "control", "") or label.text[:30]
        if isinstance(label, TextInput):
            colour = label.foreground_color if label.text else label.hint_text_color
            ratio = drawn_contrast(colour, label.background_color, page)
            two_lines = 2 * label.line_height + label.padding[1] + label.padding[3]
            if label.height < two_lines - 0.5:
                faults.append(f"the text field: {label.height:.0f} px, under two lines")
        else:
            ratio = drawn_contrast(label.color, _background(label), page)
        if ratio < 7 - 0.005:
            faults.append(f"{what!r}: contrast {ratio:.2f}:1, under 7:1")
        if large and label.font_size < floor - 0.5:
            faults.append(f"{what!r}: font {label.font_size:.0f} px, under {floor:.0f} px")
        if isinstance(label, Label) and not label.shorten:
            tw, th = label.texture_size
            if not label.text_size[0]:  # one line as it comes: its capitals and digits count
                th = label.font_size * CAP_AND_DIGITS_EM
            if tw > label.width + 2 or th > label.height + 2:
                faults.append(
                    f"{what!r}: text {tw:.0f}x{th:.0f} px cut by its box "
                    f"{label.width:.0f}x{label.height:.0f}"
                )
            word = _widest_word(label)
            if label.text_size[0] and word[1] > label.text_size[0]:
                faults.append(f"{what!r}: the word {word[0]!r} broken, {word[1]:.0f} px wide")
        x0, y0, x1, y1 = _rect(label)
        if not _scrolls(label) and (x0 < -1 or y0 < -1 or x1 > width + 1 or y1 > height + 1):
            faults.append(f"{what!r}: outside the window {(x0, y0, x1, y1)}")
    boxes = []
    drawn = [w for w in targets if w.control not in HIDDEN_CONTROLS]
    for hidden in (w for w in targets if w.control in HIDDEN_CONTROLS):
        for widget in drawn:  # an invisible control over a visitor's one swallows touches
            if _overlap(_rect(hidden), _rect(widget)) > 1:
                faults.append(f"{hidden.control!r} covers {widget.control!r}")
    for widget in {id(w): w for w in [*drawn, *texts]}.values():
        rect = _clip(widget, _rect(widget))
        if rect is not None:
            boxes.append((widget, rect))
    for i, (a, ra) in enumerate(boxes):
        for b, rb in boxes[i + 1 :]:
            if not _related(a, b) and _overlap(ra, rb) > 1:
                names = [getattr(w, "control", "") or w.text[:20] for w in (a, b)]
                faults.append(f"{names[0]!r} and {names[1]!r} overlap")
    return {
        "fonts": {getattr(t, "control", "") or t.text[:40]: t.font_size for t in texts},
        "targets": sorted(w.control for w in targets),
        "texts": len(texts),
        "smallest_font": min((t.font_size for t in texts), default=0),
        "faults": faults,
    }


def _visit(pilot: Autopilot, shots: Path, prefix: str, large: bool) -> Iterator[float]:
    """Every visitor screen once, A+ touched at the start of each visit when `large`."""
    screens: dict[str, dict] = {}

    def look(name: str) -> None:
        pilot.screenshot(shots / f"{prefix}-{name}.png")
        screens[name] = measure(pilot, name, large)

    def switch_on() -> Iterator[float]:
        if large:
            yield from pilot.touch("large-text")
            assert pilot.app.large_text and pilot.find("large-text").selected

    yield from switch_on()
    look("start")
    yield from pilot.touch("lang-sv")
    look("start-sv")
    yield from pilot.touch("lang-fi")
    yield from pilot.touch("start-feedback")
    look("rating")
    yield from pilot.touch("smiley-1")
    look("reason")
    yield from pilot.touch(pilot.first_control("reason-"))
    look("comment-empty")
    yield from pilot.type_text("Jonotin lähes tunnin. Kukaan ei kertonut, että lääkäri on myöhässä")
    yield from pilot.settle()
    look("comment")
    yield from pilot.touch("send")
    look("thanks")
    pilot.tap_center()
    yield from pilot.settle()
    pilot.notes.setdefault("large_after_visit", []).append(pilot.app.large_text)
    yield from switch_on()
    yield from pilot.touch("lang-sv")
    yield from pilot.touch("start-check-in")
    look("service-point")
    yield from pilot.touch(pilot.first_control("service-point-"))
    look("ticket")
    yield from pilot.touch("done")
    pilot.notes["large" if large else "normal"] = screens


def visitor_screens(pilot: Autopilot, shots: Path) -> Iterator[float]:
    """Every visitor screen in normal text, then again in large text; then the admin screens
    (touch targets only: they are staff's, not in large text)."""
    prefix = f"{pilot.app.root.width}x{pilot.app.root.height}"
    pilot.notes["touch_min"] = pilot.app.touch_min
    pilot.notes["floor"] = large_floor_px(pilot.app.kiosk_config.display.dpi / 25.4)
    yield from _visit(pilot, shots, f"{prefix}-normal", large=False)
    yield from _visit(pilot, shots, f"{prefix}-large", large=True)
    admin: dict[str, dict] = {}
    finger = pilot.press("admin-corner")
    yield pilot.app.kiosk_config.admin.long_press_seconds + 0.3
    finger.up()
    yield from pilot.settle()
    admin["admin_pin"] = measure(pilot, "admin_pin", large=False)
    pilot.screenshot(shots / f"{prefix}-admin-pin.png")
    yield from enter_pin(pilot, "2468")  # the example config's PIN
    admin["admin"] = measure(pilot, "admin", large=False)
    pilot.screenshot(shots / f"{prefix}-admin.png")
    yield from pilot.touch("admin-touch-test")
    admin["touch_test"] = measure(pilot, "touch_test", large=False)
    pilot.notes["admin"] = admin

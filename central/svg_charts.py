"""The report's charts drawn as SVG on the server (pure: text in, text out), for the PDF, which
cannot run the console's Chart.js. The same three charts as the site page, in its colours:
a score over time (0-100, a gap where a figure is hidden), stacked bars of the four ratings,
and plain bars (check-ins). A hidden figure is None and draws nothing: never a zero.

Each function returns one `<svg>` element with a `<title>` (its text alternative); the report
keeps a table of the same numbers beside every chart.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

RATING_COLOURS = ("#b3261e", "#e8833a", "#7cb342", "#1b7a3a")  # as static/console.js
BLUE = "#1f5fa8"
GRID = "#d9dde3"
INK = "#1d2430"
FONT = "DejaVu Sans, sans-serif"
MAX_LABELS = 12  # axis labels shown; with more buckets every k-th


@dataclass(frozen=True)
class Frame:
    """The drawing area inside the axes, in SVG units (1 unit = 1 CSS px in WeasyPrint)."""

    width: float = 640
    height: float = 220
    left: float = 40
    right: float = 10
    top: float = 10
    bottom: float = 36

    @property
    def inner_width(self) -> float:
        return self.width - self.left - self.right

    @property
    def inner_height(self) -> float:
        return self.height - self.top - self.bottom

    def y(self, value: float, top: float) -> float:
        return self.top + self.inner_height * (1 - (value / top if top else 0))

    def slot(self, index: int, count: int) -> tuple[float, float]:
        """The x of a bucket's slot's start and the slot's width."""
        width = self.inner_width / max(count, 1)
        return self.left + index * width, width


NARROW = Frame(width=400, height=220, left=30, bottom=30)
MAX_NARROW_LABELS = 8


def nice_top(value: float) -> tuple[float, float]:
    """The axis top at or above `value` and its tick step (1, 2 or 5 times a power of ten),
    so the ticks read 0, 5, 10...; (4, 1) for nothing to show."""
    if value <= 4:
        return 4.0, 1.0
    raw = value / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return step * math.ceil(value / step), step


def _text(x: float, y: float, words: str, *, anchor: str = "middle", size: float = 10) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
        f'fill="{INK}" font-family={quoteattr(FONT)}>{escape(words)}</text>'
    )


def _open(frame: Frame, title: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{frame.width:g}" '
        f'height="{frame.height:g}" viewBox="0 0 {frame.width:g} {frame.height:g}">',
        f"<title>{escape(title)}</title>",
    ]


def _axes(
    frame: Frame, labels: Sequence[str], top: float, step: float, tick: Callable[[float], str]
) -> list[str]:
    parts = []
    value = 0.0
    while value <= top + 1e-9:
        y = frame.y(value, top)
        parts.append(
            f'<line x1="{frame.left:.1f}" y1="{y:.1f}" x2="{frame.width - frame.right:.1f}" '
            f'y2="{y:.1f}" stroke="{GRID}" stroke-width="0.8"/>'
        )
        parts.append(_text(frame.left - 4, y + 3.5, tick(value), anchor="end", size=9))
        value += step
    most = MAX_LABELS if frame.width >= 600 else MAX_NARROW_LABELS
    every = max(1, math.ceil(len(labels) / most))
    for index, label in enumerate(labels):
        if index % every:
            continue
        x, width = frame.slot(index, len(labels))
        parts.append(_text(x + width / 2, frame.height - frame.bottom + 14, label, size=9))
    return parts


def _whole(value: float) -> str:
    return f"{value:g}"


def line_chart(
    labels: Sequence[str],
    values: Sequence[float | None],
    title: str,
    *,
    frame: Frame = Frame(),
    tick: Callable[[float], str] = _whole,
) -> str:
    """The score over time on the 0-100 scale: a line through neighbouring shown figures, a dot
    on each (so a lone figure between two gaps is seen), nothing where a figure is None."""
    parts = _open(frame, title) + _axes(frame, labels, 100, 25, tick)
    points: list[tuple[float, float] | None] = []
    for index, value in enumerate(values):
        if value is None:
            points.append(None)
            continue
        x, width = frame.slot(index, len(values))
        points.append((x + width / 2, frame.y(value, 100)))
    run: list[tuple[float, float]] = []
    for point in [*points, None]:
        if point is not None:
            run.append(point)
            continue
        if len(run) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{BLUE}" stroke-width="2"/>'
            )
        run = []
    for point in points:
        if point is not None:
            parts.append(f'<circle cx="{point[0]:.1f}" cy="{point[1]:.1f}" r="2.5" fill="{BLUE}"/>')
    return "\n".join([*parts, "</svg>"])


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float | int | None],
    title: str,
    *,
    frame: Frame = Frame(),
    tick: Callable[[float], str] = _whole,
) -> str:
    """Plain bars from zero (check-ins per bucket); None draws no bar."""
    top, step = nice_top(max((v for v in values if v is not None), default=0))
    parts = _open(frame, title) + _axes(frame, labels, top, step, tick)
    for index, value in enumerate(values):
        if not value:
            continue
        x, width = frame.slot(index, len(values))
        y = frame.y(value, top)
        parts.append(
            f'<rect x="{x + width * 0.15:.1f}" y="{y:.1f}" width="{width * 0.7:.1f}" '
            f'height="{frame.top + frame.inner_height - y:.1f}" fill="{BLUE}"/>'
        )
    return "\n".join([*parts, "</svg>"])


def stacked_chart(
    labels: Sequence[str],
    stacks: Sequence[Sequence[int] | None],
    title: str,
    legend: Sequence[str],
    *,
    colours: Sequence[str] = RATING_COLOURS,
    frame: Frame = Frame(height=240, bottom=56),
    tick: Callable[[float], str] = _whole,
) -> str:
    """Stacked bars, one per label, its parts bottom up in the order of `legend` and `colours`
    (the four ratings' counts, very unhappy at the bottom); None (hidden) draws no bar. The
    legend stands below the axis labels."""
    top, step = nice_top(max((sum(s) for s in stacks if s is not None), default=0))
    parts = _open(frame, title) + _axes(frame, labels, top, step, tick)
    for index, stack in enumerate(stacks):
        if stack is None:
            continue
        x, width = frame.slot(index, len(stacks))
        base = 0
        for count, colour in zip(stack, colours, strict=False):
            if count:
                y_top, y_base = frame.y(base + count, top), frame.y(base, top)
                parts.append(
                    f'<rect x="{x + width * 0.15:.1f}" y="{y_top:.1f}" width="{width * 0.7:.1f}" '
                    f'height="{y_base - y_top:.1f}" fill="{colour}"/>'
                )
            base += count
    x = frame.left
    y = frame.height - 10
    for word, colour in zip(legend, colours, strict=False):
        parts.append(f'<rect x="{x:.1f}" y="{y - 8:.1f}" width="10" height="10" fill="{colour}"/>')
        parts.append(_text(x + 14, y, word, anchor="start", size=9))
        x += 24 + 5.4 * len(word)  # DejaVu Sans at 9 units: about 5.4 units a letter
    return "\n".join([*parts, "</svg>"])

"""Scripted touches on the running kiosk, for the demo, the screenshot tour, tests and benchmarks;
`play` runs the app with one script until it ends.

A script is a generator function taking an `Autopilot`; each `yield` hands back how many seconds to
wait before the next step, while the app keeps running its frames:

    def visit(pilot):
        pilot.tap("start-feedback")
        yield 0.5
        pilot.tap("smiley-4")

Touches go through Kivy's real input path (the window's motion events), as a finger's would.
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

# kiosk.ui before Kivy: importing it sets Kivy's environment, which Kivy reads on its first import.
from kiosk.central_config import ConfigSource
from kiosk.config import KioskConfig
from kiosk.outbox import Outbox
from kiosk.ui.launch import build_app

# isort: split
from kivy.base import EventLoop
from kivy.clock import Clock
from kivy.input.motionevent import MotionEvent
from kivy.uix.widget import Widget

log = logging.getLogger(__name__)

Script = Callable[["Autopilot"], Iterator[float]]
PANEL_RELAY_ENV = "HYMY_PANEL_RELAY"
KEYPAD_TEXT = {
    **{f"numpad{digit}": str(digit) for digit in range(10)},
    "numpaddecimal": ".",
    "numpaddivide": "/",
    "numpadmul": "*",
    "numpadsubstract": "-",
    "numpadadd": "+",
}


class PanelRelay:
    """The test's end of a button panel on a pseudo-terminal: every line a script appends to
    `path` (with `Autopilot.panel`, in the kiosk's process) is written to the pty, CR LF ended,
    as the panel's firmware sends it."""

    def __init__(self, path: Path, write: Callable[[bytes], None]) -> None:
        self.path = path
        self.sent: list[str] = []
        path.write_text("", encoding="ascii")
        self._write = write
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="panel-relay", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        done = 0
        while not self._stop.wait(0.01):
            lines = self.path.read_text(encoding="ascii").splitlines(keepends=True)
            for line in lines[done:]:
                if not line.endswith("\n"):
                    break  # still being written
                self._write(line.strip().encode("ascii") + b"\r\n")
                self.sent.append(line.strip())
                done += 1

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)


class SimulatedTouch(MotionEvent):
    """One finger on the glass at window coordinates (x, y)."""

    _next_id = 1000

    def __init__(self, x: float, y: float) -> None:
        SimulatedTouch._next_id += 1
        super().__init__(
            "autopilot", SimulatedTouch._next_id, self._args(x, y), is_touch=True, type_id="touch"
        )
        self.profile = ["pos"]

    @staticmethod
    def _args(x: float, y: float) -> dict[str, float]:
        from kivy.core.window import Window  # not at import: the app configures the window first

        return {"x": x / max(Window.width - 1, 1), "y": y / max(Window.height - 1, 1)}

    def depack(self, args: dict[str, float]) -> None:
        self.sx, self.sy = args["x"], args["y"]
        super().depack(args)

    def down(self) -> None:
        EventLoop.post_dispatch_input("begin", self)

    def up(self) -> None:
        EventLoop.post_dispatch_input("end", self)


class Autopilot:
    """Finds widgets by their `control` name on the current screen and touches them."""

    def __init__(self, app: object) -> None:
        self.app = app
        self.notes: dict[str, object] = {}  # what a script saw, for whoever ran it

    @property
    def screen(self) -> str:
        return self.app.manager.current

    def find(self, control: str) -> Widget:
        """The visible widget named `control` on the current screen.

        Raises LookupError when the current screen has none.
        """
        root = self.app.manager.current_screen
        for widget in root.walk(restrict=True):
            if getattr(widget, "control", None) == control and widget.opacity > 0:
                return widget
        raise LookupError(f"No control {control!r} on the screen {self.screen!r}.")

    def controls(self) -> list[str]:
        root = self.app.manager.current_screen
        # walk() goes depth-first in the order the widgets were added (Kivy keeps `children`
        # newest first and walks them backwards): the reading order, top to bottom.
        return [w.control for w in root.walk(restrict=True) if getattr(w, "control", "")]

    def first_control(self, prefix: str) -> str:
        """The first control on the screen whose name starts with prefix.

        Raises LookupError when there is none.
        """
        for control in self.controls():
            if control.startswith(prefix):
                return control
        raise LookupError(f"No control starting with {prefix!r} on the screen {self.screen!r}.")

    def tap(self, control: str) -> None:
        widget = self.find(control)
        self.tap_at(*widget.to_window(*widget.center))

    def touch(self, control: str) -> Iterator[float]:
        """Tap a control and wait until the kiosk has answered (use with `yield from`)."""
        self.tap(control)
        yield from self.settle()

    def tap_center(self) -> None:
        root = self.app.root
        self.tap_at(root.width / 2, root.height / 2)

    def tap_at(self, x: float, y: float) -> None:
        touch = SimulatedTouch(x, y)
        touch.down()
        touch.up()

    def press(self, control: str) -> SimulatedTouch:
        """Put a finger down and keep it there (release with `.up()`), e.g. for a long press."""
        widget = self.find(control)
        touch = SimulatedTouch(*widget.to_window(*widget.center))
        touch.down()
        return touch

    def key(self, name: str) -> None:
        """Press and release a key by its Kivy name ("numpad8", "numpadenter", "backspace"), as
        a USB keypad's key arrives: through the window's keyboard events."""
        from kivy.core.window import Keyboard, Window

        code = Keyboard.keycodes[name]
        text = KEYPAD_TEXT.get(name)
        Window.dispatch("on_key_down", code, 0, text, [])
        if text is not None:  # as SDL does: the key's character follows as text input
            Window.dispatch("on_textinput", text)
        Window.dispatch("on_key_up", code, 0)

    def panel(self, line: str) -> None:
        """Send a line from the button panel ("D1", "U1", "B3") through the pseudo-terminal a
        `PanelRelay` of the test plays (its file is in $HYMY_PANEL_RELAY)."""
        with Path(os.environ[PANEL_RELAY_ENV]).open("a", encoding="ascii") as relay:
            relay.write(line + "\n")

    def type_text(self, text: str, interval: float = 0.12) -> Iterator[float]:
        """Type on the on-screen keyboard key by key at a brisk finger's pace, switching between
        its letter and digit layouts as needed (use with `yield from`). The keyboard capitalises
        the start of a sentence itself."""
        for char in text:
            key = f"key-{'SPACE' if char == ' ' else char.lower()}"
            if key not in self.controls():
                self.tap("key-MODE")
                yield interval
            self.tap(key)
            yield interval

    def settle(self, at_least: float = 0.1, timeout: float = 10.0) -> Iterator[float]:
        """Wait (with `yield from`) until the kiosk has answered the last touch and its screen
        takes touches again: no write pending, the screen manager's switch finished (it drops
        touches until then: a frame or two, longer on a loaded machine), and past the new
        screen's ghost-touch guard."""
        from kiosk.session import WriteStatus
        from kiosk.ui.screens.base import GHOST_TOUCH_S

        yield at_least
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            session = self.app.session  # None on the out-of-order screen
            saving = session is not None and session.view.write is WriteStatus.SAVING
            switching = self.app.manager.transition.is_active
            shown = self.app.manager.current_screen.shown_at
            if not saving and not switching and time.monotonic() - shown > GHOST_TOUCH_S + 0.05:
                return
            yield 0.05

    def screenshot(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.app.root.export_to_png(str(path))  # the root covers the whole window
        return path

    def window_screenshot(self, path: Path) -> Path:
        """The whole window as drawn, overlays above the screens included (the time warning):
        the app's root holds only the screens."""
        from kivy.core.window import Window

        path.parent.mkdir(parents=True, exist_ok=True)
        Path(Window.screenshot(name=str(path))).replace(path)  # Kivy numbers the name: undo it
        return path

    def run(self, script: Script, on_error: Callable[[BaseException], None] | None = None) -> None:
        """Play the script, step by step, between the app's frames; stop the app at its end."""
        steps = itertools.chain(self.settle(), script(self))  # the first screen settles too

        def step(_dt: float) -> None:
            try:
                delay = next(steps)
            except StopIteration:
                self.app.stop()
                return
            except BaseException as err:
                log.exception("the script failed on the screen %r", self.screen)
                if on_error is not None:
                    on_error(err)
                self.app.stop()
                return
            Clock.schedule_once(step, delay)

        def start(*_: object) -> None:  # returns None: the app's own on_start must run too
            Clock.schedule_once(step, 0.8)

        # Start once the app runs and has drawn (a timer set before run() fires at once).
        self.app.bind(on_start=start)


def play(
    config: KioskConfig,
    outbox: Outbox | Path,
    script: Script,
    *,
    window: tuple[int, int] | None = None,
    notes: dict | None = None,
    source: ConfigSource | None = None,
) -> dict:
    """Run the app with a scripted visit until the script ends.

    Returns what the script noted (also filled into `notes` as it goes, when given).
    Raises whatever the script raised, after the app has stopped.
    """
    app = build_app(config, outbox, window=window, source=source)
    pilot = Autopilot(app)
    if notes is not None:
        pilot.notes = notes
    errors: list[BaseException] = []
    pilot.run(script, on_error=errors.append)
    app.run()
    if errors:
        raise errors[0]
    return pilot.notes

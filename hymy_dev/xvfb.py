"""A virtual X display (Xvfb) for running the kiosk's window on a machine without a screen."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from pathlib import Path

log = logging.getLogger(__name__)


class XvfbError(RuntimeError):
    """Xvfb is missing or did not start."""


class VirtualDisplay:
    """Xvfb on a free display number, for the life of a `with` block (sets DISPLAY meanwhile)."""

    def __init__(self, width: int = 1920, height: int = 1920, depth: int = 24) -> None:
        self.screen = f"{width}x{height}x{depth}"
        self.process: subprocess.Popen[bytes] | None = None
        self.display: str | None = None
        self._previous: str | None = None

    def start(self) -> str:
        """Start Xvfb and return its DISPLAY value (":N").

        Raises XvfbError when Xvfb is not installed or does not come up.
        """
        binary = shutil.which("Xvfb")
        if binary is None:
            raise XvfbError(
                "Xvfb is not installed; run `make setup` as root (it installs xvfb), or "
                "`apt-get install xvfb`."
            )
        read_fd, write_fd = os.pipe()
        # -displayfd: Xvfb picks a free display number and writes it when it is ready to serve.
        self.process = subprocess.Popen(
            [binary, "-displayfd", str(write_fd), "-screen", "0", self.screen, "-nolisten", "tcp"],
            pass_fds=(write_fd,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(write_fd)
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()
        if not number:
            self.stop()
            raise XvfbError("Xvfb did not start; run `Xvfb :99` by hand to see why.")
        self.display = f":{number}"
        self._previous = os.environ.get("DISPLAY")
        os.environ["DISPLAY"] = self.display
        log.info("Xvfb started on display %s", self.display)
        return self.display

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
            self.process = None
        if self.display is not None:
            if self._previous is None:
                os.environ.pop("DISPLAY", None)
            else:
                os.environ["DISPLAY"] = self._previous
            self.display = None

    def __enter__(self) -> VirtualDisplay:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def has_display() -> bool:
    """True when an X display is set and its socket exists."""
    display = os.environ.get("DISPLAY", "")
    if not display.startswith(":"):
        return bool(display)
    number = display[1:].split(".")[0]
    return Path(f"/tmp/.X11-unix/X{number}").exists()

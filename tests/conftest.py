"""Fixtures shared by every test folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from hymy_dev.xvfb import VirtualDisplay

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_CONFIG = ROOT / "assets" / "config" / "example-kiosk.toml"


@pytest.fixture(scope="session")
def x_display() -> Iterator[str]:
    """A private Xvfb for this test process (each xdist worker gets its own)."""
    with VirtualDisplay() as display:
        assert display.display is not None
        yield display.display
    os.environ.pop("DISPLAY", None)

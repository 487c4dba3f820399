"""Hymy kiosk: the visitor's touchscreen, the durable outbox and the pure rules of the journey.

Nothing in this package outside ``kiosk.ui`` imports Kivy: the sync agent imports the outbox and
must start without a display. Nothing here imports ``sync`` or ``central``. The threads of the
app and the path of a rating from touch to outbox: docs/architecture.md.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("hymy")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

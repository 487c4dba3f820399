"""What a test needs of this machine beyond Python: root (mounts, chattr, file owners)."""

from __future__ import annotations

import os

import pytest


def require_root(why: str = "install.sh --root sets file owners (chown)") -> None:
    """Skip when this process is not root (saying why it must be); on CI, which runs the tests
    as root, fail instead: there a skip would hide a broken setup."""
    if os.geteuid() == 0:
        return
    message = f"needs root: {why} (CI runs the tests as root)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)

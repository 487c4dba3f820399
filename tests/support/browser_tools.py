"""The tools outside Python the browser tests need, and what to do when one is missing."""

from __future__ import annotations

import os
import shutil
from typing import NoReturn

import pytest

from tests.support.paths import ROOT

NODE_MODULES = ROOT / "tests" / "central" / "web" / "node" / "node_modules"


def unavailable(reason: str) -> NoReturn:
    """Fail on CI, where setup.sh has run and a missing tool is a broken setup; skip elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def node_missing() -> str | None:
    """Why the identity provider cannot run here (a sentence naming the fix), or None."""
    if shutil.which("node") is None:
        return "Node.js is not installed: run scripts/setup.sh as root (it installs nodejs)."
    if not (NODE_MODULES / "oidc-provider").is_dir():
        return f"{NODE_MODULES} has no oidc-provider: run scripts/setup.sh (it runs npm ci)."
    return None

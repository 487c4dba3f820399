"""Where things are: the checkout, the example configs, and the PYTHONPATH of child processes."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the checkout
EXAMPLE_CONFIG = ROOT / "assets" / "config" / "example-kiosk.toml"
EXAMPLE_SITE = ROOT / "assets" / "config" / "example-site.toml"


def use_the_assets_of_this_tree() -> None:
    """The kiosk reads its catalogs from the package `hymy_assets` (assets/ of the checkout the
    venv was installed from). Where that is another checkout (a git worktree sharing a venv),
    point the package at this tree's assets/, here and in every child process, so the tests
    check this tree's translations."""
    spec = importlib.util.find_spec("hymy_assets")
    locations = list(spec.submodule_search_locations or []) if spec else []
    if any(Path(location).resolve() == ROOT / "assets" for location in locations):
        return
    digest = hashlib.sha256(str(ROOT).encode()).hexdigest()[:12]
    shim = Path(tempfile.gettempdir()) / f"hymy-assets-{digest}"
    shim.mkdir(exist_ok=True)
    link = shim / "hymy_assets"
    if not link.is_symlink():
        link.symlink_to(ROOT / "assets", target_is_directory=True)
    sys.path.insert(0, str(shim))
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(shim), os.environ.get("PYTHONPATH")])
    )


def child_pythonpath() -> str:
    """PYTHONPATH for a child process: this tree first (and its assets, see above)."""
    return os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))

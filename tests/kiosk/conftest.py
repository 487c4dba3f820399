"""Fixtures for the kiosk's tests: the real app under Xvfb, played by scripts in its own process."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.outbox import Outbox
from tests.conftest import EXAMPLE_CONFIG, ROOT

RUN_TIMEOUT_S = 120


def _use_the_assets_of_this_tree() -> None:
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


_use_the_assets_of_this_tree()


def child_pythonpath() -> str:
    """PYTHONPATH for a child process: this tree first (and its assets, see above)."""
    return os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))


def config_with(tmp_path: Path, **replacements: str) -> Path:
    """The example config with whole lines replaced: config_with(p, inactivity="inactivity = 2")."""
    lines = EXAMPLE_CONFIG.read_text(encoding="utf-8").splitlines()
    for key, new_line in replacements.items():
        matches = [i for i, line in enumerate(lines) if line.split("=")[0].strip() == key]
        assert matches, f"the example config has no key {key!r}"
        lines[matches[0]] = new_line
    path = tmp_path / "kiosk.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def read_events(data_dir: Path) -> list[dict]:
    """Every event in the kiosk's outbox, oldest first."""
    with Outbox.open(data_dir / "outbox.sqlite") as outbox:
        return [event.payload for event in outbox.pending(limit=100_000)]


KioskRun = Callable[..., dict]


@pytest.fixture
def kiosk_run(x_display: str, tmp_path: Path) -> KioskRun:
    """Run the real kiosk with a script from tests.kiosk.ui_scripts; returns what it noted, and
    under "_log" what the kiosk logged."""

    def run(
        script: str,
        *,
        config: Path = EXAMPLE_CONFIG,
        window: str = "800x480",
        data_dir: Path | None = None,
        shots: Path | None = None,
    ) -> dict:
        data_dir = data_dir or tmp_path / "data"
        notes = tmp_path / f"notes-{script.replace(':', '-')}.json"
        command = [
            sys.executable,
            "-m",
            "tests.kiosk.ui_runner",
            "--config",
            str(config),
            "--data-dir",
            str(data_dir),
            "--window",
            window,
            "--notes",
            str(notes),
            "--script",
            f"tests.kiosk.ui_scripts:{script}",
        ]
        if shots is not None:
            command += ["--shots", str(shots)]
        env = {**os.environ, "DISPLAY": x_display, "PYTHONPATH": child_pythonpath()}
        done = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT_S
        )
        if done.returncode != 0:
            pytest.fail(f"the kiosk script {script} failed:\n{done.stderr[-6000:]}")
        noted = json.loads(notes.read_text())
        noted["_log"] = done.stderr  # what the kiosk logged (its stderr)
        return noted

    return run

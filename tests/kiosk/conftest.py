"""Fixtures for the kiosk's tests: the real app under Xvfb, played by scripts in its own process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.paths import EXAMPLE_CONFIG, ROOT, child_pythonpath

RUN_TIMEOUT_S = 120


KioskRun = Callable[..., dict]


@pytest.fixture
def kiosk_run(x_display: str, tmp_path: Path) -> KioskRun:
    """Run the real kiosk with a script from tests.kiosk.ui_scripts (or "module:name" for one
    from another module of tests.kiosk); returns what it noted, and under "_log" what the kiosk
    logged."""

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
            f"tests.kiosk.{script}" if ":" in script else f"tests.kiosk.ui_scripts:{script}",
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

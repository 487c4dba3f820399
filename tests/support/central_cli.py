"""The `hymy-central` command as a child process, and how a refused command must answer."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.support.paths import ROOT

CENTRAL = [sys.executable, "-m", "central.cli"]


def run_central(
    *args: str,
    env: dict[str, str] | None = None,
    prefix: tuple[str, ...] = (),
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("HYMY_CENTRAL_")}
    environment.update(env or {})
    return subprocess.run(
        [*prefix, *CENTRAL, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=environment,
        timeout=timeout,
    )


def one_clear_line(result: subprocess.CompletedProcess[str], *words: str) -> str:
    """The one line of stderr of a command that failed as it should, checked for `words`."""
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])
    return lines[0]

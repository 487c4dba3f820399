"""Run every benchmark in bench/ one after another; each prints its own figures (`make bench`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    failed = 0
    for script in sorted(HERE.glob("bench_*.py")):
        sys.stdout.write(f"\n== {script.name}\n")
        sys.stdout.flush()
        failed |= subprocess.run([sys.executable, str(script)]).returncode
    sys.exit(failed)

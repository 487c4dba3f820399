"""Run every benchmark in bench/ one after another; each prints its own figures (`make bench`).
Exits non-zero, naming them, when any benchmark failed."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folder", type=Path, default=HERE, help=argparse.SUPPRESS)
    folder = parser.parse_args().folder
    failed = []
    for script in sorted(folder.glob("bench_*.py")):
        sys.stdout.write(f"\n== {script.name}\n")
        sys.stdout.flush()
        if subprocess.run([sys.executable, str(script)]).returncode != 0:
            failed.append(script.name)
    if failed:
        sys.stderr.write(f"\nbenchmarks that failed: {', '.join(failed)}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

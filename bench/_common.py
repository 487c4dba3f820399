"""What every benchmark script shares: the project root on sys.path, and scratch space.

The scripts run as `python bench/NAME.py`, which puts bench/ first on sys.path: they import this
module as `_common`.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def scratch() -> Path:
    """Where a run keeps its files: .bench/ in the project (its disk, not a RAM /tmp)."""
    folder = ROOT / ".bench"
    folder.mkdir(exist_ok=True)
    return folder


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

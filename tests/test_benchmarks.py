"""Every benchmark in bench/ runs to its figures on main (small sizes here: the figures of these
runs mean nothing and nothing about them is asserted, only that each benchmark works)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.support.paths import ROOT

SMALL = {
    "bench_alerts.py": ["--kiosks", "20", "--events", "20", "--workers", "2", "--probes", "2"],
    "bench_console.py": ["--events", "1000", "--sites", "2", "--runs", "1", "--browser-runs", "1"],
    "bench_fleet.py": ["--kiosks", "20", "--events", "20", "--workers", "2", "--processes", "1"],
    "bench_ingest.py": ["--events", "500"],
    "bench_kiosk.py": ["--visits", "3"],
    "bench_outbox.py": ["--appends", "200"],
    "bench_reports.py": ["--events", "3000", "--sites", "2", "--runs", "1"],
    "bench_schemathesis.py": ["--cases", "25"],
    "bench_sync.py": ["--events", "500", "--idle", "1"],
}


def test_every_benchmark_has_a_small_run_here():
    assert sorted(p.name for p in (ROOT / "bench").glob("bench_*.py")) == sorted(SMALL)


@pytest.mark.parametrize("script", sorted(SMALL))
def test_benchmark_runs_and_prints_figures(script):
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *SMALL[script]],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.strip().splitlines()
    assert len(lines) >= 2, done.stdout
    # Figures: every benchmark's lines after its heading carry numbers (a rate, a time, a size).
    assert all(re.search(r"\d", line) for line in lines[1:] if line.strip()), done.stdout


def test_make_bench_fails_when_a_benchmark_crashes(tmp_path):
    (tmp_path / "bench_broken.py").write_text("raise SystemExit('broken on purpose')\n")
    (tmp_path / "bench_fine.py").write_text("print('figures')\n")
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run_all.py"), "--folder", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "bench_broken.py" in done.stdout + done.stderr
    assert "figures" in done.stdout

"""Outbox benchmark: append and check-in latency with synchronous=FULL (each one committed and
fsynced), on a file in the project's folder (not /tmp, which may be a RAM disk).

    .venv/bin/python bench/bench_outbox.py [--appends 2000]

Prints figures; asserts nothing. Target on a 2-core machine: append p99 <= 5 ms.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

from _common import percentile, scratch

from kiosk.clock import KioskClock
from kiosk.events import checkin_event, feedback_event
from kiosk.outbox import Outbox
from kiosk.tickets import TicketRange


def percentiles(samples_ms: list[float]) -> str:
    figures = ", ".join(f"p{p} {percentile(samples_ms, p):.2f} ms" for p in (50, 95, 99))
    return f"{figures}, max {max(samples_ms):.2f} ms"


def filesystem(path: Path) -> str:
    done = subprocess.run(["df", "-T", str(path)], capture_output=True, text=True)
    lines = done.stdout.split("\n")
    return lines[1].split()[1] if done.returncode == 0 and len(lines) > 1 else "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--appends", type=int, default=2000)
    args = parser.parse_args()
    clock = KioskClock()
    with (
        tempfile.TemporaryDirectory(dir=scratch()) as tmp,
        Outbox.open(Path(tmp) / "o.sqlite") as box,
    ):
        appends, check_ins = [], []
        for i in range(args.appends):
            event = feedback_event(
                stamp=clock.now(),
                language="fi",
                rating=1 + i % 4,
                reason="waiting-time" if i % 3 else None,
                comment="Odotin pitkään, mutta hoito oli hyvää" if i % 5 == 0 else None,
                misuse=False,
            )
            started = time.perf_counter()
            box.append(event)
            appends.append((time.perf_counter() - started) * 1000)
        lab = TicketRange("L", 1, 999)
        for _ in range(min(500, args.appends)):
            stamp = clock.now()
            started = time.perf_counter()
            box.check_in(
                ticket_range=lab,
                today=date.today(),
                build_event=lambda t, s=stamp: checkin_event(
                    stamp=s,
                    language="fi",
                    service_point="laboratorio",
                    ticket=t,
                    event_id=str(uuid.uuid4()),
                ),
            )
            check_ins.append((time.perf_counter() - started) * 1000)
        fs = filesystem(Path(tmp))
    sys.stdout.write(
        f"outbox benchmark: synchronous=FULL, WAL, file on {fs}, {os.cpu_count()} cores\n"
        f"append   ({len(appends)}): {percentiles(appends)}   (target p99 <= 5 ms)\n"
        f"check-in ({len(check_ins)}): {percentiles(check_ins)}\n"
    )


if __name__ == "__main__":
    main()

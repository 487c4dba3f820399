"""`make demo`: the whole Hymy system on this machine, on its embedded defaults.

A central on SQLite with the example site, a kiosk enrolled to it, the sync agent, and the kiosk
itself: in a window where there is a display, else under Xvfb with a scripted visit. When the
visit's events have reached the central, it prints the central's reports for today, the fleet
view and the agent's status. Then the web console: six weeks of history from a second kiosk
(hymy_dev.demo_history), a demo manager, IT person and admin; without a display it signs in
as them in headless chromium and saves screenshots of the overview, site and fleet pages;
with one, it keeps the console running for you to try. It prints the URL and the sign-ins.
Everything stays in .demo/ (made anew on each run).

    .venv/bin/python -m hymy_dev.demo [--headless] [--dir .demo]
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import shutil
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from hymy_dev.console_tour import ADMIN, IT, MANAGER, Shot, demo_people, take
from hymy_dev.demo_history import enroll, send_history
from hymy_dev.local_central import LocalCentral
from hymy_dev.xvfb import has_display
from kiosk.outbox import OUTBOX_FILE, Outbox

ROOT = Path(__file__).resolve().parent.parent
SITE_FILE = ROOT / "assets" / "config" / "example-site.toml"
KIOSK_CONFIG = ROOT / "assets" / "config" / "example-kiosk.toml"
log = logging.getLogger("hymy-demo")


def sync_command(kiosk_dir: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "sync.cli", "--data-dir", str(kiosk_dir), *args]


def wait_for_upload(kiosk_dir: Path, timeout_s: float = 60.0) -> int:
    """Waits until the agent has sent everything; returns how many events are still pending."""
    deadline = time.monotonic() + timeout_s
    with Outbox.open(kiosk_dir / OUTBOX_FILE) as outbox:
        while True:
            stats = outbox.stats()
            left = stats.backlog
            if not left or time.monotonic() > deadline:
                return left
            time.sleep(0.2)


def show_console(central: LocalCentral, base: Path, windowed: bool) -> None:
    """The web console with history to look at: screenshots without a display, the running
    console for a person with one. Prints the URL and the demo sign-ins."""
    token = enroll(central.url, central.enroll_code("kaleva"), "kaleva-aula-2")
    log.info(
        "console: %d events of history from kiosk kaleva-aula-2", send_history(central.url, token)
    )
    demo_people(central)
    out = sys.stdout
    out.write(f"\n== The web console: {central.url}/\n")
    for person in (MANAGER, IT, ADMIN):
        out.write(f"   {person.role:<8} {person.email}  password: {person.password}\n")
    if not windowed:
        shots = [Shot("overview", "/", MANAGER), Shot("site", "/sites/kaleva", MANAGER),
                 Shot("fleet", "/fleet", IT)]  # fmt: skip
        sizes = {"desktop": (1366, 768)}
        for path in take(central.url, shots, base / "console", sizes):
            out.write(f"   screenshot: {path}\n")
        return
    out.write("   Sign in in your browser; press Enter here to stop the demo.\n")
    with contextlib.suppress(EOFError, KeyboardInterrupt):
        input()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m hymy_dev.demo",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--dir", type=Path, default=ROOT / ".demo")
    parser.add_argument("--headless", action="store_true", help="Xvfb and a scripted visit")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )

    base = args.dir.resolve()
    shutil.rmtree(base, ignore_errors=True)
    kiosk_dir, central_dir = base / "kiosk", base / "central"
    central_dir.mkdir(parents=True)
    central = LocalCentral(central_dir)
    central.add_site(SITE_FILE)
    central.start()
    agent: subprocess.Popen | None = None
    try:
        log.info("central on %s (SQLite in %s)", central.url, central_dir)
        code = central.enroll_code("kaleva")
        subprocess.run(
            sync_command(
                kiosk_dir,
                "enroll",
                "--central",
                central.url,
                "--code",
                code,
                "--kiosk-id",
                "kaleva-aula-1",
            ),
            check=True,
        )
        with (base / "sync.log").open("ab") as sync_log:
            agent = subprocess.Popen(sync_command(kiosk_dir, "run"), stderr=sync_log)
        log.info("sync agent running (log in %s)", base / "sync.log")

        windowed = has_display() and not args.headless
        if windowed:
            log.info("the kiosk opens in a window: try it, then close the window")
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "kiosk.cli",
                    "--config",
                    str(KIOSK_CONFIG),
                    "--data-dir",
                    str(kiosk_dir),
                    "--window",
                    "1280x720",
                ],
                check=True,
            )
        else:
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "hymy_dev.kiosk_demo",
                    "--headless",
                    "--data-dir",
                    str(kiosk_dir),
                ],
                check=True,
            )
        left = wait_for_upload(kiosk_dir)
        today = datetime.now(ZoneInfo("Europe/Helsinki")).date().isoformat()
        span = ["--site", "kaleva", "--from", today, "--to", today]
        out = sys.stdout
        out.write(
            "\n== What the manager sees: hymy-central report feedback "
            f"--site kaleva --from {today} --to {today} --by service-point\n"
        )
        out.write(central.command("report", "feedback", *span, "--by", "service-point"))
        out.write(f"\n== hymy-central report checkins --site kaleva --from {today} --to {today}\n")
        out.write(central.command("report", "checkins", *span, "--by", "service-point"))
        out.write("\n== What IT sees: hymy-central devices\n")
        out.write(central.command("devices"))
        status = subprocess.run(sync_command(kiosk_dir, "status"), capture_output=True, text=True)
        out.write(f"\n== On the kiosk: hymy-sync status\n{status.stdout}")
        show_console(central, base, windowed)
        out.write(
            f"\nEverything is in {base}: central/ (its SQLite database), kiosk/ (outbox, token, "
            "screenshots/), console/ (the console's screenshots).\n"
        )
        return 1 if left else 0
    finally:
        if agent is not None:
            agent.terminate()
            agent.wait(timeout=20)
        central.stop()


if __name__ == "__main__":
    sys.exit(main())

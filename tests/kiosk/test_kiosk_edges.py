"""The kiosk's own edges, on the real app under Xvfb: an outbox that cannot be opened gives a calm
out-of-order screen (never a black one) that comes back by itself, with systemd's watchdog fed
meanwhile; a data dir that fills up while the kiosk runs gives apologies and one log line; the
admin screens, left open, return to start."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.i18n import Catalogs
from tests.support.kiosk_config import example_config_file
from tests.support.outbox import read_events
from tests.support.paths import EXAMPLE_CONFIG, ROOT, child_pythonpath
from tests.support.storage import bind_mount, set_read_only, small_filesystem

pytestmark = pytest.mark.ui

TITLE = "This kiosk is temporarily out of order."
HELP = "Please check in with the staff. We are sorry for the inconvenience."


def expected_texts() -> set[str]:
    """The out-of-order message in Finnish, Swedish and English."""
    catalogs = Catalogs(["fi", "sv", "en"])
    texts = {catalogs.gettext(lang, msg) for lang in ("fi", "sv", "en") for msg in (TITLE, HELP)}
    assert len(texts) == 6, texts  # each language its own words
    return texts


def test_a_broken_outbox_shows_out_of_order_until_it_is_moved_aside(kiosk_run, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    garbage = os.urandom(30_000)
    (data / "outbox.sqlite").write_bytes(garbage)

    notes = kiosk_run("out_of_order_until_moved_aside", data_dir=data)

    assert expected_texts() <= set(notes["texts"]), notes["texts"]
    assert notes["controls"] == [], "nothing to touch on the out-of-order screen"
    assert notes["thanks"] == ["thanks"]
    assert (data / "outbox.sqlite.broken").read_bytes() == garbage  # never replaced
    assert [e["rating"] for e in read_events(data)] == [4]
    log = notes["_log"]
    assert "Traceback" not in log
    assert log.count("not an SQLite database") == 1, log  # once, not at every retry
    assert "Move it aside" in log and "out-of-order screen" in log
    assert "back in service" in log


def test_a_read_only_data_dir_at_start_is_out_of_order_until_writable(kiosk_run, tmp_path):
    with bind_mount(tmp_path / "disk", tmp_path / "data") as data:
        set_read_only(data, True)
        notes = kiosk_run("out_of_order_until_writable", data_dir=data)
        assert expected_texts() <= set(notes["texts"])
        assert [e["rating"] for e in read_events(data)] == [4]
    assert "read-only file system" in notes["_log"] and "Traceback" not in notes["_log"]


def test_a_data_dir_that_fills_up_while_running_apologises_and_resumes(kiosk_run, tmp_path):
    with small_filesystem(tmp_path / "data", size="3m") as data:
        notes = kiosk_run("full_disk_while_running", data_dir=data)
        events = read_events(data)
    assert notes["thanks"] == ["thanks", "apology", "apology", "thanks"]
    assert notes["tickets"][0] == "apology" and notes["tickets"][1].startswith("L")
    failing = Catalogs(["fi"]).gettext("fi", "fails, see the log")  # the kiosk speaks Finnish
    assert notes["admin_rows"]["Saving events"] == failing
    assert [(e["type"], e.get("rating")) for e in events] == [
        ("feedback", 4),
        ("feedback", 1),
        ("checkin", None),
    ]
    log = notes["_log"]
    assert log.count("Visitors are shown an apology") == 1, log  # one line for the episode
    assert log.count("failed meanwhile") == 1
    assert "Traceback" not in log


def test_admin_screens_left_open_return_to_start(kiosk_run, tmp_path):
    config = example_config_file(tmp_path, timeouts__admin=2, admin__long_press_seconds=1)
    notes = kiosk_run("admin_screens_time_out", config=config)

    assert notes["reached"] == ["admin_pin", "admin", "touch_test"]
    assert not {"admin-exit", "admin-print-test"} & set(notes["start_controls"])
    assert notes["thanks"] == ["thanks"]
    assert notes["_log"].count("closed after 2 s untouched") == 3


def test_hymy_kiosk_with_a_broken_outbox_says_why_and_feeds_the_watchdog(x_display, tmp_path):
    """systemd (Type=notify, WatchdogSec) would restart a kiosk that stops answering: the
    out-of-order screen keeps sending READY=1 and WATCHDOG=1, and the log says what to do."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "outbox.sqlite").write_bytes(b"")
    sock_path = tmp_path / "notify.sock"
    received: list[str] = []
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:
        server.bind(str(sock_path))
        server.settimeout(1.0)
        kiosk = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kiosk.cli",
                "--config",
                str(EXAMPLE_CONFIG),
                "--data-dir",
                str(data),
                "--window",
                "800x480",
            ],
            cwd=ROOT,
            env={
                **os.environ,
                "DISPLAY": x_display,
                "PYTHONPATH": child_pythonpath(),
                "NOTIFY_SOCKET": str(sock_path),
                "WATCHDOG_USEC": "400000",
            },
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline and received.count("WATCHDOG=1") < 3:
                try:
                    received.append(server.recv(100).decode())
                except TimeoutError:
                    assert kiosk.poll() is None, "hymy-kiosk exited instead of going out of order"
        finally:
            kiosk.terminate()
            _, log = kiosk.communicate(timeout=30)
    assert "READY=1" in received and received.count("WATCHDOG=1") >= 3, received
    assert "Traceback" not in log
    assert "empty (0 bytes)" in log and "Move it aside" in log, log
    assert (data / "outbox.sqlite").read_bytes() == b""


@pytest.fixture(autouse=True)
def _no_leftover_mounts(tmp_path: Path):
    yield
    mounts = Path("/proc/mounts").read_text()
    assert str(tmp_path) not in mounts, "a test left a mount behind"

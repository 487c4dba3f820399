"""sd_notify over a real unix datagram socket; the admin PIN lockout."""

from __future__ import annotations

import os
import socket

from kiosk.admin_lock import PinLockout
from kiosk.notify import notify, watchdog_interval_s


def test_notify_sends_the_state_to_the_socket(tmp_path):
    path = str(tmp_path / "notify.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:
        server.bind(path)
        assert notify("READY=1", {"NOTIFY_SOCKET": path})
        assert server.recv(100) == b"READY=1"


def test_notify_without_systemd_does_nothing():
    assert notify("READY=1", {}) is False


def test_watchdog_interval_is_half_the_timeout():
    assert watchdog_interval_s({"WATCHDOG_USEC": "20000000"}) == 10.0
    assert watchdog_interval_s({}) is None
    assert (
        watchdog_interval_s({"WATCHDOG_USEC": "1000", "WATCHDOG_PID": str(os.getpid() + 1)}) is None
    )


def test_five_wrong_pins_lock_the_pad_for_a_minute():
    lockout = PinLockout(max_failures=5, lock_s=60)
    for i in range(5):
        assert not lockout.locked(100 + i)
        lockout.failed(100 + i)
    assert lockout.locked(110) and lockout.seconds_left(110) == 54
    assert not lockout.locked(165)
    lockout.failed(170)
    lockout.succeeded()
    assert not lockout.locked(171)

"""systemd's service notification protocol (sd_notify): READY=1 and the watchdog's keep-alive.

A no-op when the kiosk does not run under systemd (no NOTIFY_SOCKET).
"""

from __future__ import annotations

import logging
import os
import socket

log = logging.getLogger(__name__)


def notify(state: str, environ: dict[str, str] | None = None) -> bool:
    """Send one notification, e.g. "READY=1" or "WATCHDOG=1"; True when it was sent."""
    address = (environ if environ is not None else os.environ).get("NOTIFY_SOCKET")
    if not address:
        return False
    if address.startswith("@"):  # an abstract socket
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.connect(address)
            sock.sendall(state.encode())
    except OSError as err:
        log.warning("could not notify systemd (%s): %s", state, err)
        return False
    return True


def watchdog_interval_s(environ: dict[str, str] | None = None) -> float | None:
    """Half the watchdog timeout systemd set (WATCHDOG_USEC), or None without a watchdog."""
    env = environ if environ is not None else os.environ
    usec = env.get("WATCHDOG_USEC")
    if not usec or (env.get("WATCHDOG_PID") and env["WATCHDOG_PID"] != str(os.getpid())):
        return None
    return int(usec) / 2_000_000

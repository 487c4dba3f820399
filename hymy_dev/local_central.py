"""A central on this machine as a child process (`hymy-central serve` on 127.0.0.1), for the
local demo, the tests and the benchmarks: start, stop, restart on the same port and data, and
the IT person's commands."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path

log = logging.getLogger(__name__)
SOURCE_ROOT = Path(__file__).resolve().parent.parent


class LocalCentralError(RuntimeError):
    """The local central did not start or a command failed; the message has its output."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalCentral:
    """`hymy-central` with its data in `data_dir` (SQLite unless `db_url`); `env` adds variables
    (HYMY_CENTRAL_*, the sign-in settings) to the server's and the commands' environment."""

    def __init__(
        self,
        data_dir: Path,
        *,
        db_url: str | None = None,
        port: int | None = None,
        env: Mapping[str, str] | None = None,
    ):
        self.data_dir = data_dir
        self.db_url = db_url
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = data_dir / "central.log"
        self._env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(
                filter(None, [str(SOURCE_ROOT), os.environ.get("PYTHONPATH")])
            ),
            **(env or {}),
        }

    def _base(self) -> list[str]:
        args = [sys.executable, "-m", "central.cli", "--data-dir", str(self.data_dir)]
        return [*args, "--db", self.db_url] if self.db_url else args

    def command(self, *args: str, stdin: str | None = None) -> str:
        """Run one `hymy-central` command (`stdin` as its input: a password); its standard output.

        Raises LocalCentralError when it fails.
        """
        done = subprocess.run(
            [*self._base(), *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=self._env,
            timeout=120,
        )
        if done.returncode != 0:
            raise LocalCentralError(f"hymy-central {' '.join(args)} failed:\n{done.stderr}")
        return done.stdout

    def start(self, timeout_s: float = 30.0) -> None:
        """Serve and wait until /healthz answers.

        Raises LocalCentralError when it does not within the timeout.
        """
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log_file:
            self.process = subprocess.Popen(
                [*self._base(), "serve", "--port", str(self.port)],
                stdout=log_file,
                stderr=subprocess.STDOUT,
                env=self._env,
            )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        self.stop()
        raise LocalCentralError(
            f"hymy-central did not start on {self.url}:\n{self.log_path.read_text()[-3000:]}"
        )

    def stop(self, *, kill: bool = False) -> None:
        """Stop it (SIGTERM, or SIGKILL with `kill`: a crash)."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def add_site(self, site_file: Path) -> None:
        self.command("site", "add", str(site_file))

    def enroll_code(self, site: str) -> str:
        return self.command("enroll-code", "--site", site).split()[0]

    def __enter__(self) -> LocalCentral:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

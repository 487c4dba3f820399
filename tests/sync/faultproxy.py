"""A TCP proxy for the tests that understands just enough HTTP/1.1 to fail one request at a
time the ways networks and load balancers fail: drop the connection before the request reaches
the central, drop the answer after the central committed, delay, reset, or answer 500 or 503
with Retry-After itself."""

from __future__ import annotations

import enum
import random
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Iterable


class Fault(enum.Enum):
    PASS = "pass"
    DROP_REQUEST = "drop-request"  # close before forwarding: the central never sees it
    DROP_RESPONSE = "drop-response"  # forward, let the central commit, close without answering
    DELAY = "delay"  # forward after a pause
    RESET = "reset"  # TCP RST instead of an answer
    ERROR_500 = "500"
    BUSY_503 = "503"


CHAOS = (
    Fault.DROP_REQUEST,
    Fault.DROP_RESPONSE,
    Fault.DELAY,
    Fault.RESET,
    Fault.ERROR_500,
    Fault.BUSY_503,
)


def _read_request(conn: socket.socket) -> bytes | None:
    """One whole request (headers and Content-Length body); None when the client closed."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        body += chunk
    lines = [
        line
        for line in head.split(b"\r\n")
        if not line.lower().startswith((b"connection:", b"keep-alive:"))
    ]
    return b"\r\n".join([*lines, b"Connection: close"]) + b"\r\n\r\n" + body


def _canned(status: int, reason: str, headers: str = "") -> bytes:
    body = b'{"title": "injected by the test proxy"}'
    return (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n{headers}"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body


class FaultProxy:
    """Listens on 127.0.0.1:`port` and forwards to 127.0.0.1:`upstream_port`. Each request takes
    the next fault of `script`, then a random one with probability `chaos`, else passes."""

    def __init__(
        self,
        upstream_port: int,
        *,
        script: Iterable[Fault] = (),
        chaos: float = 0.0,
        delay_s: float = 0.5,
        seed: int = 7,
    ) -> None:
        self.upstream_port = upstream_port
        self.script = list(script)
        self.chaos = chaos
        self.delay_s = delay_s
        self.rng = random.Random(seed)
        self.counts: Counter[Fault] = Counter()
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _next_fault(self) -> Fault:
        with self._lock:
            if self.script:
                fault = self.script.pop(0)
            elif self.chaos and self.rng.random() < self.chaos:
                fault = self.rng.choice(CHAOS)
            else:
                fault = Fault.PASS
            self.counts[fault] += 1
            return fault

    def _accept(self) -> None:
        while not self._closed:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _forward(self, request: bytes) -> bytes:
        with socket.create_connection(("127.0.0.1", self.upstream_port), timeout=60) as up:
            up.sendall(request)
            answer = b""
            while chunk := up.recv(65536):
                answer += chunk
        return answer

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            try:
                request = _read_request(conn)
                if request is None:
                    return
                fault = self._next_fault()
                if fault is Fault.DROP_REQUEST:
                    return
                if fault is Fault.RESET:
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    return
                if fault is Fault.ERROR_500:
                    conn.sendall(_canned(500, "Internal Server Error"))
                    return
                if fault is Fault.BUSY_503:
                    conn.sendall(_canned(503, "Service Unavailable", "Retry-After: 1\r\n"))
                    return
                if fault is Fault.DELAY:
                    time.sleep(self.delay_s)
                answer = self._forward(request)
                if fault is not Fault.DROP_RESPONSE:
                    conn.sendall(answer)
            except OSError:
                return  # the upstream is down (a central being restarted): the client sees EOF

    def close(self) -> None:
        self._closed = True
        self._listener.close()

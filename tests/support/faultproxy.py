"""A TCP proxy for the tests that understands just enough HTTP/1.1 to fail one request at a
time the ways networks, load balancers and broken centrals fail: drop the connection before the
request reaches the central, drop the answer after the central committed, delay, reset, answer
500 or 503 with Retry-After itself; or hand the client an answer it must not trust: the
central's JSON cut off, a proxy's HTML page with 200, a body of the wrong shape, a well-formed
answer that does not account for the batch or names an event twice, an empty 204, and refusals
(400, 403, 404, 405, 410, 451)."""

from __future__ import annotations

import enum
import json
import random
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sync.protocol import ProtocolError, decode_batch


class Fault(enum.Enum):
    PASS = "pass"
    DROP_REQUEST = "drop-request"  # close before forwarding: the central never sees it
    DROP_RESPONSE = "drop-response"  # forward, let the central commit, close without answering
    DELAY = "delay"  # forward after a pause
    RESET = "reset"  # TCP RST instead of an answer
    ERROR_500 = "500"
    BUSY_503 = "503"
    # Forwarded (the central commits), then the 200 answer rewritten on its way back:
    TRUNCATED_200 = "truncated-200"  # its JSON cut in half, Content-Length to match
    CUT_OFF_200 = "cut-off-200"  # Content-Length says more than arrives before the close
    STRINGS_200 = "strings-200"  # every number as a string
    FOREIGN_IDS_200 = "foreign-ids-200"  # a conflict with an id that was not in the batch
    MISSING_KEYS_200 = "missing-keys-200"  # without "rejected"
    ODD_TOKEN_200 = "odd-token-200"  # an enrolment whose token holds a space, ä and a line break
    # Never forwarded: the proxy answers itself.
    HTML_200 = "html-200"  # a captive portal's page, with 200
    LIST_200 = "list-200"  # []
    STRING_200 = "string-200"  # "ok"
    EMPTY_200 = "empty-200"  # well-formed, but it accounts for no event of the batch
    REPEATED_IDS_200 = "repeated-ids-200"  # counts add up, but one event is a conflict twice
    NO_CONTENT_204 = "204"  # no body at all
    HUGE_200 = "huge-200"  # 6 MiB of JSON
    REJECT_ALL = "reject-all"  # a valid answer rejecting every event of the batch
    REFUSE_403 = "403"  # a refusal with the central's problem body
    NOT_FOUND_404 = "404-html"  # a web server's 404 page
    BAD_REQUEST_400 = "400"
    NOT_ALLOWED_405 = "405-html"  # a web server that takes no POST there
    GONE_410 = "410"
    LEGAL_451 = "451"


CHAOS = (
    Fault.DROP_REQUEST,
    Fault.DROP_RESPONSE,
    Fault.DELAY,
    Fault.RESET,
    Fault.ERROR_500,
    Fault.BUSY_503,
)
# Answers to a batch that must never mark anything sent (REJECT_ALL is a valid answer).
UNTRUSTED = (
    Fault.TRUNCATED_200,
    Fault.CUT_OFF_200,
    Fault.STRINGS_200,
    Fault.FOREIGN_IDS_200,
    Fault.MISSING_KEYS_200,
    Fault.HTML_200,
    Fault.LIST_200,
    Fault.STRING_200,
    Fault.EMPTY_200,
    Fault.HUGE_200,
    Fault.REPEATED_IDS_200,
    Fault.NO_CONTENT_204,
)
# Refusals with the central's problem body or a web server's page: shown, never retried silently.
REFUSALS = (
    Fault.BAD_REQUEST_400,
    Fault.REFUSE_403,
    Fault.NOT_FOUND_404,
    Fault.NOT_ALLOWED_405,
    Fault.GONE_410,
    Fault.LEGAL_451,
)
HTML_PAGE = b"<html><head><title>Wi-Fi login</title></head><body>Sign in first</body></html>"
NOT_FOUND_PAGE = b"<html><head><title>404 Not Found</title></head><body>nginx</body></html>"
NOT_ALLOWED_PAGE = b"<html><head><title>405 Not Allowed</title></head><body>nginx</body></html>"
FORBIDDEN = b'{"title": "Forbidden", "detail": "uploads from this device are not allowed here"}'
HUGE_BYTES = 6 * 1024 * 1024


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes
    raw: bytes  # as forwarded (Connection: close)


@dataclass(frozen=True)
class Answer:
    status: int
    head: list[bytes]  # the status line and headers but Content-Length
    body: bytes


def _read_request(conn: socket.socket) -> Request | None:
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
    method, path, *_ = lines[0].decode("latin-1").split()
    raw = b"\r\n".join([*lines, b"Connection: close"]) + b"\r\n\r\n" + body
    return Request(method, path, body, raw)


def _parse_answer(answer: bytes) -> Answer:
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    kept = [line for line in lines if not line.lower().startswith(b"content-length:")]
    return Answer(int(lines[0].split()[1]), kept, body)


def _build(answer: Answer, *, declared: int | None = None) -> bytes:
    length = len(answer.body) if declared is None else declared
    head = b"\r\n".join([*answer.head, f"Content-Length: {length}".encode()])
    return head + b"\r\n\r\n" + answer.body


def _own(status: int, reason: str, body: bytes, content_type: str, headers: str = "") -> bytes:
    return (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\n{headers}"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body


def _canned(status: int, reason: str, headers: str = "") -> bytes:
    return _own(
        status, reason, b'{"title": "injected by the test proxy"}', "application/json", headers
    )


def _json_200(value: Any) -> bytes:
    return _own(200, "OK", json.dumps(value).encode(), "application/json")


def _stringify(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return [_stringify(v) for v in value]
    if isinstance(value, dict):
        return {k: _stringify(v) for k, v in value.items()}
    return value


# How each rewriting fault changes the central's JSON answer.
REWRITES: dict[Fault, Callable[[Any], Any]] = {
    Fault.STRINGS_200: _stringify,
    Fault.FOREIGN_IDS_200: lambda a: {**a, "conflicts": [*a.get("conflicts", []), "not-sent"]},
    Fault.MISSING_KEYS_200: lambda a: {k: v for k, v in a.items() if k != "rejected"},
    Fault.ODD_TOKEN_200: lambda a: {**a, "token": f"{a.get('token')} ä\r\nX-Evil: 1"},
}


def _reject_all(request: Request) -> bytes:
    _, events = decode_batch(request.body)
    rejected = [{"id": e["id"], "error": "rejected by the test proxy"} for e in events]
    return _json_200({"accepted": 0, "duplicates": 0, "conflicts": [], "rejected": rejected})


def _repeated_ids(request: Request) -> bytes:
    """Accounts for the batch by its numbers, but names its first event twice as a conflict
    (to a request that is not a batch, an id of none twice)."""
    try:
        _, events = decode_batch(request.body)
    except ProtocolError:
        events = [{"id": "not-sent"}] * 2
    first = events[0]["id"]
    return _json_200(
        {"accepted": len(events) - 2, "duplicates": 0, "conflicts": [first, first], "rejected": []}
    )


def _problem(status: int, reason: str, detail: str) -> Callable[[Request], bytes]:
    body = json.dumps({"title": reason, "detail": detail}).encode()
    return lambda _: _own(status, reason, body, "application/problem+json")


# The faults the proxy answers itself, without the central.
OWN_ANSWERS: dict[Fault, Callable[[Request], bytes]] = {
    Fault.ERROR_500: lambda _: _canned(500, "Internal Server Error"),
    Fault.BUSY_503: lambda _: _canned(503, "Service Unavailable", "Retry-After: 1\r\n"),
    Fault.HTML_200: lambda _: _own(200, "OK", HTML_PAGE, "text/html"),
    Fault.LIST_200: lambda _: _json_200([]),
    Fault.STRING_200: lambda _: _json_200("ok"),
    Fault.EMPTY_200: lambda _: _json_200(
        {"accepted": 0, "duplicates": 0, "conflicts": [], "rejected": []}
    ),
    Fault.HUGE_200: lambda _: _own(
        200, "OK", b'{"accepted": 0, "pad": "' + b"x" * HUGE_BYTES + b'"}', "application/json"
    ),
    Fault.REJECT_ALL: _reject_all,
    Fault.REFUSE_403: lambda _: _own(403, "Forbidden", FORBIDDEN, "application/problem+json"),
    Fault.NOT_FOUND_404: lambda _: _own(404, "Not Found", NOT_FOUND_PAGE, "text/html"),
    Fault.REPEATED_IDS_200: _repeated_ids,
    Fault.NO_CONTENT_204: lambda _: _own(204, "No Content", b"", "application/json"),
    Fault.BAD_REQUEST_400: _problem(400, "Bad Request", "this central takes wire format v2"),
    Fault.NOT_ALLOWED_405: lambda _: _own(405, "Not Allowed", NOT_ALLOWED_PAGE, "text/html"),
    Fault.GONE_410: _problem(410, "Gone", "this device was removed from its site"),
    Fault.LEGAL_451: _problem(451, "Unavailable For Legal Reasons", "uploads suspended"),
}


class FaultProxy:
    """Listens on 127.0.0.1:`port` and forwards to 127.0.0.1:`upstream_port`.

    Each request whose path starts with `only` (every request when None) takes the next fault
    of `script`, else `always` if set, else a random one of `chaos_faults` with probability
    `chaos`, else passes; other requests pass. The bodies of those requests are kept in
    `bodies`, their paths counted in `paths`."""

    def __init__(
        self,
        upstream_port: int,
        *,
        script: Iterable[Fault] = (),
        chaos: float = 0.0,
        chaos_faults: Iterable[Fault] = CHAOS,
        only: str | None = None,
        delay_s: float = 0.5,
        seed: int = 7,
    ) -> None:
        self.upstream_port = upstream_port
        self.script = list(script)
        self.always: Fault | None = None
        self.chaos = chaos
        self.chaos_faults = tuple(chaos_faults)
        self.only = only
        self.delay_s = delay_s
        self.rng = random.Random(seed)
        self.counts: Counter[Fault] = Counter()
        self.bodies: list[bytes] = []
        self.paths: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _next_fault(self, request: Request) -> Fault:
        with self._lock:
            if self.only is not None and not request.path.startswith(self.only):
                return Fault.PASS
            self.bodies.append(request.body)
            self.paths[request.path.partition("?")[0]] += 1
            if self.script:
                fault = self.script.pop(0)
            elif self.always is not None:
                fault = self.always
            elif self.chaos and self.rng.random() < self.chaos:
                fault = self.rng.choice(self.chaos_faults)
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

    @staticmethod
    def _rewrite(fault: Fault, answer: bytes) -> bytes:
        """The central's answer as the fault hands it on (only a 200 is rewritten)."""
        parsed = _parse_answer(answer)
        if parsed.status != 200 or fault is Fault.PASS or fault is Fault.DELAY:
            return answer
        if fault is Fault.TRUNCATED_200:
            return _build(Answer(200, parsed.head, parsed.body[: len(parsed.body) // 2]))
        if fault is Fault.CUT_OFF_200:
            cut = Answer(200, parsed.head, parsed.body[: len(parsed.body) // 2])
            return _build(cut, declared=len(parsed.body))
        body = json.dumps(REWRITES[fault](json.loads(parsed.body))).encode()
        return _build(Answer(200, parsed.head, body))

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            try:
                request = _read_request(conn)
                if request is None:
                    return
                fault = self._next_fault(request)
                if fault is Fault.DROP_REQUEST:
                    return
                if fault is Fault.RESET:
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    return
                if fault in OWN_ANSWERS:
                    conn.sendall(OWN_ANSWERS[fault](request))
                    return
                if fault is Fault.DELAY:
                    time.sleep(self.delay_s)
                answer = self._forward(request.raw)
                if fault is not Fault.DROP_RESPONSE:
                    conn.sendall(self._rewrite(fault, answer))
            except OSError:
                return  # the upstream is down (a central being restarted): the client sees EOF

    def close(self) -> None:
        self._closed = True
        self._listener.close()

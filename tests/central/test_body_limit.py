"""Every request body is bounded while it is read (central.api.body_limit), on a real server:
on main a 300 MB body to the open POST /api/v1/enroll was read whole into the central's memory
before it was refused."""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from pathlib import Path

import pytest

from central.api.body_limit import MAX_JSON_BODY_BYTES
from hymy_dev.local_central import LocalCentral
from sync.protocol import MAX_BODY_BYTES


@pytest.fixture(scope="module")
def central(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCentral]:
    with LocalCentral(Path(tmp_path_factory.mktemp("central"))) as running:
        yield running


def _rss_mib(central: LocalCentral) -> int:
    assert central.process is not None
    status = Path(f"/proc/{central.process.pid}/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmRSS"))
    return int(line.split()[1]) // 1024


def post(central: LocalCentral, path: str, size: int, *, declare: bool) -> tuple[int, bytes]:
    """POST `size` bytes of a JSON-looking body, with Content-Length or chunked; the status
    and body of the answer (sending stops once the central has answered)."""
    conn = http.client.HTTPConnection("127.0.0.1", central.port, timeout=60)
    conn.putrequest("POST", path)
    conn.putheader("Content-Type", "application/json")
    conn.putheader("Authorization", "Bearer x")
    conn.putheader(
        *(("Content-Length", str(size)) if declare else ("Transfer-Encoding", "chunked"))
    )
    conn.endheaders()
    chunk, sent = b'{"code": "' + b"A" * (64 * 1024 - 10), 0
    try:
        while sent < size:
            piece = chunk[: size - sent]
            conn.send(piece if declare else b"%x\r\n%s\r\n" % (len(piece), piece))
            sent += len(piece)
        if not declare:
            conn.send(b"0\r\n\r\n")
    except OSError:  # the central answered and closed: what we want
        pass
    answer = conn.getresponse()
    return answer.status, answer.read()


@pytest.mark.parametrize("path", ["/api/v1/enroll", "/api/v1/heartbeat", "/api/v1/events"])
@pytest.mark.parametrize("declare", [True, False], ids=["content-length", "chunked"])
def test_a_body_over_its_endpoints_limit_is_413_and_never_held_whole(central, path, declare):
    limit = MAX_BODY_BYTES if path == "/api/v1/events" else MAX_JSON_BODY_BYTES
    status, body = post(central, path, 64 * 1024 * 1024, declare=declare)
    assert status == 413, body
    assert str(limit) in body.decode()
    assert _rss_mib(central) < 250  # not the 64 MiB bodies of six requests, nor one
    small = post(central, path, limit // 2, declare=declare)[0]
    assert small in (400, 401, 422)  # read and refused for what it says, not for its size

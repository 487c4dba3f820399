"""The central's API as the sync agent sees it: one requests Session, timeouts, TLS checked
with the system's CAs, and every answer sorted into what the agent should do next.

Every failure is a CentralError with a sentence:

    CentralError            TLS check failed and the like: a person has to act
    ├── RetryLaterError     unreachable, timed out, cut off, 408/429/5xx: try again later
    ├── AnswerError         a 2xx whose body is not what the API defines: take nothing from it
    ├── RevokedError        401: the device was revoked or its token is wrong
    └── RefusedError        another 4xx: the central refuses the request as it is
"""

from __future__ import annotations

import html
import json
import re
import ssl
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from kiosk import __version__
from sync.backoff import parse_retry_after

CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 30.0
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
RETRY_STATUSES = {408, 429} | set(range(500, 600))
# The largest answer the API gives is a batch's (1,000 rejections with their reasons); anything
# much larger is not the central's, and is not read into the Pi's memory.
MAX_ANSWER_BYTES = 4 * 1024 * 1024


class CentralError(Exception):
    """The central could not be used; the message says what happened and what to do."""


class RetryLaterError(CentralError):
    """Unreachable, timed out or busy: try again later (after `retry_after_s` if it said)."""

    def __init__(self, message: str, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class AnswerError(CentralError):
    """The central's answer is not what the API defines (cut off, a page from a proxy, the
    wrong shape, too large): nothing is taken from it, and the request is made again later."""


class RevokedError(CentralError):
    """401: the device was revoked or its token is wrong. Nothing more is sent."""


class RefusedError(CentralError):
    """Another 4xx: the request itself is wrong and sending it again will not help."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def check_central_url(url: str, *, insecure: bool = False) -> str:
    """The central's base URL without a trailing slash.

    Raises CentralError for anything but https, except plain http to this machine or with
    `insecure`: a token must not cross a network in clear text by accident.
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CentralError(f"{url!r} is not a central URL; write it like https://hymy.example.fi")
    if parts.scheme == "http" and parts.hostname not in LOCAL_HOSTS and not insecure:
        raise CentralError(
            f"{url} is plain http: the device token would cross the network unencrypted. Use "
            "https, or add --insecure if this is a closed test network."
        )
    return url.strip().rstrip("/")


def system_ca_bundle() -> str | bool:
    """The operating system's CA certificates (requests would otherwise use its own copy)."""
    paths = ssl.get_default_verify_paths()
    for candidate in (paths.cafile, paths.capath):
        if candidate and Path(candidate).exists():
            return candidate
    return True


@dataclass(frozen=True)
class Answer:
    """One HTTP answer, read whole (at most MAX_ANSWER_BYTES)."""

    status: int
    reason: str
    headers: Mapping[str, str]
    body: bytes

    def json(self, what: str) -> Any:
        """The body as JSON.

        Raises AnswerError when it is not JSON (a proxy's page, a cut-off body).
        """
        try:
            return json.loads(self.body)
        except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError too
            kind = self.headers.get("Content-Type") or "no content type"
            raise AnswerError(
                f"The central's answer to {what} is not JSON ({kind}: {_glimpse(self.body)}): "
                "cut off on its way, or a page from a proxy in between; nothing was taken "
                "from it."
            ) from None


def _glimpse(body: bytes, limit: int = 80) -> str:
    text = body[:limit].decode("utf-8", "replace")
    return repr(text + ("..." if len(body) > limit else "")) if body else "empty"


def printable(text: str, limit: int = 500) -> str:
    """Words of the central's, fit for a person's terminal and the log: control characters
    (terminal escape codes among them) become spaces, runs of space one, at most `limit`
    characters."""
    shown = "".join(" " if unicodedata.category(c).startswith("C") else c for c in text)
    return " ".join(shown.split())[:limit]


def _problem(answer: Answer) -> str:
    """The central's words about a refusal: its problem's detail, or a page's title."""
    return printable(_problem_words(answer))


def _problem_words(answer: Answer) -> str:
    try:
        body = json.loads(answer.body)
    except (ValueError, RecursionError):
        text = answer.body.decode("utf-8", "replace")
        if "<html" in text[:500].lower() or "text/html" in answer.headers.get("Content-Type", ""):
            title = re.search(r"<title[^>]*>(.*?)</title>", text, re.I | re.S)
            page = html.unescape(title.group(1)).strip() if title else ""
            return f"an HTML page{f' ({page!r})' if page else ''}, not the central's API"
        return " ".join(text.split())[:200] or answer.reason
    if isinstance(body, dict):
        return str(body.get("detail") or body.get("title") or body)[:500]
    return str(body)[:500]


def _read(response: requests.Response, limit: int = MAX_ANSWER_BYTES) -> bytes:
    """The whole body, at most `limit` bytes.

    Raises AnswerError when it is larger, requests' errors when it is cut off.
    """
    body = bytearray()
    for chunk in response.iter_content(65536):
        body += chunk
        if len(body) > limit:
            raise AnswerError(
                f"The central's answer is larger than {limit} bytes: not an answer of the "
                "central's API (a proxy in between?); nothing was taken from it."
            )
    return bytes(body)


class CentralClient:
    """Talks to one central. `token` is None only for enrolment."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        ca_file: str | None = None,
        insecure: bool = False,
    ) -> None:
        self.base_url = check_central_url(base_url, insecure=insecure)
        self.session = requests.Session()
        self.session.verify = ca_file or system_ca_bundle()
        self.session.headers["User-Agent"] = f"hymy-sync/{__version__}"
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def close(self) -> None:
        self.session.close()

    def _request(self, method: str, path: str, **kwargs: Any) -> Answer:
        """The answer of a 2xx or 304.

        Raises RetryLaterError, AnswerError, RevokedError or RefusedError (CentralError for TLS).
        """
        url = f"{self.base_url}{path}"
        try:
            # verify given per request: else requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE of
            # the environment win over the session's --ca-file.
            with self.session.request(
                method,
                url,
                timeout=(CONNECT_TIMEOUT_S, READ_TIMEOUT_S),
                stream=True,
                verify=self.session.verify,
                **kwargs,
            ) as response:
                answer = Answer(
                    response.status_code, response.reason or "", response.headers, _read(response)
                )
        except requests.exceptions.SSLError as err:
            raise CentralError(
                f"TLS check of {self.base_url} failed ({err}); give the central's CA with "
                "--ca-file or fix its certificate."
            ) from None
        except requests.RequestException as err:
            raise RetryLaterError(
                f"{self.base_url} not reachable or its answer cut off: {type(err).__name__}"
            ) from None
        if answer.status < 300 or answer.status == 304:
            return answer
        detail = _problem(answer)
        if answer.status in RETRY_STATUSES:
            raise RetryLaterError(
                f"{self.base_url} answered {answer.status}: {detail}",
                parse_retry_after(answer.headers.get("Retry-After")),
            )
        if answer.status == 401:
            raise RevokedError(
                "The central refused the token: the device was revoked or the token is wrong. "
                "Nothing is sent and every event is kept; enrol the kiosk again with "
                "`hymy-sync enroll`."
            )
        raise RefusedError(f"{self.base_url} answered {answer.status}: {detail}", answer.status)

    def enroll(self, code: str, kiosk_id: str) -> Any:
        """Trade a one-time code for the device id, token, site and config (the decoded JSON,
        checked by the caller)."""
        return self._request(
            "POST", "/api/v1/enroll", json={"code": code, "kiosk_id": kiosk_id}
        ).json("the enrolment")

    def post_events(self, body: bytes) -> Any:
        """Send one gzip batch; the central's per-event answer as decoded JSON, to be checked
        with `sync.protocol.parse_ingest_answer`."""
        return self._request(
            "POST",
            "/api/v1/events",
            data=body,
            headers={"Content-Type": "application/gzip"},
        ).json("a batch")

    def heartbeat(self, beat: dict[str, Any]) -> None:
        """Send the heartbeat; the answer's body, if any, is not read."""
        self._request("POST", "/api/v1/heartbeat", json=beat)

    def config(self, etag: str | None) -> tuple[Any, str | None]:
        """The kiosk's config (decoded JSON, checked by the caller) and its ETag; (None, etag)
        when it has not changed since `etag`."""
        headers = {"If-None-Match": etag} if etag else {}
        answer = self._request("GET", "/api/v1/config", headers=headers)
        if answer.status == 304:
            return None, etag
        config = answer.json("the config request")
        if config is None:  # JSON null is not "unchanged"
            raise AnswerError("The central answered the config request with null, not a config.")
        return config, answer.headers.get("ETag")

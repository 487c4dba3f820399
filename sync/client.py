"""The central's API as the sync agent sees it: one requests Session, timeouts, TLS checked
with the system's CAs, and every answer sorted into what the agent should do next."""

from __future__ import annotations

import ssl
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


class CentralError(Exception):
    """The central could not be used; the message says what happened and what to do."""


class RetryLaterError(CentralError):
    """Unreachable, timed out or busy: try again later (after `retry_after_s` if it said)."""

    def __init__(self, message: str, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


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


def _problem(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or response.reason
    if isinstance(body, dict):
        return str(body.get("detail") or body.get("title") or body)
    return str(body)


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

    def _request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """The response of a 2xx or 304.

        Raises RetryLaterError, RevokedError or RefusedError (CentralError for TLS).
        """
        url = f"{self.base_url}{path}"
        try:
            response = self.session.request(
                method, url, timeout=(CONNECT_TIMEOUT_S, READ_TIMEOUT_S), **kwargs
            )
        except requests.exceptions.SSLError as err:
            raise CentralError(
                f"TLS check of {self.base_url} failed ({err}); give the central's CA with "
                "--ca-file or fix its certificate."
            ) from None
        except requests.RequestException as err:
            raise RetryLaterError(f"{self.base_url} not reachable: {type(err).__name__}") from None
        if response.status_code < 300 or response.status_code == 304:
            return response
        detail = _problem(response)
        if response.status_code in RETRY_STATUSES:
            raise RetryLaterError(
                f"{self.base_url} answered {response.status_code}: {detail}",
                parse_retry_after(response.headers.get("Retry-After")),
            )
        if response.status_code == 401:
            raise RevokedError(
                "The central refused the token: the device was revoked or the token is wrong. "
                "Nothing is sent and every event is kept; enrol the kiosk again with "
                "`hymy-sync enroll`."
            )
        raise RefusedError(
            f"{self.base_url} answered {response.status_code}: {detail}", response.status_code
        )

    def enroll(self, code: str, kiosk_id: str) -> dict[str, Any]:
        """Trade a one-time code for the device id, token, site and config."""
        return self._request(
            "POST", "/api/v1/enroll", json={"code": code, "kiosk_id": kiosk_id}
        ).json()

    def post_events(self, body: bytes) -> dict[str, Any]:
        """Send one gzip batch; the central's per-event answer."""
        return self._request(
            "POST",
            "/api/v1/events",
            data=body,
            headers={"Content-Type": "application/gzip"},
        ).json()

    def heartbeat(self, beat: dict[str, Any]) -> None:
        self._request("POST", "/api/v1/heartbeat", json=beat)

    def config(self, etag: str | None) -> tuple[dict[str, Any] | None, str | None]:
        """The kiosk's config and its ETag; (None, etag) when it has not changed since `etag`."""
        headers = {"If-None-Match": etag} if etag else {}
        response = self._request("GET", "/api/v1/config", headers=headers)
        if response.status_code == 304:
            return None, etag
        return response.json(), response.headers.get("ETag")

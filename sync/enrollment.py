"""Enrolling this kiosk: trade a one-time code from `hymy-central enroll-code` for a device id
and token (kept 0600 in the data directory) and the kiosk's first config."""

from __future__ import annotations

import logging
import socket
from pathlib import Path
from typing import Any

from sync.client import CentralClient, CentralError
from sync.credentials import (
    Credentials,
    check_kiosk_config,
    save_central_config,
    save_credentials,
)
from sync.protocol import enroll_answer_problems

log = logging.getLogger(__name__)


class EnrollError(Exception):
    """Enrolment failed; the message says why and what to do."""


def enroll_kiosk(
    data_dir: Path,
    *,
    central: str,
    code: str,
    kiosk_id: str | None = None,
    ca_file: str | None = None,
    insecure: bool = False,
) -> Credentials:
    """Enrol and store the result; returns the stored credentials.

    Raises EnrollError when the central refuses or cannot be reached; nothing is stored then.
    """
    kiosk_id = kiosk_id or socket.gethostname().split(".")[0]
    try:
        client = CentralClient(central, ca_file=ca_file, insecure=insecure)
        try:
            answer = client.enroll(code.strip().upper(), kiosk_id)
        finally:
            client.close()
    except CentralError as err:
        raise EnrollError(f"Enrolment failed: {err}") from None
    device_id, token, site = _credentials(answer)
    try:
        config = check_kiosk_config(answer.get("config"), site)
    except CentralError as err:
        raise EnrollError(f"Enrolment failed: {err}") from None
    credentials = Credentials(
        central=client.base_url,
        device_id=device_id,
        token=token,
        site=site,
        kiosk_id=kiosk_id,
        ca_file=ca_file,
        insecure=insecure,
    )
    save_central_config(data_dir, config)
    save_credentials(data_dir, credentials)
    log.info("enrolled as %s (%s) at site %s", kiosk_id, credentials.device_id, credentials.site)
    return credentials


def _credentials(answer: Any) -> tuple[str, str, str]:
    """The device id, token and site of the central's enrolment answer (sync.protocol's
    EnrollAnswer; its config is checked apart).

    Raises EnrollError when one is missing, not text, or holds what it may not.
    """
    bad = enroll_answer_problems(answer)
    if bad:
        # The answer itself is not shown: it may hold the token.
        got = f"keys {sorted(answer)}" if isinstance(answer, dict) else type(answer).__name__
        raise EnrollError(
            "The central's enrolment answer is malformed: it needs a device_id, token and site "
            f"as text of their form ({', '.join(bad)} not; got {got}). Nothing was stored; is "
            "the URL that of a Hymy central? The code may be used up now: make a new one with "
            "`hymy-central enroll-code`."
        )
    return answer["device_id"], answer["token"], answer["site"]

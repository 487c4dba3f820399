"""Enrolling this kiosk: trade a one-time code from `hymy-central enroll-code` for a device id
and token (kept 0600 in the data directory) and the kiosk's first config."""

from __future__ import annotations

import logging
import socket
from pathlib import Path

from sync.client import CentralClient, CentralError
from sync.credentials import Credentials, save_central_config, save_credentials

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
    try:
        credentials = Credentials(
            central=client.base_url,
            device_id=str(answer["device_id"]),
            token=str(answer["token"]),
            site=str(answer["site"]),
            kiosk_id=kiosk_id,
            ca_file=ca_file,
            insecure=insecure,
        )
        config = dict(answer["config"])
    except (KeyError, TypeError, ValueError) as err:
        raise EnrollError(f"The central's enrolment answer is malformed ({err!r}).") from None
    save_central_config(data_dir, config)
    save_credentials(data_dir, credentials)
    log.info("enrolled as %s (%s) at site %s", kiosk_id, credentials.device_id, credentials.site)
    return credentials

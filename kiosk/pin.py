"""The admin PIN: stored only as a salted PBKDF2 hash in the kiosk config."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import secrets

SCHEME = "pbkdf2_sha256"
DEFAULT_ITERATIONS = 200_000
PIN_PATTERN = re.compile(r"^\d{4,8}$")
HASH_PATTERN = re.compile(rf"^{SCHEME}\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$")

log = logging.getLogger(__name__)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_pin(pin: str, *, iterations: int = DEFAULT_ITERATIONS) -> str:
    """`pbkdf2_sha256$<iterations>$<salt>$<hash>` for a PIN of 4 to 8 digits.

    Raises ValueError for anything that is not 4 to 8 digits.
    """
    if not PIN_PATTERN.match(pin):
        raise ValueError("The admin PIN must be 4 to 8 digits.")
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, iterations)
    return f"{SCHEME}${iterations}${_b64(salt)}${_b64(digest)}"


def is_pin_hash(value: str) -> bool:
    """True for a string in the format hash_pin makes."""
    return bool(HASH_PATTERN.match(value))


def verify_pin(pin: str, pin_hash: str) -> bool:
    """True when the PIN matches the hash (constant-time); False, with a warning, for a bad hash."""
    match = HASH_PATTERN.match(pin_hash)
    if match is None:
        log.warning("the admin pin_hash in the config is not a %s hash; no PIN can match", SCHEME)
        return False
    iterations, salt, expected = (
        int(match[1]),
        base64.b64decode(match[2]),
        base64.b64decode(match[3]),
    )
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, iterations)
    return hmac.compare_digest(digest, expected)

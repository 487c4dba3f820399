"""Device tokens and enrolment codes: random, shown once, stored only as hashes."""

from __future__ import annotations

import hashlib
import secrets

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread on a Pi's screen


def new_token() -> str:
    """256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def new_enroll_code() -> str:
    """A one-time code an IT person types on a kiosk, e.g. 'K7QD-92XM-HB4T'."""
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return "-".join(chars[i : i + 4] for i in range(0, 12, 4))


def digest(secret: str) -> str:
    """The stored form of a token or code (SHA-256: they are random, not guessable)."""
    normalized = secret.strip().upper() if "-" in secret and len(secret) == 14 else secret.strip()
    return hashlib.sha256(normalized.encode()).hexdigest()

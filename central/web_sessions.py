"""Server-side sessions of the web console: the browser's cookie holds a random token, the
database only its hash, with the session's CSRF token and times. Kept in the database (not in
a signed cookie) so that signing out, disabling a person or resetting a password ends the
session at once in every worker and server.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, delete, insert, select, update

from central.people import Person, person_by_id
from central.tables import web_sessions
from central.tokens import digest, new_token

LIFETIME = timedelta(hours=12)  # a working day, then sign in again
IDLE = timedelta(hours=2)  # untouched this long: signed out
SEEN_EVERY = timedelta(minutes=5)  # the last use is written at most this often


@dataclass(frozen=True)
class WebSession:
    person: Person
    csrf_token: str
    expires_at: datetime


def start_session(
    conn: Connection, person_id: str, now: datetime | None = None
) -> tuple[str, WebSession]:
    """A new session: the cookie's token (shown once) and the session. Expired sessions of
    everyone are cleared on the way."""
    now = now or datetime.now(UTC)
    conn.execute(
        delete(web_sessions).where(
            (web_sessions.c.expires_at < now) | (web_sessions.c.seen_at < now - IDLE)
        )
    )
    token, csrf = new_token(), secrets.token_urlsafe(32)
    expires = now + LIFETIME
    conn.execute(
        insert(web_sessions).values(
            token_hash=digest(token),
            person_id=person_id,
            csrf_token=csrf,
            created_at=now,
            expires_at=expires,
            seen_at=now,
        )
    )
    person = person_by_id(conn, person_id)
    assert person is not None
    return token, WebSession(person, csrf, expires)


def session_for_token(
    conn: Connection, token: str, now: datetime | None = None
) -> tuple[WebSession | None, bool]:
    """The live session of a cookie's token, and whether its last use is due to be written
    (`mark_seen`). None for an unknown, expired or idle session or a disabled person."""
    if not token or len(token) > 200:
        return None, False
    now = now or datetime.now(UTC)
    row = conn.execute(
        select(web_sessions).where(web_sessions.c.token_hash == digest(token))
    ).first()
    if row is None:
        return None, False
    expires, seen = _aware(row.expires_at), _aware(row.seen_at)
    if expires <= now or seen <= now - IDLE:
        return None, False
    person = person_by_id(conn, row.person_id)
    if person is None or person.disabled_at is not None:
        return None, False
    return WebSession(person, row.csrf_token, expires), now - seen >= SEEN_EVERY


def mark_seen(conn: Connection, token: str, now: datetime | None = None) -> None:
    """Record the session's use (keeps it from going idle)."""
    conn.execute(
        update(web_sessions)
        .where(web_sessions.c.token_hash == digest(token))
        .values(seen_at=now or datetime.now(UTC))
    )


def end_session(conn: Connection, token: str) -> None:
    """Sign out: the token opens nothing from now on."""
    conn.execute(delete(web_sessions).where(web_sessions.c.token_hash == digest(token)))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

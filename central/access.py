"""API keys for people: role admin | it | manager, a site scope, stored only as hashes."""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, insert, or_, select, update
from sqlalchemy.exc import SQLAlchemyError

from central.db import in_write_transaction
from central.site_store import missing_sites
from central.tables import api_keys
from central.tokens import digest, new_token

log = logging.getLogger(__name__)
ROLES = ("admin", "it", "manager")
# A key's last use is written at most this often: a report request costs no write each time.
ACCESS_MARK_EVERY = timedelta(hours=1)


@dataclass(frozen=True)
class Caller:
    key_id: str
    role: str
    sites: tuple[str, ...]  # empty: every site

    def may_read_site(self, site: str) -> bool:
        if self.role == "admin":
            return True
        if self.role == "manager":
            return site in self.sites
        return not self.sites or site in self.sites  # it: its scope, or the whole fleet

    @property
    def reads_reports(self) -> bool:
        return self.role in ("admin", "manager")


class ApiKeyError(ValueError):
    """A key that cannot be made as asked; the message says what to change."""


def checked_scope(conn: Connection, role: str, site_ids: list[str], what: str) -> list[str]:
    """The sites of a new key or person (`what`), sorted, once each: the same rules for both.

    Raises ApiKeyError for an unknown role, a manager without sites, or a site that does not
    exist (a typo would make a key or an account that reads nothing).
    """
    if role not in ROLES:
        raise ApiKeyError(f"A role is one of {', '.join(ROLES)}, not {role!r}.")
    if role == "manager" and not site_ids:
        raise ApiKeyError(f"A manager {what} needs the sites it may read: add --site S.")
    scope = sorted(set(site_ids))
    unknown = missing_sites(conn, scope)
    if unknown:
        raise ApiKeyError(
            f"No site {', '.join(repr(s) for s in unknown)}: check the id, or add the site "
            "first with `hymy-central site add`."
        )
    return scope


def create_api_key(conn: Connection, role: str, site_ids: list[str]) -> tuple[str, str]:
    """A new key (shown once) and its id.

    Raises ApiKeyError for an unknown role, a manager key without sites, or a site that does
    not exist (a typo would make a key that reads nothing).
    """
    scope = checked_scope(conn, role, site_ids, "key")
    key, key_id = f"hymy_{new_token()}", str(uuid.uuid4())
    conn.execute(
        insert(api_keys).values(
            id=key_id,
            key_hash=digest(key),
            role=role,
            sites=json.dumps(scope),
            created_at=datetime.now(UTC),
        )
    )
    return key, key_id


@dataclass(frozen=True)
class ApiKeyInfo:
    """What `api-key list` shows of a key: never the key, which is not kept."""

    id: str
    role: str
    sites: tuple[str, ...]  # empty: every site
    created_at: datetime
    last_used_at: datetime | None  # to the hour; None: never used (or before it was recorded)
    revoked_at: datetime | None


def list_api_keys(conn: Connection) -> list[ApiKeyInfo]:
    """Every key, live or revoked, oldest first."""
    query = select(api_keys).order_by(api_keys.c.created_at, api_keys.c.id)
    return [
        ApiKeyInfo(
            row.id,
            row.role,
            tuple(json.loads(row.sites)),
            _aware(row.created_at),
            _aware(row.last_used_at) if row.last_used_at else None,
            _aware(row.revoked_at) if row.revoked_at else None,
        )
        for row in conn.execute(query)
    ]


def revoke_api_key(conn: Connection, key_id: str, now: datetime | None = None) -> bool:
    """Revoke the key: the next request with it is answered 401 (no key is cached). True when
    this call revoked it, False when it was revoked already (the first time is kept).

    Raises ApiKeyError for an unknown id.
    """
    exists = conn.execute(select(api_keys.c.id).where(api_keys.c.id == key_id)).first()
    if exists is None:
        raise ApiKeyError(f"No API key {key_id!r}; `hymy-central api-key list` shows the ids.")
    changed = conn.execute(
        update(api_keys)
        .where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
        .values(revoked_at=now or datetime.now(UTC))
    ).rowcount
    return bool(changed)


def caller_for_key(conn: Connection, key: str, now: datetime | None = None) -> Caller | None:
    """The caller a live key belongs to, or None for an unknown or revoked key (read from the
    database on every request, so a revocation holds at once in every worker and server).

    The key's use is recorded (at most once an hour, in a short transaction of its own) so
    `api-key list` can show which keys are still in use: call it on a reading connection, never
    inside a write transaction (on SQLite that one would wait for itself).
    """
    row = conn.execute(select(api_keys).where(api_keys.c.key_hash == digest(key))).first()
    if row is None or row.revoked_at is not None:
        return None
    now = now or datetime.now(UTC)
    if row.last_used_at is None or now - _aware(row.last_used_at) >= ACCESS_MARK_EVERY:
        _mark_used(conn, row.id, now)
    return Caller(row.id, row.role, tuple(json.loads(row.sites)))


def _mark_used(conn: Connection, key_id: str, now: datetime) -> None:
    """Record the key's use; a failure is logged, never the caller's problem."""
    due = now - ACCESS_MARK_EVERY

    def mark(write: Connection) -> None:
        write.execute(
            update(api_keys)
            .where(
                api_keys.c.id == key_id,
                or_(api_keys.c.last_used_at.is_(None), api_keys.c.last_used_at <= due),
            )
            .values(last_used_at=now)
        )

    try:
        in_write_transaction(conn.engine, mark, attempts=2)
    except SQLAlchemyError as err:
        log.warning("could not record the use of API key %s: %s", key_id, err)


def _aware(moment: datetime) -> datetime:
    """SQLite gives naive datetimes back; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

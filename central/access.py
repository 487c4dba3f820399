"""API keys for people: role admin | it | manager, a site scope, stored only as hashes."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, insert, select

from central.enrollment import missing_sites
from central.secrets import digest, new_token
from central.tables import api_keys

ROLES = ("admin", "it", "manager")


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


def create_api_key(conn: Connection, role: str, site_ids: list[str]) -> tuple[str, str]:
    """A new key (shown once) and its id.

    Raises ApiKeyError for an unknown role, a manager key without sites, or a site that does
    not exist (a typo would make a key that reads nothing).
    """
    if role not in ROLES:
        raise ApiKeyError(f"A role is one of {', '.join(ROLES)}, not {role!r}.")
    if role == "manager" and not site_ids:
        raise ApiKeyError("A manager key needs the sites it may read: add --site S.")
    scope = sorted(set(site_ids))
    unknown = missing_sites(conn, scope)
    if unknown:
        raise ApiKeyError(
            f"No site {', '.join(repr(s) for s in unknown)}: check the id, or add the site "
            "first with `hymy-central site add`."
        )
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


def caller_for_key(conn: Connection, key: str) -> Caller | None:
    row = conn.execute(select(api_keys).where(api_keys.c.key_hash == digest(key))).first()
    if row is None or row.revoked_at is not None:
        return None
    return Caller(row.id, row.role, tuple(json.loads(row.sites)))

"""Sites, one-time enrolment codes and devices: the library behind `hymy-central site add`,
`hymy-central enroll-code`, `hymy-central device revoke` and POST /api/v1/enroll."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from central.secrets import digest, new_enroll_code, new_token
from central.sites import SiteDefinition, kiosk_config, valid_kiosk_id
from central.tables import devices, enroll_codes, sites


class EnrollmentError(Exception):
    """The code cannot enrol a kiosk: unknown, used or expired (the message says which)."""


class NotFoundError(Exception):
    """No such site or device."""


@dataclass(frozen=True)
class Enrolled:
    device_id: str
    token: str  # shown once; only its hash is stored
    site: str
    config: dict[str, Any]


@dataclass(frozen=True)
class Device:
    id: str
    site_id: str
    kiosk_id: str
    revoked: bool


def save_site(conn: Connection, definition: SiteDefinition, now: datetime | None = None) -> bool:
    """Add the site, or replace its definition; True when it is new. Service points and reasons
    the old definition had and the new one lacks stay known as retired (old events still count).
    """
    now = now or datetime.now(UTC)
    exists = conn.execute(select(sites.c.id).where(sites.c.id == definition.site.id)).first()
    if exists:
        definition = definition.replacing(load_site(conn, definition.site.id))
    values = {"timezone": definition.site.timezone, "config": definition.model_dump_json()}
    if exists:
        conn.execute(update(sites).where(sites.c.id == definition.site.id).values(**values))
        return False
    conn.execute(insert(sites).values(id=definition.site.id, created_at=now, **values))
    return True


def load_site(conn: Connection, site_id: str) -> SiteDefinition:
    """Raises NotFoundError for an unknown site."""
    row = conn.execute(select(sites.c.config).where(sites.c.id == site_id)).first()
    if row is None:
        raise NotFoundError(f"No site {site_id!r}; add it with `hymy-central site add`.")
    return SiteDefinition.model_validate(json.loads(row.config))


def create_enroll_code(
    conn: Connection, site_id: str, ttl: timedelta, now: datetime | None = None
) -> str:
    """A one-time code for a new kiosk of the site, valid for ttl.

    Raises NotFoundError for an unknown site.
    """
    load_site(conn, site_id)
    now = now or datetime.now(UTC)
    code = new_enroll_code()
    conn.execute(
        insert(enroll_codes).values(
            code_hash=digest(code), site_id=site_id, created_at=now, expires_at=now + ttl
        )
    )
    return code


def enroll(conn: Connection, code: str, kiosk_id: str, now: datetime | None = None) -> Enrolled:
    """Trade a one-time code for a device id, a token and the kiosk's config.

    Raises EnrollmentError for an unknown, used or expired code or a bad kiosk id.
    """
    now = now or datetime.now(UTC)
    if not valid_kiosk_id(kiosk_id):
        raise EnrollmentError(
            f"{kiosk_id!r} is not a kiosk id: use lowercase letters, digits and hyphens."
        )
    row = conn.execute(
        select(enroll_codes).where(enroll_codes.c.code_hash == digest(code)).with_for_update()
    ).first()
    if row is None:
        raise EnrollmentError("Unknown enrolment code; check it or make a new one.")
    if row.used_at is not None:
        raise EnrollmentError("This enrolment code was used already; make a new one.")
    if _aware(row.expires_at) <= now:
        raise EnrollmentError("This enrolment code has expired; make a new one.")
    definition = load_site(conn, row.site_id)
    slot = conn.execute(
        select(func.count()).select_from(devices).where(devices.c.site_id == row.site_id)
    ).scalar_one()
    device_id, token = str(uuid.uuid4()), new_token()
    config = kiosk_config(definition, kiosk_id=kiosk_id, slot=slot)
    conn.execute(
        insert(devices).values(
            id=device_id,
            site_id=row.site_id,
            kiosk_id=kiosk_id,
            token_hash=digest(token),
            range_slot=slot,
            enrolled_at=now,
        )
    )
    claimed = conn.execute(
        update(enroll_codes)
        .where(enroll_codes.c.code_hash == row.code_hash, enroll_codes.c.used_at.is_(None))
        .values(used_at=now, device_id=device_id)
    ).rowcount
    if claimed != 1:  # another request took it between our read and this write
        raise EnrollmentError("This enrolment code was used already; make a new one.")
    return Enrolled(device_id=device_id, token=token, site=row.site_id, config=config)


def device_for_token(conn: Connection, token: str) -> Device | None:
    row = conn.execute(select(devices).where(devices.c.token_hash == digest(token))).first()
    if row is None:
        return None
    return Device(row.id, row.site_id, row.kiosk_id, row.revoked_at is not None)


def revoke_device(conn: Connection, device_id: str, now: datetime | None = None) -> None:
    """Raises NotFoundError for an unknown device."""
    changed = conn.execute(
        update(devices).where(devices.c.id == device_id).values(revoked_at=now or datetime.now(UTC))
    ).rowcount
    if not changed:
        raise NotFoundError(f"No device {device_id!r}.")


def _aware(moment: datetime) -> datetime:
    """SQLite gives naive datetimes back; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

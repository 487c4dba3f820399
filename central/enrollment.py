"""One-time enrolment codes and devices: the library behind `hymy-central enroll-code`,
`hymy-central device revoke` and POST /api/v1/enroll. Sites themselves are stored and loaded by
central.sites.

Errors:

    EnrollmentError        the code cannot enrol a kiosk; `reason` says why (unknown-code,
                           used-code, expired-code, retired-site, bad-kiosk-id), `site_id`
                           whose code it was
    NoFreeSlotError        live kiosks hold every ticket-number block of the site
    TooManyFailuresError   too many failed enrolments from the address or for the site lately;
                           `retry_after` seconds
    NotFoundError          (central.sites) no such site or device
    SiteRetiredError       (central.sites; a NotFoundError) the site is retired: no new
                           kiosks or codes

Ticket-number blocks: each live kiosk of a site holds one block (`devices.range_slot`); the
unique index `devices_live_slot` makes a second live holder impossible. A new kiosk takes the
lowest block no live kiosk holds, and takes the next one when a concurrent enrolment won the
race for it; a revoked kiosk's block is free again.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from central.db import in_write_transaction
from central.limits import FailureLimit, wait_in_words
from central.site_store import NotFoundError, load_site, site_retired_at, site_retired_error
from central.sites import SiteDefinition, kiosk_config, lowest_free_slot, valid_kiosk_id
from central.tables import devices, enroll_codes, enroll_failures
from central.tokens import digest, new_enroll_code, new_token
from sync.protocol import EnrollAnswer, KioskConfigAnswer

log = logging.getLogger(__name__)
SLOT_INDEX = "devices_live_slot"


class EnrollmentError(Exception):
    """The code cannot enrol a kiosk: unknown, used or expired (the message says which)."""

    def __init__(self, message: str, reason: str, site_id: str | None = None) -> None:
        super().__init__(message)
        self.reason, self.site_id = reason, site_id


class NoFreeSlotError(Exception):
    """Live kiosks hold every block of ticket numbers of the site; the code stays unused."""


class TooManyFailuresError(Exception):
    """Too many failed enrolments lately; try again after `retry_after` seconds. `failure` is
    the failed attempt this answers, when its code was looked at."""

    def __init__(
        self, message: str, retry_after: int, failure: EnrollmentError | None = None
    ) -> None:
        super().__init__(message)
        self.retry_after, self.failure = retry_after, failure


@dataclass(frozen=True)
class Enrolled:
    device_id: str
    token: str  # shown once; only its hash is stored
    site: str
    config: dict[str, Any]  # central.sites.kiosk_config's

    def answer(self) -> EnrollAnswer:
        """The answer to POST /api/v1/enroll (the wire format's, which the sync agent reads)."""
        return EnrollAnswer(
            device_id=self.device_id,
            token=self.token,
            site=self.site,
            config=KioskConfigAnswer.model_validate(self.config),
        )


@dataclass(frozen=True)
class Device:
    id: str
    site_id: str
    kiosk_id: str
    revoked: bool


def create_enroll_code(
    conn: Connection, site_id: str, ttl: timedelta, now: datetime | None = None
) -> str:
    """A one-time code for a new kiosk of the site, valid for ttl.

    Raises NotFoundError for an unknown site, SiteRetiredError for a retired one.
    """
    if site_retired_at(conn, site_id) is not None:
        raise site_retired_error(site_id, "it takes no new kiosks, so no enrolment codes")
    now = now or datetime.now(UTC)
    code = new_enroll_code()
    conn.execute(
        insert(enroll_codes).values(
            code_hash=digest(code), site_id=site_id, created_at=now, expires_at=now + ttl
        )
    )
    return code


def enroll(conn: Connection, code: str, kiosk_id: str, now: datetime | None = None) -> Enrolled:
    """Trade a one-time code for a device id, a token and the kiosk's config. Run it in a write
    transaction (central.db.in_write_transaction): it reads the code, then claims it.

    Raises EnrollmentError for an unknown, used or expired code or a bad kiosk id;
    NoFreeSlotError when live kiosks hold every block of the site's ticket numbers.
    """
    now = now or datetime.now(UTC)
    if not valid_kiosk_id(kiosk_id):
        raise EnrollmentError(
            f"{kiosk_id!r} is not a kiosk id: use lowercase letters, digits and hyphens.",
            "bad-kiosk-id",
        )
    row = conn.execute(
        select(enroll_codes).where(enroll_codes.c.code_hash == digest(code)).with_for_update()
    ).first()
    if row is None:
        raise EnrollmentError("Unknown enrolment code; check it or make a new one.", "unknown-code")
    if row.used_at is not None:
        raise EnrollmentError(
            "This enrolment code was used already; make a new one.", "used-code", row.site_id
        )
    if _aware(row.expires_at) <= now:
        raise EnrollmentError(
            "This enrolment code has expired; make a new one.", "expired-code", row.site_id
        )
    if site_retired_at(conn, row.site_id) is not None:
        raise EnrollmentError(
            f"Site {row.site_id} is retired and takes no new kiosks; enrol the kiosk with a "
            "code of the site it serves now.",
            "retired-site",
            row.site_id,
        )
    definition = load_site(conn, row.site_id)
    device_id, token = str(uuid.uuid4()), new_token()
    slot = _claim_slot(
        conn,
        definition,
        {
            "id": device_id,
            "site_id": row.site_id,
            "kiosk_id": kiosk_id,
            "token_hash": digest(token),
            "enrolled_at": now,
        },
    )
    claimed = conn.execute(
        update(enroll_codes)
        .where(enroll_codes.c.code_hash == row.code_hash, enroll_codes.c.used_at.is_(None))
        .values(used_at=now, device_id=device_id)
    ).rowcount
    if claimed != 1:  # another request took it between our read and this write
        raise EnrollmentError(
            "This enrolment code was used already; make a new one.", "used-code", row.site_id
        )
    config = kiosk_config(definition, kiosk_id=kiosk_id, slot=slot)
    return Enrolled(device_id=device_id, token=token, site=row.site_id, config=config)


def live_slots(conn: Connection, site_id: str) -> set[int]:
    """The ticket-number blocks live (not revoked) kiosks of the site hold."""
    query = select(devices.c.range_slot).where(
        devices.c.site_id == site_id, devices.c.revoked_at.is_(None)
    )
    return set(conn.execute(query).scalars())


def _claim_slot(conn: Connection, definition: SiteDefinition, device: dict[str, Any]) -> int:
    """Insert the device with the lowest free block; returns the block.

    A concurrent enrolment of the same site may take that block first (PostgreSQL runs them at
    once): the unique index refuses our row, and we look again and take the next free one.
    Raises NoFreeSlotError when none is free.
    """
    capacity = definition.kiosk_slots
    for _ in range(capacity + 3):  # each refusal means one more block held; a bound all the same
        slot = lowest_free_slot(live_slots(conn, definition.site.id), capacity)
        if slot is None:
            break
        try:
            with conn.begin_nested():
                conn.execute(insert(devices).values(range_slot=slot, **device))
            return slot
        except IntegrityError as err:
            if not _is_slot_conflict(err):
                raise
            log.info("block %d of site %s was just taken; trying the next", slot, device["site_id"])
    raise NoFreeSlotError(
        f"Site {definition.site.id} has ticket-number blocks for {capacity} kiosks "
        f"(numbers_per_kiosk = {definition.site.numbers_per_kiosk}) and live kiosks hold all of "
        "them: revoke a kiosk that is gone (`hymy-central devices`, then `hymy-central device "
        "revoke ID`) or lower numbers_per_kiosk in the site file and run `hymy-central site add` "
        "again; then enrol with the same code, which is still unused."
    )


def _is_slot_conflict(err: IntegrityError) -> bool:
    diag = getattr(err.orig, "diag", None)
    constraint = getattr(diag, "constraint_name", None)
    if constraint:
        return constraint == SLOT_INDEX
    return "devices.site_id, devices.range_slot" in str(err.orig)  # SQLite's wording


def failure_times(
    conn: Connection, since: datetime, *, address: str | None = None, site_id: str | None = None
) -> list[datetime]:
    """When enrolments failed since `since`, from the address or for the site."""
    query = select(enroll_failures.c.at).where(enroll_failures.c.at >= since)
    if address is not None:
        query = query.where(enroll_failures.c.address == address)
    if site_id is not None:
        query = query.where(enroll_failures.c.site_id == site_id)
    return [_aware(moment) for moment in conn.execute(query).scalars()]


def record_failure(
    conn: Connection,
    err: EnrollmentError,
    address: str,
    now: datetime,
    keep: timedelta,
) -> None:
    """Note a failed enrolment (never the code) and forget those older than `keep`."""
    conn.execute(delete(enroll_failures).where(enroll_failures.c.at < now - keep))
    conn.execute(
        insert(enroll_failures).values(
            at=now, address=address[:64], site_id=err.site_id, reason=err.reason
        )
    )


def enroll_limited(
    engine: Engine,
    code: str,
    kiosk_id: str,
    *,
    address: str,
    per_address: FailureLimit,
    per_site: FailureLimit,
    now: datetime | None = None,
) -> Enrolled:
    """`enroll` with a limit on failed attempts, in one write transaction of its own.

    An address with `per_address.failures` failed enrolments within its window is refused
    before its code is even looked at. A failing code of a site with `per_site.failures` failed
    enrolments is answered with TooManyFailuresError too; a good code of that site still
    enrols. Each failure is recorded (address, site, reason; never the code) and logged.

    Raises TooManyFailuresError, EnrollmentError, NoFreeSlotError.
    """
    now = now or datetime.now(UTC)
    keep = max(per_address.window, per_site.window)

    def attempt(conn: Connection) -> Enrolled | EnrollmentError | TooManyFailuresError:
        _lock_address(conn, address)
        wait = per_address.retry_after(
            failure_times(conn, now - per_address.window, address=address), now
        )
        if wait is not None:
            return TooManyFailuresError(
                f"Too many failed enrolments from {address}; check the code and try again in "
                f"{wait_in_words(wait)}.",
                wait,
            )
        try:
            with conn.begin_nested():
                return enroll(conn, code, kiosk_id, now)
        except EnrollmentError as err:
            if err.reason == "bad-kiosk-id":  # checked before the code: tells nothing about it
                return err
            wait = None
            if err.site_id is not None:  # counted before this failure, as for the address
                times = failure_times(conn, now - per_site.window, site_id=err.site_id)
                wait = per_site.retry_after(times, now)
            record_failure(conn, err, address, now, keep)
            if wait is not None:
                return TooManyFailuresError(
                    f"{err} Enrolments with codes of site {err.site_id} failed too often "
                    f"lately; try again in {wait_in_words(wait)}.",
                    wait,
                    err,
                )
            return err

    # The failure is recorded, so the transaction commits; the answer is raised only after.
    outcome = in_write_transaction(engine, attempt)
    failure = outcome.failure if isinstance(outcome, TooManyFailuresError) else outcome
    if isinstance(failure, EnrollmentError):
        site = f" (site {failure.site_id})" if failure.site_id else ""
        log.warning("enrolment from %s failed: %s%s", address, failure.reason, site)
    if isinstance(outcome, TooManyFailuresError):
        log.warning("enrolment from %s refused: %s", address, outcome)
    if isinstance(outcome, Exception):
        raise outcome
    log.info("enrolled kiosk %s of site %s from %s", kiosk_id, outcome.site, address)
    return outcome


def _lock_address(conn: Connection, address: str) -> None:
    """On PostgreSQL, one attempt per address at a time, so concurrent guesses are counted
    exactly (SQLite's write lock does that already)."""
    if conn.dialect.name != "postgresql":
        return
    key = int.from_bytes(hashlib.sha256(f"enroll {address}".encode()).digest()[:8], signed=True)
    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def device_for_token(conn: Connection, token: str) -> Device | None:
    row = conn.execute(select(devices).where(devices.c.token_hash == digest(token))).first()
    if row is None:
        return None
    return Device(row.id, row.site_id, row.kiosk_id, row.revoked_at is not None)


def revoke_device(conn: Connection, device_id: str, now: datetime | None = None) -> None:
    """Revoke the device; its block of ticket numbers is free for a new kiosk.

    Raises NotFoundError for an unknown device.
    """
    exists = conn.execute(select(devices.c.id).where(devices.c.id == device_id)).first()
    if exists is None:
        raise NotFoundError(f"No device {device_id!r}; `hymy-central devices` lists them.")
    conn.execute(  # revoking again keeps the first time
        update(devices)
        .where(devices.c.id == device_id, devices.c.revoked_at.is_(None))
        .values(revoked_at=now or datetime.now(UTC))
    )


def _aware(moment: datetime) -> datetime:
    """SQLite gives naive datetimes back; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

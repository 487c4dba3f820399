"""Stored sites: the sites table, read and written by `hymy-central site ...`, the console's
admin and enrolment (central.enrollment). A row's config column is its definition's JSON
(central.sites parses and checks definitions; this module only stores and finds them)."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, func, insert, select, update

from central.sites import SiteDefinition, retiring, zone_problem
from central.tables import devices, sites

log = logging.getLogger(__name__)


class NotFoundError(Exception):
    """No such site or device."""


class SiteRetiredError(NotFoundError):
    """The site is retired: it takes no new kiosks, enrolment codes or definition changes (its
    kiosks' uploads and its reports go on). A NotFoundError, as it is gone for new kiosks."""


@dataclass(frozen=True)
class SiteRecord:
    """A site as `hymy-central site list|show` shows it."""

    definition: SiteDefinition
    created_at: datetime
    retired_at: datetime | None
    live_kiosks: int
    revoked_kiosks: int

    @property
    def id(self) -> str:
        return self.definition.site.id


def save_site(conn: Connection, definition: SiteDefinition, now: datetime | None = None) -> bool:
    """Add the site, or replace its definition; True when it is new. Service points and reasons
    the old definition had and the new one lacks stay known as retired (old events still count).

    Raises SiteRetiredError for a retired site (return it to service first).
    """
    now = now or datetime.now(UTC)
    row = conn.execute(
        select(sites.c.id, sites.c.retired_at).where(sites.c.id == definition.site.id)
    ).first()
    if row is not None and row.retired_at is not None:
        raise site_retired_error(definition.site.id, "its definition cannot change")
    if row is not None:
        definition = definition.replacing(load_site(conn, definition.site.id))
    values = {"timezone": definition.site.timezone, "config": definition.model_dump_json()}
    if row is not None:
        conn.execute(update(sites).where(sites.c.id == definition.site.id).values(**values))
        return False
    conn.execute(insert(sites).values(id=definition.site.id, created_at=now, **values))
    return True


def update_site(
    conn: Connection, definition: SiteDefinition
) -> tuple[SiteDefinition, SiteDefinition]:
    """Replace an existing site's definition (as save_site); returns the old and the new one as
    stored (what the new file left out kept as retired).

    Raises NotFoundError for a site that does not exist (add it with `site add`),
    SiteRetiredError for a retired one.
    """
    old = load_site(conn, definition.site.id)
    save_site(conn, definition)
    return old, load_site(conn, definition.site.id)


def retire_parts(
    conn: Connection,
    site_id: str,
    points: list[str],
    reasons: list[str],
    *,
    undo: bool = False,
) -> tuple[SiteDefinition, SiteDefinition]:
    """Retire service points and reasons of the site (or, with `undo`, return them to service);
    returns the old and the new definition. Kiosks get the change with their next config.

    Raises NotFoundError, SiteRetiredError, SiteError (central.sites.retiring).
    """
    old = load_site(conn, site_id)
    new = retiring(old, points, reasons, undo=undo)
    save_site(conn, new)
    return old, load_site(conn, site_id)


def retire_site(
    conn: Connection, site_id: str, *, undo: bool = False, now: datetime | None = None
) -> bool:
    """Retire the site (or return it to service with `undo`); True when that changed anything.

    A retired site takes no new kiosks: `enroll-code` refuses it, and its unused codes no
    longer enrol. Its definition is frozen, so its kiosks get no new config. Everything else
    goes on, so nothing is lost: its kiosks' uploads and heartbeats are accepted, its events,
    rollups and reports stay. Revoke its kiosks once `hymy-central devices` says all their
    events were received.

    Raises NotFoundError for an unknown site.
    """
    load_site(conn, site_id)
    moment = None if undo else (now or datetime.now(UTC))
    live = sites.c.retired_at.is_not(None) if undo else sites.c.retired_at.is_(None)
    changed = conn.execute(
        update(sites).where(sites.c.id == site_id, live).values(retired_at=moment)
    ).rowcount
    if changed:
        log.info("site %s %s", site_id, "returned to service" if undo else "retired")
    return bool(changed)


def site_retired_at(conn: Connection, site_id: str) -> datetime | None:
    """When the site was retired; None for a site in service. Raises NotFoundError."""
    row = conn.execute(select(sites.c.retired_at).where(sites.c.id == site_id)).first()
    if row is None:
        raise NotFoundError(f"No site {site_id!r}; add it with `hymy-central site add`.")
    return _aware(row.retired_at) if row.retired_at else None


def list_sites(conn: Connection) -> list[SiteRecord]:
    """Every site, retired ones too, by id, with its live and revoked kiosks."""
    kiosks: dict[tuple[str, bool], int] = {}
    counted = select(devices.c.site_id, devices.c.revoked_at.is_(None), func.count()).group_by(
        devices.c.site_id, devices.c.revoked_at.is_(None)
    )
    for site_id, live, n in conn.execute(counted):
        kiosks[(site_id, bool(live))] = n
    return [
        SiteRecord(
            SiteDefinition.model_validate(json.loads(row.config)),
            _aware(row.created_at),
            _aware(row.retired_at) if row.retired_at else None,
            kiosks.get((row.id, True), 0),
            kiosks.get((row.id, False), 0),
        )
        for row in conn.execute(select(sites).order_by(sites.c.id))
    ]


def site_retired_error(site_id: str, what: str) -> SiteRetiredError:
    """The error for a change a retired site refuses: `what` says which, and how to undo."""
    return SiteRetiredError(
        f"Site {site_id} is retired: {what}. To return it to service, run "
        f"`hymy-central site retire {site_id} --undo`."
    )


def load_site(conn: Connection, site_id: str) -> SiteDefinition:
    """Raises NotFoundError for an unknown site."""
    row = conn.execute(select(sites.c.config).where(sites.c.id == site_id)).first()
    if row is None:
        raise NotFoundError(f"No site {site_id!r}; add it with `hymy-central site add`.")
    return SiteDefinition.model_validate(json.loads(row.config))


def missing_sites(conn: Connection, site_ids: list[str]) -> list[str]:
    """The ones of site_ids that are not sites, in their order."""
    if not site_ids:
        return []
    known = set(conn.execute(select(sites.c.id).where(sites.c.id.in_(site_ids))).scalars())
    return [site for site in site_ids if site not in known]


def sites_in_unsupported_zones(conn: Connection) -> dict[str, str]:
    """Sites whose time zone the rollups cannot serve (added before such zones were refused at
    `site add`), each with why; their reports are refused until the zone is changed."""
    zones = conn.execute(select(sites.c.id, sites.c.timezone)).all()
    return {site: problem for site, zone in zones if (problem := zone_problem(zone))}


def _aware(moment: datetime) -> datetime:
    """SQLite gives naive datetimes back; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

"""`hymy-central site ...`: sites (health stations) and their service points."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy import Connection

from central.cli import main, pass_settings, read, write
from central.settings import Settings
from central.site_store import NotFoundError, SiteRecord, save_site
from central.sites import SiteDefinition, SiteError, parse_site

SITE_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@main.group()
def site() -> None:
    """Sites (health stations) and their service points."""


def _read(site_file: Path) -> SiteDefinition:
    """The site file, parsed; a file that cannot be read or decoded as UTF-8 (a BOM, as some
    Windows editors write, is allowed) is refused in one line, like a wrong value.

    Raises click.ClickException.
    """
    try:
        text = site_file.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise click.ClickException(
            f"{site_file} is not UTF-8 text (byte {err.start + 1} cannot be read): save it as "
            "UTF-8 TOML, e.g. start from `hymy-central example site`."
        ) from None
    except OSError as err:
        raise click.ClickException(
            f"{site_file} cannot be read ({err.strerror}): give a site file this user may read."
        ) from None
    try:
        return parse_site(text, str(site_file))
    except SiteError as err:
        raise click.ClickException(str(err)) from None


def _echo_changes(old: SiteDefinition, new: SiteDefinition) -> None:
    from central.site_changes import site_changes

    changes = site_changes(old, new)
    for line in changes:
        click.echo(f"  {line}")
    if not changes:
        click.echo("  nothing changed")


@site.command("add")
@click.argument("site_file", type=SITE_FILE)
@pass_settings
def site_add(settings: Settings, site_file: Path) -> None:
    """Add a site, or update it, from a TOML site file (see docs/central.md).

    `hymy-central example site` prints an example to start from.

    Example: hymy-central site add site.toml
    """
    from central.site_store import load_site

    definition = _read(site_file)

    def save(conn: Connection) -> tuple[SiteDefinition | None, SiteDefinition]:
        try:
            old: SiteDefinition | None = load_site(conn, definition.site.id)
        except NotFoundError:
            old = None
        save_site(conn, definition)
        return old, load_site(conn, definition.site.id)

    try:
        old, new = write(settings, save)
    except NotFoundError as err:  # a retired site
        raise click.ClickException(str(err)) from None
    points = ", ".join(f"{p.prefix} {p.id}" for p in new.service_points)
    click.echo(
        f"{'Updated' if old else 'Added'} site {new.site.id} ({new.site.timezone}; {points})."
    )
    if old is not None:
        _echo_changes(old, new)


def _records(conn: Connection) -> list[SiteRecord]:
    from central.site_store import list_sites

    return list_sites(conn)


@site.command("update")
@click.argument("site_file", type=SITE_FILE)
@pass_settings
def site_update(settings: Settings, site_file: Path) -> None:
    """Change an existing site from its site file, and say what changed. A service point or
    reason the file leaves out is kept as retired: its old events still count.

    \b
    Example:
      hymy-central site show kaleva > kaleva.toml   (then edit it)
      hymy-central site update kaleva.toml
    """
    from central.site_store import update_site

    definition = _read(site_file)
    try:
        old, new = write(settings, lambda conn: update_site(conn, definition))
    except NotFoundError as err:
        raise click.ClickException(
            f"{err} `site update` changes a site that exists: for a new one use `site add`."
            if "No site" in str(err)
            else str(err)
        ) from None
    click.echo(f"Updated site {new.site.id}; kiosks get the change with their next config:")
    _echo_changes(old, new)


@site.command("list")
@pass_settings
def site_list(settings: Settings) -> None:
    """List every site, retired ones too: time zone, service points, kiosks, state.

    Example: hymy-central site list
    """
    records = read(settings, _records)
    if not records:
        click.echo("No sites yet: add one with `hymy-central site add FILE`.")
        return
    click.echo(f"{'site':<16}  {'time zone':<16}  {'kiosks':<20}  {'state':<20}  service points")
    for r in records:
        d = r.definition
        points = ", ".join(p.id for p in d.service_points)
        if d.retired.service_points:
            points += "; retired: " + ", ".join(p.id for p in d.retired.service_points)
        kiosks = f"{r.live_kiosks} live" + (
            f", {r.revoked_kiosks} revoked" if r.revoked_kiosks else ""
        )
        state = f"retired {r.retired_at:%Y-%m-%d}" if r.retired_at else "in service"
        click.echo(f"{r.id:<16}  {d.site.timezone:<16}  {kiosks:<20}  {state:<20}  {points}")


@site.command("show")
@click.argument("site_id")
@pass_settings
def site_show(settings: Settings, site_id: str) -> None:
    """Print the site's whole definition as a site file, retired service points and reasons
    included; edit it and give it back with `hymy-central site update FILE`.

    Example: hymy-central site show kaleva > kaleva.toml
    """
    from central.site_store import load_site, site_retired_at
    from central.sites import site_toml

    try:
        definition, retired_at = read(
            settings, lambda conn: (load_site(conn, site_id), site_retired_at(conn, site_id))
        )
    except NotFoundError as err:
        raise click.ClickException(str(err)) from None
    click.echo(site_toml(definition, retired_at), nl=False)


@site.command("retire")
@click.argument("site_id")
@click.option(
    "--service-point", "points", multiple=True, help="Retire only this service point (repeat)."
)
@click.option("--reason", "reasons", multiple=True, help="Retire only this reason (repeat).")
@click.option("--undo", is_flag=True, help="Return the site, service point or reason to service.")
@pass_settings
def site_retire(
    settings: Settings,
    site_id: str,
    points: tuple[str, ...],
    reasons: tuple[str, ...],
    undo: bool,
) -> None:
    """Retire a whole site, or only some of its service points or reasons.

    A retired service point or reason is no longer offered by the kiosks; its old and late
    events still count and reports label it "retired". A retired site takes no new kiosks
    (enrolment codes are refused) and its kiosks get no new config; their uploads are still
    accepted, and its events and reports stay.

    \b
    Examples:
      hymy-central site retire kaleva --service-point neuvola
      hymy-central site retire kaleva --reason waiting-time
      hymy-central site retire kaleva
    """
    from central.site_store import retire_parts, retire_site

    if points or reasons:
        try:
            old, new = write(
                settings,
                lambda conn: retire_parts(conn, site_id, list(points), list(reasons), undo=undo),
            )
        except (NotFoundError, SiteError) as err:
            raise click.ClickException(str(err)) from None
        click.echo(f"Site {site_id}; kiosks get the change with their next config:")
        _echo_changes(old, new)
        return
    try:
        changed = write(settings, lambda conn: retire_site(conn, site_id, undo=undo))
    except NotFoundError as err:
        raise click.ClickException(str(err)) from None
    if undo:
        click.echo(
            f"Site {site_id} is in service again." if changed else f"Site {site_id} is in service."
        )
    elif changed:
        click.echo(
            f"Retired site {site_id}: no new kiosks or enrolment codes, and no new config for "
            "its kiosks. Their uploads are still accepted and its events and reports stay; "
            "revoke its kiosks (`hymy-central device revoke ID`) once `hymy-central devices` "
            "says all their events were received."
        )
    else:
        click.echo(f"Site {site_id} was retired already.")

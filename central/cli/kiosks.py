"""`hymy-central enroll-code`, `devices` and `device ...`: the kiosks of the fleet."""

from __future__ import annotations

import getpass

import click

from central.cli import main, pass_settings, read, write
from central.enrollment import create_enroll_code, revoke_device
from central.logs import audit
from central.settings import Settings
from central.site_store import NotFoundError


@main.command("enroll-code")
@click.option("--site", "site_id", required=True, help="The site the new kiosk belongs to.")
@pass_settings
def enroll_code(settings: Settings, site_id: str) -> None:
    """Print a one-time code that enrols one kiosk of the site (valid 24 hours).

    Example: hymy-central enroll-code --site kaleva
    """
    try:
        code = write(
            settings, lambda conn: create_enroll_code(conn, site_id, settings.enroll_code_ttl)
        )
    except NotFoundError as err:
        raise click.ClickException(str(err)) from None
    hours = int(settings.enroll_code_ttl.total_seconds() // 3600)
    click.echo(
        f"{code}\nOn the kiosk: hymy-sync enroll --central URL --code {code}  "
        f"(valid {hours} hours, once)"
    )


@main.command("devices")
@click.option("--site", "sites", multiple=True, help="Only kiosks of this site (repeat).")
@pass_settings
def devices_command(settings: Settings, sites: tuple[str, ...]) -> None:
    """List every kiosk with when it was last seen, its status in words and, below, whether
    all its events arrived ("all 1210 events received", "7 events missing (seq 1200-1206)").

    Example: hymy-central devices --site kaleva
    """
    from central.fleet import fleet
    from central.site_store import missing_sites

    unknown, kiosks = read(
        settings, lambda conn: (missing_sites(conn, list(sites)), fleet(conn, sites))
    )
    if unknown:  # a typo would read as "no kiosks enrolled yet"
        raise click.ClickException(
            f"No site {', '.join(repr(s) for s in unknown)}: check the id "
            "(`hymy-central devices` lists every site's kiosks)."
        )
    if not kiosks:
        click.echo("No kiosks enrolled yet: make a code with `hymy-central enroll-code`.")
        return
    for d in kiosks:
        seen = d.last_seen.strftime("%Y-%m-%d %H:%M UTC") if d.last_seen else "never"
        click.echo(f"{d.site:<12} {d.kiosk_id:<20} {seen:<22} {d.status}   {d.device_id}")
        if d.completeness:
            click.echo(f"{'':<12} {d.completeness.words()}")


@main.group()
def device() -> None:
    """Enrolled kiosks."""


@device.command("revoke")
@click.argument("device_id")
@pass_settings
def device_revoke(settings: Settings, device_id: str) -> None:
    """End a device's token: its uploads are refused until it is enrolled again.

    Example: hymy-central device revoke 4f0c2a9e-...
    """
    try:
        write(settings, lambda conn: revoke_device(conn, device_id))
    except NotFoundError as err:
        raise click.ClickException(str(err)) from None
    user = getpass.getuser()
    audit("revoked", f"device {device_id} revoked by {user}", device_id=device_id, by=user)
    click.echo(f"Revoked device {device_id}; the kiosk keeps its events until enrolled again.")

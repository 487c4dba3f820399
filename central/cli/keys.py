"""`hymy-central api-key ...`: API keys for people."""

from __future__ import annotations

import getpass
from datetime import datetime

import click

from central.cli import main, pass_settings, read, write
from central.logs import audit
from central.settings import Settings


@main.group("api-key")
def api_key() -> None:
    """API keys for people: admins, IT staff and managers."""


@api_key.command("create")
@click.option("--role", type=click.Choice(["admin", "it", "manager"]), required=True)
@click.option("--site", "sites", multiple=True, help="A site the key may read (repeat).")
@pass_settings
def api_key_create(settings: Settings, role: str, sites: tuple[str, ...]) -> None:
    """Print a new API key (shown once; only its hash is kept).

    Example: hymy-central api-key create --role manager --site kaleva
    """
    from central.access import ApiKeyError, create_api_key

    try:
        key, key_id = write(settings, lambda conn: create_api_key(conn, role, list(sites)))
    except ApiKeyError as err:
        raise click.ClickException(str(err)) from None
    scope = ", ".join(sites) if sites else "every site"
    click.echo(f"{key}\n(key {key_id}, role {role}, {scope}; keep it safe: it is shown once)")


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "-"


@api_key.command("list")
@pass_settings
def api_key_list(settings: Settings) -> None:
    """List every API key: id, role, sites, when made, when last used (to the hour) and whether
    it is revoked. The keys themselves are not kept, so they are never shown.

    Example: hymy-central api-key list
    """
    from central.access import list_api_keys

    keys = read(settings, list_api_keys)
    if not keys:
        click.echo("No API keys yet: make one with `hymy-central api-key create --role ROLE`.")
        return
    click.echo(f"{'id':<36}  {'role':<7}  {'sites':<20}  {'created':<20}  {'last used':<20}  state")
    for key in keys:
        state = f"revoked {_when(key.revoked_at)}" if key.revoked_at else "live"
        click.echo(
            f"{key.id:<36}  {key.role:<7}  {', '.join(key.sites) or 'every site':<20}  "
            f"{_when(key.created_at):<20}  {_when(key.last_used_at):<20}  {state}"
        )


@api_key.command("revoke")
@click.argument("key_id")
@pass_settings
def api_key_revoke(settings: Settings, key_id: str) -> None:
    """Revoke an API key: from the next request on it is answered 401, in every worker.

    Example: hymy-central api-key revoke 7d1c9f4e-...
    """
    from central.access import ApiKeyError, revoke_api_key

    try:
        revoked = write(settings, lambda conn: revoke_api_key(conn, key_id))
    except ApiKeyError as err:
        raise click.ClickException(str(err)) from None
    if revoked:
        user = getpass.getuser()
        audit("revoked", f"API key {key_id} revoked by {user}", key_id=key_id, by=user)
        click.echo(f"Revoked API key {key_id}: requests with it are refused (401) from now on.")
    else:
        click.echo(f"API key {key_id} was revoked already.")

"""`hymy-central api-key ...`: API keys for people."""

from __future__ import annotations

import click

from central.cli import main, pass_settings, write
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

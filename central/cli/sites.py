"""`hymy-central site ...`: sites (health stations) and their service points."""

from __future__ import annotations

from pathlib import Path

import click

from central.cli import main, pass_settings, write
from central.enrollment import save_site
from central.settings import Settings
from central.sites import SiteError, parse_site


@main.group()
def site() -> None:
    """Sites (health stations) and their service points."""


@site.command("add")
@click.argument("site_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_settings
def site_add(settings: Settings, site_file: Path) -> None:
    """Add a site, or update it, from a TOML site file (see docs/central.md).

    Example: hymy-central site add assets/config/example-site.toml
    """
    try:
        definition = parse_site(site_file.read_text(encoding="utf-8"), str(site_file))
    except SiteError as err:
        raise click.ClickException(str(err)) from None
    new = write(settings, lambda conn: save_site(conn, definition))
    points = ", ".join(f"{p.prefix} {p.id}" for p in definition.service_points)
    click.echo(
        f"{'Added' if new else 'Updated'} site {definition.site.id} "
        f"({definition.site.timezone}; {points})."
    )

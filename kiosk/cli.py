"""`hymy-kiosk`: parses the arguments of the touchscreen app and hands over to the library."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from kiosk.config import ConfigError
from kiosk.i18n import CatalogMissingError, Catalogs, available_languages
from kiosk.pin import hash_pin
from kiosk.settings import KioskSettings, SettingsError

log = logging.getLogger("hymy-kiosk")


def setup_logging(verbose: bool = False) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="hymy", prog_name="hymy-kiosk", message="%(prog)s %(version)s")
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    show_default="$HYMY_CONFIG or /etc/hymy/kiosk.toml",
    help="The kiosk's TOML config.",
)
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path),
    show_default="$HYMY_DATA_DIR or /var/lib/hymy",
    help="Where the outbox (outbox.sqlite) lives.",
)
@click.option("--window", help="Run in a window of WIDTHxHEIGHT pixels instead of fullscreen.")
@click.option(
    "--hash-pin",
    is_flag=True,
    help="Ask for an admin PIN and print the hash to put in the config's [admin] pin_hash.",
)
@click.option("-v", "--verbose", is_flag=True, help="Log debug messages too.")
def main(
    config_path: Path | None,
    data_dir: Path | None,
    window: str | None,
    hash_pin: bool,
    verbose: bool,
) -> None:
    """Run the Hymy touchscreen kiosk.

    Example: hymy-kiosk --config /etc/hymy/kiosk.toml --data-dir /var/lib/hymy --window 1280x720
    """
    setup_logging(verbose)
    if hash_pin:
        pin = click.prompt("Admin PIN (4 to 8 digits)", hide_input=True, confirmation_prompt=True)
        try:
            click.echo(hash_pin_or_explain(pin))
        except ValueError as err:
            raise click.ClickException(str(err)) from None
        return
    try:
        settings = KioskSettings.read(config_path=config_path, data_dir=data_dir, window=window)
    except SettingsError as err:
        raise click.UsageError(str(err)) from None
    source = settings.config_source(available_languages())
    try:
        config = source.load()
        catalogs = Catalogs(config.kiosk.languages)
    except (ConfigError, CatalogMissingError) as err:
        # The outbox is not touched: a bad config must never cost stored events.
        click.echo(f"hymy-kiosk: {err}", err=True)
        sys.exit(2)
    from kiosk.ui.launch import build_app

    # An outbox that cannot be opened is no reason to leave the lobby a black screen: the app
    # logs why, shows its out-of-order screen and keeps trying.
    build_app(
        config, settings.outbox_path, window=settings.window, catalogs=catalogs, source=source
    ).run()


def hash_pin_or_explain(pin: str) -> str:
    """The hash of a PIN of 4 to 8 digits.

    Raises ValueError with what is wrong otherwise.
    """
    if not (pin.isdigit() and 4 <= len(pin) <= 8):
        raise ValueError("The admin PIN must be 4 to 8 digits.")
    return hash_pin(pin)


if __name__ == "__main__":
    main()

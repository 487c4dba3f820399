"""`hymy-central mail test --to ADDRESS`: one e-mail sent now with the server's SMTP settings,
to check them (the answer of the SMTP server, or what went wrong, is printed)."""

from __future__ import annotations

import uuid

import click

from central.cli import main, pass_settings
from central.settings import Settings


@main.group("mail")
def mail() -> None:
    """E-mail (alerts and scheduled reports) with the HYMY_CENTRAL_SMTP_* settings."""


@mail.command("test")
@click.option("--to", "to", required=True, help="The address to send the test e-mail to.")
@pass_settings
def test_command(settings: Settings, to: str) -> None:
    """Send one test e-mail now, as the delivery queue would.

    Example: hymy-central mail test --to it-tuki@hyvinvointialue.fi
    """
    from central.deliveries import Claimed, console_url, send_email
    from central.delivery_messages import email_message

    if "@" not in to:
        raise click.UsageError(
            f"--to {to!r} is not an e-mail address: give one, e.g. --to it@example.fi"
        )
    if settings.smtp_host is None:
        raise click.ClickException(
            "No SMTP server is set: set HYMY_CENTRAL_SMTP_HOST (and _PORT, _USERNAME, "
            "_PASSWORD_FILE, see docs/deliveries.md), then try again."
        )
    body = email_message(
        to=to,
        subject="Hymy: testiviesti / testmeddelande / test message",
        text=(
            "Hymy-palvelimen sähköposti toimii.\n"
            "E-posten från Hymy-servern fungerar.\n"
            "E-mail from the Hymy central works.\n\n"
            f"{console_url(settings, '/deliveries')}\n"
        ),
    )
    verdict, error = send_email(settings, Claimed(str(uuid.uuid4()), "email", to, body, None, 1))
    if verdict != "sent":
        raise click.ClickException(f"The test e-mail to {to} was not sent: {error}")
    click.echo(f"sent a test e-mail to {to} through {settings.smtp_host}:{settings.smtp_port}")

"""`hymy-central user ...`: people who sign in to the web console."""

from __future__ import annotations

import getpass
import sys

import click

from central.cli import main, pass_settings, read, write
from central.logs import audit
from central.settings import Settings


@main.group("user")
def user() -> None:
    """People who sign in to the web console: admins, IT staff and managers."""


def _password(from_stdin: bool) -> str:
    """The new password: the first line of standard input, or asked twice at a prompt (never
    an argument: it would stay in the shell's history and in `ps`)."""
    if from_stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            raise click.ClickException(
                "--password-stdin read no password: give it on the first line of standard input."
            )
        return password
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _by() -> str:
    return getpass.getuser()


@user.command("add")
@click.argument("email")
@click.option("--role", type=click.Choice(["admin", "it", "manager"]), required=True)
@click.option("--site", "sites", multiple=True, help="A site the person may read (repeat).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--sso-only", is_flag=True, help="No password: signs in only with single sign-on.")
@pass_settings
def user_add(
    settings: Settings,
    email: str,
    role: str,
    sites: tuple[str, ...],
    password_stdin: bool,
    sso_only: bool,
) -> None:
    """Add a person who signs in to the console with EMAIL and a password of 12 characters or
    more (asked at a prompt, or read from standard input).

    Example: hymy-central user add hoitaja@example.fi --role manager --site kaleva
    """
    from central.access import ApiKeyError
    from central.people import PeopleError, add_person, check_password, normal_email

    try:
        normal_email(email)
        password = None if sso_only else check_password(_password(password_stdin))
        person = write(settings, lambda conn: add_person(conn, email, role, list(sites), password))
    except (PeopleError, ApiKeyError) as err:
        raise click.ClickException(str(err)) from None
    audit(
        "user_added",
        f"console user {person.email} ({role}) added by {_by()}",
        email=person.email,
        role=role,
        by=_by(),
    )
    scope = ", ".join(person.sites) if person.sites else "every site"
    click.echo(
        f"Added {person.email} (role {role}, {scope}); they sign in at the console's /login."
    )


@user.command("list")
@pass_settings
def user_list(settings: Settings) -> None:
    """List the people who may sign in: address, role, sites, how they sign in, last sign-in
    and whether the account is disabled.

    Example: hymy-central user list
    """
    from central.people import list_people

    found = read(settings, list_people)
    if not found:
        click.echo("No users yet: add one with `hymy-central user add EMAIL --role ROLE`.")
        return
    click.echo(f"{'e-mail':<36}  {'role':<7}  {'sites':<20}  {'sign-in':<16}  {'last':<20}  state")
    for person in found:
        how = "+".join(
            part
            for part, has in (("password", person.has_password), ("sso", person.oidc_subject))
            if has
        )
        last = (
            person.last_signin_at.strftime("%Y-%m-%d %H:%M UTC") if person.last_signin_at else "-"
        )
        state = "disabled" if person.disabled_at else "enabled"
        click.echo(
            f"{person.email:<36}  {person.role:<7}  {', '.join(person.sites) or 'every site':<20}  "
            f"{how or '-':<16}  {last:<20}  {state}"
        )


@user.command("disable")
@click.argument("email")
@pass_settings
def user_disable(settings: Settings, email: str) -> None:
    """Disable an account: it is signed out of every browser at once and cannot sign in.

    Example: hymy-central user disable hoitaja@example.fi
    """
    from central.people import PeopleError, disable_person

    try:
        changed = write(settings, lambda conn: disable_person(conn, email))
    except PeopleError as err:
        raise click.ClickException(str(err)) from None
    if changed:
        audit("user_disabled", f"console user {email} disabled by {_by()}", email=email, by=_by())
        click.echo(f"Disabled {email}: signed out everywhere, and no sign-in from now on.")
    else:
        click.echo(f"{email} was disabled already.")


@user.command("reset-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@pass_settings
def user_reset_password(settings: Settings, email: str, password_stdin: bool) -> None:
    """Give an account a new password: its sessions end and a lockout is lifted.

    Example: hymy-central user reset-password hoitaja@example.fi
    """
    from central.people import PeopleError, check_password, normal_email, reset_password

    try:
        normal_email(email)
        password = check_password(_password(password_stdin))
        write(settings, lambda conn: reset_password(conn, email, password))
    except PeopleError as err:
        raise click.ClickException(str(err)) from None
    audit(
        "password_reset", f"console user {email}: password reset by {_by()}", email=email, by=_by()
    )
    click.echo(f"New password set for {email}; they were signed out of every browser.")

"""`hymy-sync`: parses arguments and hands over to the sync library (enrol, run, once, status,
requeue). Every failure a person can act on ends in a sentence and a non-zero exit, never a
traceback."""

from __future__ import annotations

import functools
import logging
import os
import signal
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from kiosk.notify import notify
from kiosk.outbox import DEFAULT_DATA_DIR, OUTBOX_FILE, Outbox, OutboxError
from sync.agent import AgentSettings, SyncAgent
from sync.client import CentralError, RevokedError
from sync.credentials import DEVICE_FILE, NotEnrolledError, load_credentials
from sync.enrollment import EnrollError, enroll_kiosk
from sync.status import describe, describe_refusal, outbox_range, read_state


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="hymy", prog_name="hymy-sync", message="%(prog)s %(version)s")
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path),
    default=lambda: os.environ.get("HYMY_DATA_DIR", str(DEFAULT_DATA_DIR)),
    show_default="$HYMY_DATA_DIR or /var/lib/hymy",
    help="The kiosk's data directory: outbox.sqlite, device.json, central-config.json.",
)
@click.option("-v", "--verbose", is_flag=True, help="Log debug messages too.")
@click.pass_context
def main(ctx: click.Context, data_dir: Path, verbose: bool) -> None:
    """The kiosk's sync agent: uploads the outbox to the central, exactly once per event."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    ctx.obj = data_dir


def pass_data_dir(command: Callable[..., Any]) -> Callable[..., Any]:
    """Give `command` the data dir as its first argument, with a --data-dir option of its own
    that wins over the group's, so `hymy-sync status --data-dir DIR` works as well as
    `hymy-sync --data-dir DIR status`."""

    @click.option(
        "--data-dir",
        "command_data_dir",
        type=click.Path(path_type=Path),
        default=None,
        help="The kiosk's data directory (also accepted before the command).",
    )
    @click.pass_context
    @functools.wraps(command)
    def wrapper(
        ctx: click.Context, *args: Any, command_data_dir: Path | None, **kwargs: Any
    ) -> Any:
        return command(command_data_dir or ctx.obj, *args, **kwargs)

    return wrapper


WAIT_VARIABLES = (
    ("backoff_base_s", "HYMY_SYNC_RETRY_BASE_S"),
    ("backoff_cap_s", "HYMY_SYNC_RETRY_CAP_S"),
    ("heartbeat_s", "HYMY_SYNC_HEARTBEAT_S"),
)


def waits_from_env() -> dict[str, float]:
    """The agent's waits from HYMY_SYNC_RETRY_BASE_S, HYMY_SYNC_RETRY_CAP_S and
    HYMY_SYNC_HEARTBEAT_S, each read once (for tests and labs; the defaults are 1 s, 5 min and
    60 s); an unset or empty variable keeps its default.

    Raises click.ClickException naming the variable for a value that is not a number of
    seconds above 0.
    """
    waits = {}
    for field, name in WAIT_VARIABLES:
        value = os.environ.get(name, "").strip()
        if not value:
            continue
        try:
            seconds = float(value)
        except ValueError:
            seconds = float("nan")
        if not 0 < seconds < float("inf"):  # also refuses nan
            raise click.ClickException(
                f"{name} must be a number of seconds above 0, e.g. {name}=5: got {value!r}."
            )
        waits[field] = seconds
    return waits


def _agent(data_dir: Path, batch_size: int) -> SyncAgent:
    """The agent, its waits from the environment (waits_from_env)."""
    try:
        return SyncAgent(
            AgentSettings(data_dir=data_dir, batch_size=batch_size, **waits_from_env())
        )
    except (NotEnrolledError, OutboxError, CentralError) as err:
        raise click.ClickException(str(err)) from None


batch_option = click.option(
    "--batch-size",
    type=click.IntRange(1, 1000),
    default=500,
    show_default=True,
    help="Events per upload.",
)


@main.command()
@click.option("--central", required=True, help="The central's URL, e.g. https://hymy.example.fi")
@click.option("--code", required=True, help="A one-time code from `hymy-central enroll-code`.")
@click.option("--kiosk-id", help="This kiosk's name at its site (default: the host name).")
@click.option(
    "--ca-file",
    type=click.Path(exists=True, dir_okay=False),
    help="CA certificate(s) to check the central's TLS certificate with (default: the system's).",
)
@click.option("--insecure", is_flag=True, help="Allow plain http to a central on another host.")
@click.option("--force", is_flag=True, help="Replace an existing enrolment of this kiosk.")
@pass_data_dir
def enroll(
    data_dir: Path,
    central: str,
    code: str,
    kiosk_id: str | None,
    ca_file: str | None,
    insecure: bool,
    force: bool,
) -> None:
    """Enrol this kiosk with a one-time code.

    Example: hymy-sync enroll --central https://hymy.example.fi --code K7QD-92XM-HB4T
    """
    if (data_dir / DEVICE_FILE).exists() and not force:
        raise click.ClickException(
            f"This kiosk is enrolled already ({data_dir / DEVICE_FILE}); add --force to replace "
            "the enrolment (events not yet uploaded are then sent under the new one)."
        )
    try:
        credentials = enroll_kiosk(
            data_dir,
            central=central,
            code=code,
            kiosk_id=kiosk_id,
            ca_file=ca_file,
            insecure=insecure,
        )
    except (EnrollError, OSError) as err:
        raise click.ClickException(str(err)) from None
    click.echo(
        f"Enrolled {credentials.kiosk_id} at site {credentials.site} "
        f"(device {credentials.device_id}); token in {data_dir / DEVICE_FILE}."
    )


@main.command()
@batch_option
@pass_data_dir
def run(data_dir: Path, batch_size: int) -> None:
    """Upload forever: new events within a second, backing off while the central is away.

    Example: hymy-sync --data-dir /var/lib/hymy run
    """
    agent = _agent(data_dir, batch_size)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: agent.stop())
    notify("READY=1")
    try:
        agent.run()
    finally:
        notify("STOPPING=1")
        agent.close()


@main.command()
@batch_option
@click.option(
    "--give-up-after",
    type=float,
    default=120.0,
    show_default=True,
    help="Seconds without progress (central away) before giving up.",
)
@pass_data_dir
def once(data_dir: Path, batch_size: int, give_up_after: float) -> None:
    """Upload the whole backlog now, then exit (non-zero if anything is left).

    Example: hymy-sync once
    """
    agent = _agent(data_dir, batch_size)
    try:
        before = agent.outbox.stats()
        with click.progressbar(length=before.pending, label="Uploading", file=sys.stderr) as bar:
            left = agent.drain(bar.update, give_up_after_s=give_up_after)
        quarantined = agent.outbox.stats().quarantined - before.quarantined
        refused = agent.refused
    except (RevokedError, OutboxError) as err:
        raise click.ClickException(str(err)) from None
    finally:
        agent.close()
    if left and refused:
        raise click.ClickException(describe_refusal(refused, left, datetime.now(UTC)))
    if left:
        raise click.ClickException(
            f"{left} events are still waiting; `hymy-sync status` shows the last error."
        )
    if quarantined > 0:
        click.echo(
            f"All {before.pending} events handled: {before.pending - quarantined} uploaded, "
            f"{quarantined} quarantined by the central's answer; `hymy-sync status` says why "
            "and how to send them again."
        )
    else:
        click.echo(f"All {before.pending} events uploaded.")


@main.command()
@pass_data_dir
def status(data_dir: Path) -> None:
    """Say in plain words how uploading goes: backlog, last success, last error, quarantine.

    Example: hymy-sync status
    """
    try:
        credentials = load_credentials(data_dir)
        click.echo(
            f"Kiosk {credentials.kiosk_id} at site {credentials.site}, central "
            f"{credentials.central}."
        )
    except NotEnrolledError as err:
        click.echo(str(err))
    try:
        with _existing_outbox(data_dir) as outbox:
            lines = describe(
                outbox.stats(),
                read_state(outbox),
                datetime.now(UTC),
                outbox.quarantine_summary(),
                outbox_range(outbox),
            )
    except OutboxError as err:
        raise click.ClickException(str(err)) from None
    click.echo("\n".join(lines))


def _existing_outbox(data_dir: Path) -> Outbox:
    """The kiosk's outbox, never a new one: a command that only looks must not make one.

    Raises OutboxError when there is none or it cannot be opened.
    """
    path = data_dir / OUTBOX_FILE
    if not path.exists():
        raise OutboxError(
            f"No outbox at {path}: the kiosk has not run with this data directory yet (is "
            "--data-dir or $HYMY_DATA_DIR right?)."
        )
    return Outbox.open(path)


@main.command()
@click.option("--all", "everything", is_flag=True, help="Every quarantined event.")
@click.argument("event_ids", nargs=-1, metavar="[EVENT_ID]...")
@pass_data_dir
def requeue(data_dir: Path, everything: bool, event_ids: tuple[str, ...]) -> None:
    """Send quarantined events again, once the cause the central gave is fixed (e.g. the
    service point added back to the site): they become pending, and `hymy-sync run` (or
    `once`) uploads them. `hymy-sync status` lists them with their reasons.

    Example: hymy-sync requeue --all
    """
    if everything == bool(event_ids):
        raise click.UsageError("Give --all or the ids of the events to send again (not both).")
    try:
        with _existing_outbox(data_dir) as outbox:
            moved = outbox.requeue(None if everything else event_ids)
    except OutboxError as err:
        raise click.ClickException(str(err)) from None
    click.echo(
        f"{moved} quarantined event{'' if moved == 1 else 's'} moved back to pending; the "
        "running agent sends them within a second (or run `hymy-sync once`)."
    )
    missing = len(set(event_ids)) - moved
    if missing > 0:
        raise click.ClickException(
            f"{missing} of the given ids {'is' if missing == 1 else 'are'} not quarantined "
            "(unknown, or pending or sent already); `hymy-sync status` lists the quarantined."
        )


if __name__ == "__main__":
    main()

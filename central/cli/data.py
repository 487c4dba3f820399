"""`hymy-central comment delete` and `hymy-central retention run`: the personal data the
central holds, deleted at a data-subject request or when its time is up (central.retention)."""

from __future__ import annotations

import logging
from typing import Any

import click

from central.cli import database_errors, main, open_engine, pass_settings, read, write
from central.settings import Settings

log = logging.getLogger(__name__)


@main.group()
def comment() -> None:
    """Free-text comments of feedback events."""


@comment.command("delete")
@click.argument("event_id")
@pass_settings
def comment_delete(settings: Settings, event_id: str) -> None:
    """Delete one event's comment, e.g. at a data-subject request; its rating stays.

    Example: hymy-central comment delete 0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f70
    """
    from central.retention import NoSuchEventError, delete_comment

    try:
        outcome = write(settings, lambda conn: delete_comment(conn, event_id))
    except NoSuchEventError as err:
        raise click.ClickException(str(err)) from None
    if outcome.deleted:
        log.info("comment of event %s deleted on request (its rating kept)", event_id)
        click.echo(
            f"Deleted the comment of event {event_id}; its rating stays. The kiosk deletes its "
            "own copy with the sent events after its outbox retention_days (30 by default); "
            "backups of the central hold it until they are rotated."
        )
    elif outcome.deleted_before is not None:
        click.echo(
            f"Event {event_id} has no comment: it was deleted "
            f"{outcome.deleted_before:%Y-%m-%d %H:%M} UTC."
        )
    else:
        click.echo(f"Event {event_id} has no comment: nothing to delete.")


@main.group()
def retention() -> None:
    """Deleting comments and raw events past their time (see docs/central.md, "Retention")."""


@retention.command("run")
@click.option("--dry-run", is_flag=True, help="Only count what would be deleted.")
@pass_settings
def retention_run(settings: Settings, dry_run: bool) -> None:
    """Delete free-text comments older than HYMY_CENTRAL_COMMENT_RETENTION_DAYS (default 90)
    and raw events older than HYMY_CENTRAL_EVENT_RETENTION_MONTHS (default 24); rollups stay.
    `serve` does this once a day by itself.

    Example: hymy-central retention run --dry-run
    """
    from central import retention as library

    engine = open_engine(settings)
    try:
        with database_errors(settings):
            outcome = library.run(engine, library.Policy.of(settings), dry_run=dry_run)
    finally:
        engine.dispose()
    for line in outcome.lines():
        click.echo(line)


@comment.command("find")
@click.option("--site", "site_id", required=True, help="The site the comment was given at.")
@click.option("--text", default="", help="Only comments containing this text (any case).")
@click.option(
    "--from", "first", type=click.DateTime(["%Y-%m-%d"]), help="First day (UTC), YYYY-MM-DD."
)
@click.option("--to", "last", type=click.DateTime(["%Y-%m-%d"]), help="Last day (UTC), YYYY-MM-DD.")
@pass_settings
def comment_find(settings: Settings, site_id: str, text: str, first: Any, last: Any) -> None:
    """Find the event id of a comment (for `comment delete`): id, time, rating, comment.

    Example: hymy-central comment find --site kaleva --text odotin
    """
    from central.retention import find_comments
    from central.site_store import NotFoundError, load_site

    def comments(conn):  # a mistyped site must not read as "no such comment" to a data subject
        load_site(conn, site_id)
        return find_comments(conn, site_id, text, first, last)

    try:
        found = read(settings, comments)
    except NotFoundError:
        raise click.ClickException(
            f"No site {site_id!r} at the central: `hymy-central site list` shows the ids."
        ) from None
    if not found:
        click.echo("No comment matches.")
        return
    for row in found:
        one_line = " ".join(row.comment.split())
        click.echo(f"{row.id}  {row.at:%Y-%m-%d %H:%M} UTC  rating {row.rating}  {one_line}")

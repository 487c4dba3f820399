"""Lifecycle and retention: when an API key was last used, when a site was retired, when an
event's comment was deleted, and the horizon before which the central keeps no raw events.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

COMMENTED = sa.text("comment IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table("api_keys") as batch:
        batch.add_column(sa.Column("last_used_at", sa.DateTime(timezone=True)))
    with op.batch_alter_table("sites") as batch:
        batch.add_column(sa.Column("retired_at", sa.DateTime(timezone=True)))
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("comment_deleted_at", sa.DateTime(timezone=True)))
    # The comments retention reads only the events that still have a comment, oldest first.
    op.create_index(
        "events_commented_by_received",
        "events",
        ["received_at"],
        sqlite_where=COMMENTED,
        postgresql_where=COMMENTED,
    )
    horizons = op.create_table(
        "retention_horizons",
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("kept_from", sa.DateTime(timezone=True)),
        sa.Column("updated_at", sa.DateTime(timezone=True)),
    )
    # "events" holds the horizon ingest reads; "daily-run" is claimed by the one worker of one
    # server that runs the day's retention.
    op.bulk_insert(
        horizons,
        [
            {"kind": "events", "kept_from": None, "updated_at": None},
            {"kind": "daily-run", "kept_from": None, "updated_at": None},
        ],
    )


def downgrade() -> None:
    op.drop_table("retention_horizons")
    op.drop_index("events_commented_by_received", "events")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("comment_deleted_at")
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("retired_at")
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_column("last_used_at")

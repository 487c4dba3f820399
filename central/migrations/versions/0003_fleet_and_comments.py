"""Heartbeats on devices; comments of feedback events kept apart for listing.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("devices") as batch:
        batch.add_column(sa.Column("heartbeat", sa.Text))
        batch.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True)))
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("comment", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_column("comment")
    with op.batch_alter_table("devices") as batch:
        batch.drop_column("heartbeat_at")
        batch.drop_column("heartbeat")

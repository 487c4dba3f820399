"""Sites, devices, enrolment codes and events.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sites",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("config", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "devices",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("site_id", sa.String(64), sa.ForeignKey("sites.id"), nullable=False),
        sa.Column("kiosk_id", sa.String(64), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("range_slot", sa.Integer, nullable=False),
        sa.Column("enrolled_at", TZ, nullable=False),
        sa.Column("revoked_at", TZ),
        sa.Column("last_seen_at", TZ),
    )
    op.create_table(
        "enroll_codes",
        sa.Column("code_hash", sa.String(64), primary_key=True),
        sa.Column("site_id", sa.String(64), sa.ForeignKey("sites.id"), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.Column("used_at", TZ),
        sa.Column("device_id", sa.String(36)),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("site_id", sa.String(64), sa.ForeignKey("sites.id"), nullable=False),
        sa.Column("device_id", sa.String(36), sa.ForeignKey("devices.id"), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("occurred_at", TZ, nullable=False),
        sa.Column("corrected_at", TZ, nullable=False),
        sa.Column("clock_suspect", sa.Boolean, nullable=False),
        sa.Column("service_point", sa.String(64)),
        sa.Column("rating", sa.SmallInteger),
        sa.Column("reason", sa.String(64)),
        sa.Column("misuse", sa.Boolean),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("received_at", TZ, nullable=False),
        sa.Column("batch_id", sa.String(36), nullable=False),
    )
    op.create_index("events_by_site_time", "events", ["site_id", "corrected_at"])


def downgrade() -> None:
    op.drop_index("events_by_site_time", "events")
    for table in ("events", "enroll_codes", "devices", "sites"):
        op.drop_table(table)

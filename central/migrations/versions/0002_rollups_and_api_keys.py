"""Hourly rollups for reports, and API keys for people.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def _count(name: str) -> sa.Column:
    return sa.Column(name, sa.Integer, nullable=False, server_default="0")


def upgrade() -> None:
    op.create_table(
        "rollups",
        sa.Column("site_id", sa.String(64), primary_key=True),
        sa.Column("service_point", sa.String(64), primary_key=True),
        sa.Column("hour", TZ, primary_key=True),
        *(_count(f"r{n}") for n in (1, 2, 3, 4)),
        *(_count(f"m{n}") for n in (1, 2, 3, 4)),
        _count("checkins"),
    )
    op.create_table(
        "reason_rollups",
        sa.Column("site_id", sa.String(64), primary_key=True),
        sa.Column("service_point", sa.String(64), primary_key=True),
        sa.Column("hour", TZ, primary_key=True),
        sa.Column("reason", sa.String(64), primary_key=True),
        sa.Column("misuse", sa.Boolean, primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("sites", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("revoked_at", TZ),
    )


def downgrade() -> None:
    for table in ("api_keys", "reason_rollups", "rollups"):
        op.drop_table(table)

"""Scheduled reports: who gets which site's PDF how often (report_subscriptions), and what was
sent for which period (report_sends).

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_subscriptions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("person_id", sa.String(36), sa.ForeignKey("people.id"), nullable=False),
        sa.Column("scope", sa.String(64), nullable=False),
        sa.Column("frequency", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(36), nullable=False),
    )
    op.create_index(
        "report_subscriptions_once",
        "report_subscriptions",
        ["person_id", "scope", "frequency"],
        unique=True,
    )
    op.create_table(
        "report_sends",
        sa.Column("subscription_id", sa.String(36), primary_key=True),
        sa.Column("period_first", sa.Date, primary_key=True),
        sa.Column("period_last", sa.Date, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("claim", sa.String(36), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("delivery_id", sa.String(36)),
        sa.Column("person_id", sa.String(36), nullable=False),
        sa.Column("sites", sa.Text, nullable=False),
    )
    op.create_index("report_sends_by_state", "report_sends", ["state", "claimed_at"])


def downgrade() -> None:
    op.drop_index("report_sends_by_state", table_name="report_sends")
    op.drop_table("report_sends")
    op.drop_index("report_subscriptions_once", table_name="report_subscriptions")
    op.drop_table("report_subscriptions")

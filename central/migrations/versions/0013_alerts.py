"""Alerts: rules per site (alert_rules), who hears of them (alert_recipients), the episodes
(alerts) and the timer's claim (alert_timer).

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_rules",
        sa.Column("site_id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("params", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(36)),
    )
    op.create_table(
        "alert_recipients",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("site_id", sa.String(64), nullable=False),
        sa.Column("person_id", sa.String(36), sa.ForeignKey("people.id")),
        sa.Column("url", sa.Text),
        sa.Column("secret", sa.Text),
        sa.Column("style", sa.String(16)),
        sa.Column("language", sa.String(8)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(36)),
    )
    op.create_index("alert_recipients_by_site", "alert_recipients", ["site_id"])
    op.create_table(
        "alerts",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("site_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("device_id", sa.String(36)),
        sa.Column("kiosk_id", sa.String(64)),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cleared_at", sa.DateTime(timezone=True)),
        sa.Column("facts", sa.Text, nullable=False),
        sa.Column("clear_facts", sa.Text),
        sa.Column("acknowledged_by", sa.String(320)),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True)),
        sa.Column("ack_comment", sa.Text),
    )
    op.create_index(
        "alerts_one_open",
        "alerts",
        ["site_id", "kind", "subject"],
        unique=True,
        sqlite_where=sa.text("cleared_at IS NULL"),
        postgresql_where=sa.text("cleared_at IS NULL"),
    )
    op.create_index("alerts_by_site_time", "alerts", ["site_id", "opened_at"])
    op.create_index("alerts_by_episode", "alerts", ["site_id", "kind", "subject", "cleared_at"])
    timer = op.create_table(
        "alert_timer",
        sa.Column("name", sa.String(16), primary_key=True),
        sa.Column("ran_at", sa.DateTime(timezone=True)),
    )
    op.bulk_insert(timer, [{"name": "round", "ran_at": None}])


def downgrade() -> None:
    op.drop_table("alert_timer")
    op.drop_index("alerts_by_episode", table_name="alerts")
    op.drop_index("alerts_by_site_time", table_name="alerts")
    op.drop_index("alerts_one_open", table_name="alerts")
    op.drop_table("alerts")
    op.drop_index("alert_recipients_by_site", table_name="alert_recipients")
    op.drop_table("alert_recipients")
    op.drop_table("alert_rules")

"""Responses to the national question set: the answer's set, version, question, scale, value
and visit on events, and their counts per local day (daily_answer_rollups).

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

RESPONSE_COLUMNS = (
    ("question_set", sa.String(64)),
    ("set_version", sa.Integer),
    ("question", sa.String(64)),
    ("scale", sa.String(16)),
    ("answer", sa.SmallInteger),
    ("visit", sa.String(36)),
)


def upgrade() -> None:
    for name, kind in RESPONSE_COLUMNS:
        op.add_column("events", sa.Column(name, kind))
    op.create_table(
        "daily_answer_rollups",
        sa.Column("site_id", sa.String(64), primary_key=True),
        sa.Column("service_point", sa.String(64), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("question_set", sa.String(64), primary_key=True),
        sa.Column("set_version", sa.Integer, primary_key=True),
        sa.Column("question", sa.String(64), primary_key=True),
        sa.Column("scale", sa.String(16), primary_key=True),
        sa.Column("answer", sa.SmallInteger, primary_key=True),
        sa.Column("misuse", sa.Boolean, primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("daily_answer_rollups")
    with op.batch_alter_table("events") as batch:
        for name, _kind in reversed(RESPONSE_COLUMNS):
            batch.drop_column(name)

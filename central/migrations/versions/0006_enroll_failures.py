"""Failed enrolments, for the rate limit per client address and per site.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "enroll_failures",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("site_id", sa.String(64)),
        sa.Column("reason", sa.String(32), nullable=False),
    )
    op.create_index("enroll_failures_by_address", "enroll_failures", ["address", "at"])
    op.create_index("enroll_failures_by_site", "enroll_failures", ["site_id", "at"])
    op.create_index("enroll_failures_by_time", "enroll_failures", ["at"])


def downgrade() -> None:
    op.drop_table("enroll_failures")

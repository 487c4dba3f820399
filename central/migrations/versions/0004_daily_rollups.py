"""Daily rollups by the site's local date, filled from the hourly ones.

Revision ID: 0004
Revises: 0003
"""

from collections import Counter
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

COUNTS = ("r1", "r2", "r3", "r4", "m1", "m2", "m3", "m4", "checkins")


def _count(name: str) -> sa.Column:
    return sa.Column(name, sa.Integer, nullable=False, server_default="0")


def upgrade() -> None:
    daily = op.create_table(
        "daily_rollups",
        sa.Column("site_id", sa.String(64), primary_key=True),
        sa.Column("service_point", sa.String(64), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        *(_count(c) for c in COUNTS),
    )
    daily_reasons = op.create_table(
        "daily_reason_rollups",
        sa.Column("site_id", sa.String(64), primary_key=True),
        sa.Column("service_point", sa.String(64), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("reason", sa.String(64), primary_key=True),
        sa.Column("misuse", sa.Boolean, primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
    )
    conn = op.get_bind()
    zones = {
        row.id: ZoneInfo(row.timezone)
        for row in conn.execute(sa.text("SELECT id, timezone FROM sites"))
    }

    def day_of(site: str, hour: datetime | str) -> date:
        if isinstance(hour, str):  # SQLite answers a text query with text
            hour = datetime.fromisoformat(hour)
        hour = hour if hour.tzinfo else hour.replace(tzinfo=UTC)
        return hour.astimezone(zones[site]).date()

    counts: dict[tuple, Counter] = {}
    for row in conn.execute(
        sa.text(f"SELECT site_id, service_point, hour, {', '.join(COUNTS)} FROM rollups")
    ):
        key = (row.site_id, row.service_point, day_of(row.site_id, row.hour))
        counts.setdefault(key, Counter()).update({c: getattr(row, c) for c in COUNTS})
    if counts:
        op.bulk_insert(
            daily,
            [
                {"site_id": s, "service_point": p, "day": d, **{c: n[c] for c in COUNTS}}
                for (s, p, d), n in counts.items()
            ],
        )
    reasons: Counter = Counter()
    for row in conn.execute(
        sa.text("SELECT site_id, service_point, hour, reason, misuse, count FROM reason_rollups")
    ):
        reasons[
            (
                row.site_id,
                row.service_point,
                day_of(row.site_id, row.hour),
                row.reason,
                bool(row.misuse),
            )
        ] += row.count
    if reasons:
        op.bulk_insert(
            daily_reasons,
            [
                {"site_id": s, "service_point": p, "day": d, "reason": r, "misuse": m, "count": n}
                for (s, p, d, r, m), n in reasons.items()
            ],
        )


def downgrade() -> None:
    op.drop_table("daily_reason_rollups")
    op.drop_table("daily_rollups")

"""Feedback per local day by the visitor's language, filled from the events the central still
holds (those retention already removed were counted before languages were).

Revision ID: 0010
Revises: 0009
"""

from collections import Counter
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

LEFT_OUT_OF_ROLLUPS = ("time-implausible",)  # central.flags as of this revision


def upgrade() -> None:
    table = op.create_table(
        "daily_language_rollups",
        sa.Column("site_id", sa.String(64), primary_key=True),
        sa.Column("service_point", sa.String(64), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("language", sa.String(16), primary_key=True),
        sa.Column("misuse", sa.Boolean, primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
    )
    conn = op.get_bind()
    zones = {
        row.id: ZoneInfo(row.timezone)
        for row in conn.execute(sa.text("SELECT id, timezone FROM sites"))
    }
    counts: Counter = Counter()
    rows = conn.execute(
        sa.text(
            "SELECT site_id, service_point, corrected_at, language, misuse, flag FROM events "
            "WHERE type = 'feedback'"
        )
    )
    for row in rows:
        if row.flag in LEFT_OUT_OF_ROLLUPS or row.site_id not in zones:
            continue
        moment = row.corrected_at
        if isinstance(moment, str):  # SQLite answers a text query with text
            moment = datetime.fromisoformat(moment)
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        day = moment.astimezone(zones[row.site_id]).date()
        key = (row.site_id, row.service_point or "", day, row.language or "", bool(row.misuse))
        counts[key] += 1
    if counts:
        op.bulk_insert(
            table,
            [
                {
                    "site_id": s,
                    "service_point": p,
                    "day": d,
                    "language": lang,
                    "misuse": m,
                    "count": n,
                }
                for (s, p, d, lang, m), n in counts.items()
            ],
        )


def downgrade() -> None:
    op.drop_table("daily_language_rollups")

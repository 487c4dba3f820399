"""Migrations: an empty database comes up to the newest schema; the daily rollups are filled from
the hourly ones already there, by each site's local date."""

from __future__ import annotations

from datetime import UTC, date, datetime

from alembic import command
from alembic.config import Config
from sqlalchemy import insert, select

from central.db import make_engine, upgrade, write_transaction
from central.tables import daily_rollups, rollups, sites


def test_daily_rollups_are_filled_from_hourly_ones(db_url):
    engine = make_engine(db_url)
    config = Config()
    config.set_main_option("script_location", "central:migrations")
    with write_transaction(engine) as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0003")
        conn.execute(
            insert(sites).values(
                id="kaleva", timezone="Europe/Helsinki", config="{}", created_at=datetime.now(UTC)
            )
        )
        # 21:00 UTC on 1 June is 00:00 on 2 June in Helsinki (UTC+3).
        for hour, r4 in (
            (datetime(2026, 6, 1, 20, tzinfo=UTC), 2),
            (datetime(2026, 6, 1, 21, tzinfo=UTC), 3),
            (datetime(2026, 6, 2, 5, tzinfo=UTC), 1),
        ):
            conn.execute(
                insert(rollups).values(
                    site_id="kaleva",
                    service_point="",
                    hour=hour,
                    r1=0,
                    r2=0,
                    r3=0,
                    r4=r4,
                    m1=0,
                    m2=0,
                    m3=0,
                    m4=0,
                    checkins=0,
                )
            )
    upgrade(engine)
    upgrade(engine)  # idempotent
    with engine.connect() as conn:
        days = {row.day: row.r4 for row in conn.execute(select(daily_rollups))}
    engine.dispose()
    assert days == {date(2026, 6, 1): 2, date(2026, 6, 2): 4}

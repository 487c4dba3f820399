"""Alembic migrations of the central's database (script location `central:migrations`)."""

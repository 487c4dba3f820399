"""`hymy-central serve`: the API under uvicorn, with one worker or several."""

from __future__ import annotations

import os

import click

from central import db
from central.cli import main, open_engine, pass_settings
from central.settings import Settings


@main.command()
@click.option("--host", default=None, help="Address to listen on (default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default 8080).")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Worker processes; with more than one the migrations run once before they start.",
)
@pass_settings
def serve(base: Settings, host: str | None, port: int | None, workers: int) -> None:
    """Serve the API with uvicorn.

    Example: hymy-central --db postgresql://hymy@localhost/hymy serve --host 0.0.0.0 --workers 4
    """
    import uvicorn

    from central.app import create_app

    settings = Settings(
        **{**base.__dict__, **{k: v for k, v in (("host", host), ("port", port)) if v}}
    )
    try:
        db.normalize_url(settings.database_url)
    except db.DatabaseError as err:
        raise click.ClickException(str(err)) from None
    options = {"host": settings.host, "port": settings.port, "log_level": "info"}
    if workers == 1:
        uvicorn.run(create_app(settings), proxy_headers=True, **options)
        return
    # Each worker process builds its own app from the environment; the schema is brought up to
    # date here first, so the workers never race in the migrations.
    engine = open_engine(settings)
    engine.dispose()
    os.environ.update(settings.environment())
    uvicorn.run(
        "central.app:app_from_env", factory=True, workers=workers, proxy_headers=True, **options
    )

"""The central's FastAPI app, built by `create_app(settings)`; nothing is opened at import."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from central import db, retention
from central.api import enroll, events, fleet, health, problems, reports
from central.api.admission import IngestGate
from central.api.body_limit import BodyLimit
from central.enrollment import sites_in_unsupported_zones
from central.settings import Settings

log = logging.getLogger(__name__)


def create_app(settings: Settings) -> FastAPI:
    """The app; its database is migrated to the newest schema when it starts."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = db.make_engine(settings.database_url)
        db.upgrade(engine)
        with engine.connect() as conn:
            for site, problem in sites_in_unsupported_zones(conn).items():
                log.warning("site %s is not reported until its zone changes: %s", site, problem)
        app.state.engine = engine
        app.state.ingest_gate = IngestGate(settings.max_concurrent_ingests, settings.ingest_wait_s)
        retention.start_daily(app)  # comments and raw events past their time, once a day
        yield
        engine.dispose()

    app = FastAPI(title="Hymy central", version="1", lifespan=lifespan)
    app.state.settings = settings
    problems.install(app)
    # Every body is bounded while it is read; a batch may be larger than the rest.
    app.add_middleware(
        BodyLimit, limits={"/api/v1/events": (events.MAX_BODY_BYTES, events.TOO_LARGE)}
    )
    for module in (health, enroll, events, fleet, reports):
        app.include_router(module.router)
    return app


def app_from_env() -> FastAPI:
    """The app of one worker process of `hymy-central serve --workers N` (settings from the
    HYMY_CENTRAL_* variables the command set)."""
    return create_app(Settings.from_env())

"""The central's FastAPI app, built by `create_app(settings)`; nothing is opened at import."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from central import alerts, db, deliveries, metrics, report_mail, retention, web
from central.api import config, enroll, events, fleet, health, odata, openapi, problems, reports
from central.api import metrics as metrics_api
from central.api.admission import IngestGate, shared_slots
from central.api.body_limit import BodyLimit
from central.oidc_config import load_oidc_file
from central.settings import Settings
from central.site_store import sites_in_unsupported_zones

log = logging.getLogger(__name__)


def create_app(settings: Settings) -> FastAPI:
    """The app. When it starts, an empty database gets the newest schema; an older or newer
    one stops it with db.SchemaError (migrating is `hymy-central db upgrade`).

    Raises central.settings.SettingsError for a single sign-on file that cannot be used.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = db.make_engine(settings.database_url)
        try:
            db.ensure_schema(engine)  # under the migration lock: workers create it once
            with engine.connect() as conn:
                for site, problem in sites_in_unsupported_zones(conn).items():
                    log.warning("site %s is not reported until its zone changes: %s", site, problem)
        except BaseException:
            engine.dispose()
            raise
        app.state.engine = engine
        # The busy limit is the database's: shared with every worker and server on it.
        slots = shared_slots(engine, settings.database_url, settings.max_concurrent_ingests)
        app.state.ingest_gate = IngestGate(
            settings.max_concurrent_ingests, settings.ingest_wait_s, slots
        )
        retention.start_daily(app)  # comments and raw events past their time, once a day
        report_mail.start_scheduler(app)  # weekly and monthly PDFs by e-mail, when due
        deliveries.start_worker(app)  # e-mails and webhook calls queued, sent and retried
        alerts.start(app)  # alert rules after arrivals and on a timer (claimed in the database)
        try:
            yield
        finally:
            app.state.ingest_gate.close()
            engine.dispose()
            metrics.worker_exited()

    app = FastAPI(title="Hymy central", version="1", lifespan=lifespan)
    app.state.settings = settings
    # Single sign-on (central.web.sso), when set: read here, so a broken file stops the start.
    app.state.oidc = load_oidc_file(settings.oidc_file) if settings.oidc_file else None
    problems.install(app)
    openapi.install(app)  # the truthful /openapi.json, /docs from the package
    # Every body is bounded while it is read; a batch may be larger than the rest.
    app.add_middleware(
        BodyLimit, limits={"/api/v1/events": (events.MAX_BODY_BYTES, events.TOO_LARGE)}
    )
    app.add_middleware(metrics.RequestMetrics)  # outermost: counts what BodyLimit refuses too
    for module in (health, metrics_api, enroll, events, fleet, config, reports, odata):
        app.include_router(module.router)
    web.install(app)  # the console for people, at / (sign-in at /login)
    return app


def app_from_env() -> FastAPI:
    """The app of one worker process of `hymy-central serve --workers N` (settings from the
    HYMY_CENTRAL_* variables the command set)."""
    return create_app(Settings.from_env())

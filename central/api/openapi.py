"""The OpenAPI document as the central really behaves, and the interactive docs served from the
package (no CDN): `install(app)` is called once by `create_app`.

What the document gains over FastAPI's own:
- `info.version` is the installed package's version;
- every error is a Problem (RFC 9457, application/problem+json): the routes name their statuses
  with `central.api.problems.problem_responses`, and what holds for every route is added here:
  FastAPI's 422 becomes a Problem, a route that takes a body may answer 413 (the body limit of
  central.api.body_limit), a route that reads the database may answer 503 with Retry-After when
  it cannot (central.api.problems);
- the bearer schemes of central.api.deps (DeviceToken, ApiKey) instead of a header parameter.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

import fastapi.routing
from fastapi import FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from starlette.routing import Route
from starlette.staticfiles import StaticFiles

from central.api.deps import get_db
from central.api.problems import Problem, problem_response_doc

STATIC_PATH = "/static/swagger-ui"
DOCS_PATH = "/docs"
# FastAPI's own docs pages load their scripts from a CDN: replaced by ours, or left out (ReDoc).
FASTAPI_DOC_PATHS = {"/docs", "/docs/oauth2-redirect", "/redoc"}
DESCRIPTION = (
    "The central of Hymy: kiosks enrol, send their events and heartbeats and fetch their "
    "config with a device token; people read the fleet and reports with an API key. Every "
    "error is a problem document (RFC 9457, application/problem+json) whose `detail` says what "
    "to do. A request body over its endpoint's limit is answered 413, whatever the endpoint."
)


def package_version() -> str:
    """The installed version of the distribution `hymy` (what `hymy-central --version` says)."""
    try:
        return version("hymy")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "0+unknown"


def _uses_database(dependant: Dependant) -> bool:
    return any(d.call is get_db or _uses_database(d) for d in dependant.dependencies)


def _operations(app: FastAPI) -> dict[tuple[str, str], Any]:
    """Each (path, method) of the document and its route (as FastAPI sees it: since 0.13x an
    included router's routes are reached through fastapi.routing.iter_route_contexts)."""
    contexts = getattr(fastapi.routing, "iter_route_contexts", None)
    found: dict[tuple[str, str], Any] = {}
    for route in contexts(app.routes) if contexts else app.routes:
        original = getattr(route, "original_route", route)
        if isinstance(original, APIRoute) and route.include_in_schema:
            for method in route.methods:
                found[(route.path_format, method.lower())] = route
    return found


def _is_validation_error(response: dict[str, Any]) -> bool:
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    return schema.get("$ref", "").endswith("/HTTPValidationError")


def complete(document: dict[str, Any], app: FastAPI) -> dict[str, Any]:
    """`document` (FastAPI's) with the statuses and schemas every route shares; see the module."""
    routes = _operations(app)
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            if "422" in responses and _is_validation_error(responses["422"]):
                responses["422"] = problem_response_doc(422)
            if "requestBody" in operation and "413" not in responses:
                responses["413"] = problem_response_doc(413)
            route = routes.get((path, method))
            if route is not None and _uses_database(route.dependant) and "503" not in responses:
                responses["503"] = problem_response_doc(503)
            operation["responses"] = dict(sorted(responses.items()))
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = Problem.model_json_schema()
    text = str(document["paths"])
    for unused in ("HTTPValidationError", "ValidationError"):
        if f"/{unused}'" not in text:
            schemas.pop(unused, None)
    return document


def install(app: FastAPI) -> None:
    """The truthful /openapi.json, /docs from the package's Swagger UI, no /redoc."""
    app.version = package_version()
    app.description = DESCRIPTION

    fastapis_own = app.openapi  # builds from app's title, version, servers... and caches

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete(fastapis_own(), app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    app.router.routes[:] = [
        r for r in app.router.routes if not (isinstance(r, Route) and r.path in FASTAPI_DOC_PATHS)
    ]
    app.docs_url = app.redoc_url = app.swagger_ui_oauth2_redirect_url = None
    app.mount(
        STATIC_PATH,
        StaticFiles(packages=[("central", "static/swagger-ui")]),
        name="swagger-ui",
    )

    @app.get(DOCS_PATH, include_in_schema=False)
    async def docs(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")  # behind a proxy's path prefix
        return get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} {app.version}",
            swagger_js_url=f"{root}{STATIC_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{STATIC_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{root}{STATIC_PATH}/favicon-32x32.png",
            # The online validator badge would send the document to validator.swagger.io.
            swagger_ui_parameters={"validatorUrl": None},
        )

"""GET /api/v1/odata/: the OData v4 feed for Power BI and Excel (docs/data-feeds.md).

The service document at the root, the CSDL at `$metadata`, each entity set at its name (and
`NAME/$count`). Behind an API key of an admin (every site) or a manager (its sites): as
`Authorization: Bearer <key>`, or HTTP Basic with the key as the password (the user name is
not used), which is what the OData dialogs of Power BI and Excel offer. Every answer carries
`OData-Version: 4.0`; errors are OData's JSON error bodies. Query options are checked and
applied by central.odata.query, the rows come from central.feeds.

Not in /openapi.json: the feed describes itself in `$metadata`, as OData clients expect.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from sqlalchemy import Connection

from central.access import Caller, caller_for_key
from central.api.deps import Db
from central.feeds import Period, entity_rows, readable_sites
from central.logs import audit_key_refused, audit_key_used
from central.odata import ODataError
from central.odata.model import ENTITY_SETS, EntitySet, csdl_xml, service_document
from central.odata.query import (
    PAGE_SIZE,
    context_url,
    count_matches,
    narrowing,
    next_link,
    page,
    parse_options,
)

PREFIX = "/api/v1/odata"
router = APIRouter(prefix=PREFIX, include_in_schema=False)
JSON_TYPE = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false"
XML_TYPE = "application/xml"
VERSION = {"OData-Version": "4.0"}
CHALLENGES = ('Basic realm="Hymy central", charset="UTF-8"', 'Bearer realm="Hymy central"')
MAX_PAGE = re.compile(r"odata\.maxpagesize\s*=\s*(\d+)", re.IGNORECASE)


class FeedError(Exception):
    """An answer other than 400: status, OData error code, sentence."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _error(status: int, code: str, message: str, target: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {"error": {"code": code, "message": message}}
    if target:
        body["error"]["target"] = target
    response = JSONResponse(body, status_code=status, media_type=JSON_TYPE, headers=VERSION)
    if status == 401:
        for challenge in CHALLENGES:
            response.headers.append("WWW-Authenticate", challenge)
    return response


def _key(request: Request) -> str | None:
    """The API key of a Bearer or Basic Authorization header (Basic: the password, else the
    user name when the password is empty)."""
    scheme, _, value = request.headers.get("authorization", "").strip().partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer":
        return value or None
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        user, _, password = decoded.partition(":")
        return password.strip() or user.strip() or None
    return None


def _caller(request: Request, db: Connection) -> Caller:
    key = _key(request)
    if key is None:
        raise FeedError(
            401,
            "Unauthorized",
            "Send an API key (hymy-central api-key create): as 'Authorization: Bearer <key>', "
            "or in Power BI and Excel choose Basic with the key as the password.",
        )
    caller = caller_for_key(db, key)
    if caller is None:
        audit_key_refused(request)
        raise FeedError(
            401,
            "Unauthorized",
            "Unknown or revoked API key; ask an admin for one (hymy-central api-key create).",
        )
    audit_key_used(request, caller)
    if not caller.reads_reports:
        raise FeedError(
            403, "Forbidden", f"A key of role {caller.role!r} reads no reports: use a manager key."
        )
    return caller


def _check_version(request: Request) -> None:
    for header in ("OData-MaxVersion", "OData-Version"):
        given = request.headers.get(header)
        if given is None:
            continue
        try:
            version = float(given.strip().split(",")[0])
        except ValueError:
            version = 0.0
        if version < 4.0 or (header == "OData-Version" and version >= 5.0):
            raise ODataError(
                "UnsupportedVersion",
                f"{header}: {given}: this feed speaks OData 4.0; send OData-MaxVersion: 4.0.",
                header,
            )


def _service_root(request: Request) -> str:
    return f"{str(request.base_url).rstrip('/')}{PREFIX}/"


def _page_size(request: Request) -> tuple[int, dict[str, str]]:
    found = MAX_PAGE.search(request.headers.get("prefer", ""))
    if not found:
        return PAGE_SIZE, {}
    size = max(1, min(int(found.group(1)), PAGE_SIZE))
    return size, {"Preference-Applied": f"odata.maxpagesize={size}"}


def _answer(request: Request, db: Connection, work: Any) -> Response:
    """Checks the version headers and the key, then `work(caller)`; errors as OData bodies."""
    try:
        _check_version(request)
        return work(_caller(request, db))
    except ODataError as err:
        return _error(400, err.code, err.message, err.target)
    except FeedError as err:
        return _error(err.status, err.code, err.message)


def _entity_set(name: str) -> EntitySet:
    if name in ENTITY_SETS:
        return ENTITY_SETS[name]
    if "(" in name and name.split("(")[0] in ENTITY_SETS:
        raise ODataError(
            "UnsupportedPath",
            f"{name}: single entities by key are not supported; read the set with a $filter "
            "on its key instead.",
        )
    raise FeedError(
        404, "NotFound", f"No entity set {name!r}; the feed has {', '.join(ENTITY_SETS)}."
    )


def _scope(caller: Caller) -> list[str] | None:
    return None if caller.role == "admin" else list(caller.sites)


def _matching(db: Connection, caller: Caller, entity_set: EntitySet, request: Request):
    options = parse_options(list(request.query_params.multi_items()), entity_set)
    narrowed = narrowing(options.filter, entity_set)
    records = readable_sites(db, _scope(caller))
    if narrowed.sites is not None:
        records = {s: r for s, r in records.items() if s in narrowed.sites}
    rows = entity_rows(db, entity_set.name, records, Period(narrowed.first, narrowed.last))
    return options, rows


@router.get("")
@router.get("/")
def feed_root(request: Request, db: Db) -> Response:
    """The service document: the entity sets."""

    def work(_caller: Caller) -> Response:
        return JSONResponse(
            service_document(_service_root(request)), media_type=JSON_TYPE, headers=VERSION
        )

    return _answer(request, db, work)


@router.get("/$metadata")
def feed_metadata(request: Request, db: Db) -> Response:
    """The CSDL XML document: entity types, keys, Edm types."""

    def work(_caller: Caller) -> Response:
        if request.query_params.get("$format", "xml").lower() not in ("xml", "application/xml"):
            raise ODataError(
                "UnsupportedFormat", "$metadata is served as CSDL XML only.", "$format"
            )
        return Response(csdl_xml(), media_type=XML_TYPE, headers=VERSION)

    return _answer(request, db, work)


@router.get("/{name}/$count")
def feed_count(name: str, request: Request, db: Db) -> Response:
    """How many rows of the set match $filter, as plain text."""

    def work(caller: Caller) -> Response:
        entity_set = _entity_set(name)
        options, rows = _matching(db, caller, entity_set, request)
        return PlainTextResponse(str(count_matches(rows, options, entity_set)), headers=VERSION)

    return _answer(request, db, work)


@router.get("/{name}")
def feed_entity_set(name: str, request: Request, db: Db) -> Response:
    """One page of an entity set, with @odata.nextLink when more follow."""

    def work(caller: Caller) -> Response:
        entity_set = _entity_set(name)
        options, rows = _matching(db, caller, entity_set, request)
        size, applied = _page_size(request)
        found = page(rows, options, entity_set, page_size=size)
        root = _service_root(request)
        body: dict[str, Any] = {"@odata.context": context_url(root, entity_set, options)}
        if found.count is not None:
            body["@odata.count"] = found.count
        body["value"] = found.rows
        if found.next_skiptoken is not None:
            body["@odata.nextLink"] = next_link(
                f"{root}{entity_set.name}", options, found.next_skiptoken
            )
        return JSONResponse(body, media_type=JSON_TYPE, headers={**VERSION, **applied})

    return _answer(request, db, work)

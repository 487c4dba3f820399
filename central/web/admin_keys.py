"""`/admin/api-keys` (admins): the API keys for programs and scripts, made (the key shown
once: only its hash is kept) and revoked, with the rules of `hymy-central api-key ...`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import Connection

from central.access import ROLES, ApiKeyError, create_api_key, list_api_keys, revoke_api_key
from central.api.deps import Db, run_write
from central.logs import audit, client_address
from central.site_store import list_sites
from central.web.admin_people import access_problems
from central.web.pages import form_page
from central.web.session import FormSession, require_role
from central.web.templating import gettext_for
from central.web_sessions import WebSession

router = APIRouter(include_in_schema=False)
AdminSession = Annotated[WebSession, Depends(require_role("admin"))]


def _keys_page(
    request: Request, db: Connection, status_code: int = 200, **context: Any
) -> Response:
    return form_page(
        request,
        db,
        "admin_keys.html",
        status_code,
        nav="admin-keys",
        keys=list_api_keys(db),
        sites=list_sites(db),
        roles=ROLES,
        **context,
    )


@router.get("/admin/api-keys")
def keys_page(request: Request, db: Db, session: AdminSession) -> Response:
    """Every API key (never the key itself), and a form to make one."""
    return _keys_page(request, db)


@router.post("/admin/api-keys")
async def create(request: Request, db: Db, session: FormSession, _admin: AdminSession) -> Response:
    """A new key for a role and sites, shown once."""
    _ = gettext_for(request)
    form = await request.form()
    role = str(form.get("role") or "")
    sites = [str(s) for s in form.getlist("sites")]
    posted = {"role": [role], "sites": sites}
    problems = access_problems(_, db, role, sites)
    if problems:
        return _keys_page(request, db, 422, posted=posted, problems=problems)
    try:
        key, key_id = await run_write(request, lambda conn: create_api_key(conn, role, sites))
    except ApiKeyError as err:
        return _keys_page(request, db, 422, posted=posted, problems={"general": str(err)})
    audit(
        "api_key_created",
        f"API key {key_id} ({role}) made by {session.person.email} in the console",
        key_id=key_id,
        role=role,
        sites=sorted(set(sites)),
        by=session.person.email,
        client=client_address(request),
    )
    return _keys_page(request, db, new_key=key, new_key_id=key_id)


@router.post("/admin/api-keys/{key_id}/revoke")
async def revoke(
    request: Request, db: Db, session: FormSession, _admin: AdminSession, key_id: str
) -> Response:
    """Revoke a key: requests with it are refused (401) from the next one on."""
    _ = gettext_for(request)
    try:
        revoked = await run_write(request, lambda conn: revoke_api_key(conn, key_id))
    except ApiKeyError:
        return _keys_page(request, db, 404, problems={"general": _("There is no such API key.")})
    if revoked:
        audit(
            "revoked",
            f"API key {key_id} revoked by {session.person.email} in the console",
            key_id=key_id,
            by=session.person.email,
            client=client_address(request),
        )
    return _keys_page(
        request,
        db,
        notice=_("API key %(id)s is revoked: requests with it are refused.") % {"id": key_id},
    )

"""`/admin/sites` and `/admin/sites/{site}` (admins): the sites, each site's names, time zone,
service points and reasons edited in a form or as its site file, new sites from a pasted site
file, and one-time enrolment codes for new kiosks.

Every change goes through the rules and the library of `hymy-central site add|update`
(central.sites.checked_site, central.site_store.save_site/update_site): what a form leaves out
is kept as retired, and the kiosks get the change with their next GET /api/v1/config. Nothing
is saved while the form has a problem; the page shows each problem next to its field and keeps
what the person typed. "Preview" shows the changes (central.site_changes) unsaved.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Connection

from central.api.deps import Db, run_write
from central.enrollment import create_enroll_code
from central.logs import audit, client_address
from central.site_changes import site_changes
from central.site_form import FORM_LANGUAGES, SiteFormError, Sources, edited_site, field_for
from central.site_store import (
    NotFoundError,
    SiteRetiredError,
    list_sites,
    load_site,
    save_site,
    site_retired_at,
    update_site,
)
from central.sites import (
    SiteDefinition,
    SiteError,
    checked_site,
    parse_site,
    site_toml,
)
from central.web.session import FormSession, PageError, require_role
from central.web.templating import gettext_for, render
from central.web_sessions import WebSession
from hymy_domain.site_message import MESSAGE_MAX_CHARS

router = APIRouter(include_in_schema=False)
AdminSession = Annotated[WebSession, Depends(require_role("admin"))]
MAX_SITE_FILE = 200_000  # characters of a pasted site file; a real one has a few thousand
ZONES = ("Europe/Helsinki", "Europe/Mariehamn", "Europe/Stockholm", "Europe/Tallinn", "UTC")


class Problems:
    """What is wrong with a submitted form: messages by field, and those of the whole form."""

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}
        self.general: list[str] = []

    def __bool__(self) -> bool:
        return bool(self.fields or self.general)

    def add(self, field: str | None, message: str) -> None:
        if field is None:
            self.general.append(message)
        else:
            self.fields.setdefault(field, message)


def _message(_: Callable[[str], str], location: tuple[Any, ...], kind: str, raw: str) -> str:
    """A problem in the person's words, from its key and pydantic's kind; else the rule's own."""
    key = next((str(p) for p in reversed(location) if isinstance(p, str)), "")
    if kind in ("missing", "string_too_short") and key != "ratings":
        return _("Fill this in.")
    if key == "prefix":
        if kind == "unique":
            return _("Another service point offered has this letter: give each its own.")
        return _("One capital letter A–Z, which starts the queue numbers (L023).")
    if key == "id":
        if kind == "unique":
            return _("Another service point has this id: give each its own.")
        if kind == "string_too_long":
            return _("At most 64 characters.")
        return _("Lowercase letters a–z, digits and hyphens, such as waiting-time.")
    if key == "ratings":
        return _("Choose at least one rating the reason is offered for.")
    if key == "timezone":
        if kind == "timezone":
            return _(
                "This time zone is not a whole number of hours from UTC, so the reports "
                "could not count its hours: choose one such as Europe/Helsinki."
            )
        return _("Not a time zone: give one such as Europe/Helsinki.")
    if location == ("service_points",):
        return _("A site offers at least one service point: keep one in service.")
    if kind == "no_name":
        return _("Give the name in at least one language.")
    if kind == "message_too_long":
        return _(
            "At most %(count)d characters, so that the message fits on the kiosks' start "
            "screen: shorten it."
        ) % {"count": MESSAGE_MAX_CHARS}
    if kind == "message_personal_data":
        return _(
            "The message has a phone number, an e-mail address or a personal identity code, "
            "which the kiosks never show: say where to ask instead (“ask at the reception”)."
        )
    if kind == "message_control":
        return _("The message has a character that cannot be shown: write it as plain text.")
    return raw


def _problems_of(request: Request, err: SiteError, sources: Sources | None) -> Problems:
    """The rules' problems on the form's fields; for a site file (sources None) each with its
    key, as `hymy-central site add` says them."""
    _ = gettext_for(request)
    found = Problems()
    if not err.problems:
        found.add(None, str(err))
    for location, kind, raw in err.problems:
        where = ".".join(str(p) for p in location)
        if sources is None:
            found.add(None, f"{where}: {raw}" if where else raw)
            continue
        message = _message(_, location, kind, raw)
        field = field_for(location, sources)
        found.add(field, f"{where}: {message}" if field is None and where else message)
    return found


def _by(request: Request, session: WebSession) -> dict[str, str]:
    return {"by": session.person.email, "client": client_address(request)}


@router.get("/admin/sites")
def sites_page(request: Request, db: Db, session: AdminSession) -> Response:
    """The sites, and a site file to add a new one."""
    return _list_page(request, db)


def _list_page(
    request: Request, db: Connection, status_code: int = 200, **context: Any
) -> Response:
    db.rollback()  # a fresh snapshot: SQLite would show this connection what it read before a write
    return render(
        request, "admin_sites.html", status_code, nav="admin-sites", sites=list_sites(db), **context
    )


async def _form(request: Request) -> dict[str, list[str]]:
    form = await request.form()
    values: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            values.setdefault(key, []).append(value)
    return values


def _action(form: dict[str, list[str]]) -> str:
    return "save" if (form.get("action") or [""])[0] == "save" else "preview"


@router.post("/admin/sites")
async def add_site(
    request: Request, db: Db, session: FormSession, _admin: AdminSession
) -> Response:
    """A new site from a pasted site file: checked, previewed, or added."""
    _ = gettext_for(request)
    form = await _form(request)
    text = (form.get("site_file") or [""])[0]
    action = _action(form)
    if len(text) > MAX_SITE_FILE:
        return _list_page(
            request,
            db,
            422,
            site_file=text[:MAX_SITE_FILE],
            problems=_one(_("This site file is too long.")),
        )
    try:
        definition = parse_site(text.lstrip("\ufeff"), _("the site file"))
    except SiteError as err:
        return _list_page(
            request, db, 422, site_file=text, problems=_problems_of(request, err, None)
        )
    site_id = definition.site.id
    exists = any(record.id == site_id for record in list_sites(db))
    if exists:
        message = _("Site %(site)s exists already: change it on its own page.") % {"site": site_id}
        return _list_page(
            request, db, 409, site_file=text, problems=_one(message), existing=site_id
        )
    if action == "preview":
        return _list_page(request, db, site_file=text, preview=definition)
    try:
        await run_write(request, lambda conn: _add_new(conn, definition))
    except SiteError as err:  # added by someone else just now
        return _list_page(request, db, 409, site_file=text, problems=_one(str(err)))
    audit(
        "site_added",
        f"site {site_id} added in the console by {session.person.email}",
        site=site_id,
        **_by(request, session),
    )
    return RedirectResponse(f"/admin/sites/{site_id}?added=1", status_code=303)


def _add_new(conn: Connection, definition: SiteDefinition) -> None:
    if not save_site(conn, definition):
        raise SiteError(f"Site {definition.site.id} was added by someone else just now; reload.")


def _one(message: str) -> Problems:
    found = Problems()
    found.add(None, message)
    return found


def _site(db: Connection, request: Request, site_id: str) -> tuple[SiteDefinition, datetime | None]:
    try:
        return load_site(db, site_id), site_retired_at(db, site_id)
    except NotFoundError:
        raise PageError(
            404, gettext_for(request)("There is no site %(site)s.") % {"site": site_id}
        ) from None


def _site_page(
    request: Request, db: Connection, site_id: str, status_code: int = 200, **context: Any
) -> Response:
    db.rollback()  # a fresh snapshot: SQLite would show this connection what it read before a write
    definition, retired_at = _site(db, request, site_id)
    context.setdefault("posted", None)
    context.setdefault("problems", Problems())
    context.setdefault("site_file", site_toml(definition, retired_at))
    return render(
        request,
        "admin_site.html",
        status_code,
        nav="admin-sites",
        site=definition,
        retired_at=retired_at,
        form_languages=FORM_LANGUAGES,
        zones=ZONES,
        message_max=MESSAGE_MAX_CHARS,
        **context,
    )


@router.get("/admin/sites/{site_id}")
def site_page(
    request: Request, db: Db, session: AdminSession, site_id: str, added: int = 0
) -> Response:
    """One site: its form, its site file and its enrolment codes."""
    return _site_page(request, db, site_id, added=bool(added))


async def _save_or_preview(
    request: Request,
    db: Connection,
    session: WebSession,
    old: SiteDefinition,
    definition: SiteDefinition,
    action: str,
    context: dict[str, Any],
) -> Response:
    site_id = old.site.id
    if action == "preview":
        changes = site_changes(old, definition.replacing(old), gettext_for(request))
        return _site_page(request, db, site_id, changes=changes, previewed=True, **context)
    try:
        before, after = await run_write(request, lambda conn: update_site(conn, definition))
    except SiteRetiredError as err:
        return _site_page(request, db, site_id, 409, problems=_one(str(err)), **context)
    changes = site_changes(before, after)
    if changes:
        audit(
            "site_updated",
            f"site {site_id} changed in the console by {session.person.email}: "
            + "; ".join(changes),
            site=site_id,
            changes=changes,
            **_by(request, session),
        )
    shown = site_changes(before, after, gettext_for(request))  # the audit keeps English
    return _site_page(request, db, site_id, changes=shown, saved=True)


@router.post("/admin/sites/{site_id}")
async def edit_site(
    request: Request, db: Db, session: FormSession, _admin: AdminSession, site_id: str
) -> Response:
    """The site form: previewed, or saved when it has no problem."""
    old, _retired_at = _site(db, request, site_id)
    form = await _form(request)
    action = _action(form)
    context: dict[str, Any] = {"posted": form}
    sources: Sources = {}
    try:
        data, sources = edited_site(old, form)
        definition = checked_site(data, gettext_for(request)("the form"))
    except SiteFormError as err:
        found = Problems()
        found.add(err.field, _message(gettext_for(request), (), err.kind, err.kind))
        return _site_page(request, db, site_id, 422, problems=found, **context)
    except SiteError as err:
        return _site_page(
            request, db, site_id, 422, problems=_problems_of(request, err, sources), **context
        )
    return await _save_or_preview(request, db, session, old, definition, action, context)


@router.post("/admin/sites/{site_id}/file")
async def edit_site_file(
    request: Request, db: Db, session: FormSession, _admin: AdminSession, site_id: str
) -> Response:
    """The site's whole site file, as `hymy-central site update` takes it."""
    _ = gettext_for(request)
    old, _retired_at = _site(db, request, site_id)
    form = await _form(request)
    text = (form.get("site_file") or [""])[0][:MAX_SITE_FILE]
    context: dict[str, Any] = {"site_file": text, "file_open": True}
    try:
        definition = parse_site(text.lstrip("\ufeff"), _("the site file"))
    except SiteError as err:
        return _site_page(
            request, db, site_id, 422, file_problems=_problems_of(request, err, None), **context
        )
    if definition.site.id != site_id:
        message = _(
            "This site file is for site %(other)s, not %(site)s: change the id back, or add a "
            "new site on the sites page."
        ) % {"other": definition.site.id, "site": site_id}
        return _site_page(request, db, site_id, 422, file_problems=_one(message), **context)
    return await _save_or_preview(request, db, session, old, definition, _action(form), context)


@router.post("/admin/sites/{site_id}/enroll-code")
async def new_enroll_code(
    request: Request, db: Db, session: FormSession, _admin: AdminSession, site_id: str
) -> Response:
    """A one-time code that enrols one new kiosk of the site, shown once."""
    _site(db, request, site_id)
    ttl = request.app.state.settings.enroll_code_ttl
    try:
        code = await run_write(request, lambda conn: create_enroll_code(conn, site_id, ttl))
    except SiteRetiredError as err:
        return _site_page(request, db, site_id, 409, code_problem=str(err))
    audit(
        "enroll_code_created",
        f"enrolment code for site {site_id} made in the console by {session.person.email}",
        site=site_id,
        **_by(request, session),
    )
    return _site_page(
        request,
        db,
        site_id,
        enroll_code=code,
        code_expires=datetime.now(UTC) + ttl,
        central_url=str(request.base_url).rstrip("/"),
    )

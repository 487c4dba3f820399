"""`/admin/people` (admins): the people who sign in to the console, with their role, sites,
way of signing in, last sign-in and state; adding one, changing their role and sites,
disabling and enabling, and a new password typed by the admin (their sessions end).

The rules are those of `hymy-central user ...` (central.people, central.access.checked_scope);
the common problems are said here in the person's language before the library is asked, which
has the last word. An admin cannot disable their own account or take away their own admin
role: the console would lock out the person using it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import Connection

from central.access import ROLES, ApiKeyError
from central.api.deps import Db, run_write
from central.logs import audit, client_address
from central.people import (
    MAX_PASSWORD,
    MIN_PASSWORD,
    PeopleError,
    Person,
    add_person,
    change_access,
    disable_person,
    enable_person,
    find_person,
    list_people,
    normal_email,
    person_by_id,
    reset_password,
)
from central.site_store import list_sites, missing_sites
from central.web.pages import form_page
from central.web.session import FormSession, PageError, require_role
from central.web.templating import gettext_for
from central.web_sessions import WebSession

router = APIRouter(include_in_schema=False)
AdminSession = Annotated[WebSession, Depends(require_role("admin"))]


async def _form(request: Request) -> dict[str, list[str]]:
    form = await request.form()
    values: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            values.setdefault(key, []).append(value)
    return values


def _first(form: dict[str, list[str]], name: str) -> str:
    return (form.get(name) or [""])[0]


def password_problem(_: Callable[[str], str], password: str) -> str | None:
    """central.people.check_password's rule, in the person's words."""
    if len(password) < MIN_PASSWORD:
        return _(
            "A password needs at least %(count)s characters: a few words in a row are easy to "
            "remember and hard to guess."
        ) % {"count": MIN_PASSWORD}
    if len(password) > MAX_PASSWORD:
        return _("A password has at most %(count)s characters.") % {"count": MAX_PASSWORD}
    return None


def access_problems(
    _: Callable[[str], str], conn: Connection, role: str, sites: list[str]
) -> dict[str, str]:
    """central.access.checked_scope's rules, in the person's words, by field."""
    if role not in ROLES:
        return {"role": _("Choose a role.")}
    if role == "manager" and not sites:
        return {"sites": _("A manager needs the sites they may read: choose at least one.")}
    unknown = missing_sites(conn, sorted(set(sites)))
    if unknown:
        return {"sites": _("There is no site %(sites)s.") % {"sites": ", ".join(unknown)}}
    return {}


def _people_page(
    request: Request, db: Connection, status_code: int = 200, **context: Any
) -> Response:
    return form_page(
        request,
        db,
        "admin_people.html",
        status_code,
        nav="admin-people",
        people=list_people(db),
        sites=list_sites(db),
        roles=ROLES,
        **context,
    )


def _by(request: Request, session: WebSession) -> dict[str, str]:
    return {"by": session.person.email, "client": client_address(request)}


@router.get("/admin/people")
def people_page(request: Request, db: Db, session: AdminSession) -> Response:
    """Everyone who may sign in, and a form to add someone."""
    return _people_page(request, db)


@router.post("/admin/people")
async def add(request: Request, db: Db, session: FormSession, _admin: AdminSession) -> Response:
    """A new account: e-mail, role, sites, and a password or single sign-on only."""
    _ = gettext_for(request)
    form = await _form(request)
    email, role, sites = _first(form, "email"), _first(form, "role"), form.get("sites", [])
    sso_only = bool(form.get("sso_only"))
    password = None if sso_only else _first(form, "password")
    problems: dict[str, str] = {}
    try:
        address = normal_email(email)
        if find_person(db, address) is not None:
            problems["email"] = _("%(email)s has an account already: change it below.") % {
                "email": address
            }
    except PeopleError:
        problems["email"] = _("This is not an e-mail address: give one like name@example.fi.")
    if password is not None and (problem := password_problem(_, password)):
        problems["password"] = problem
    problems.update(access_problems(_, db, role, sites))
    if problems:
        return _people_page(request, db, 422, posted=form, problems=problems)
    try:
        added = await run_write(
            request, lambda conn: add_person(conn, email, role, list(sites), password)
        )
    except (PeopleError, ApiKeyError) as err:
        return _people_page(request, db, 422, posted=form, problems={"general": str(err)})
    audit(
        "user_added",
        f"console user {added.email} ({role}) added by {session.person.email} in the console",
        email=added.email,
        role=role,
        **_by(request, session),
    )
    return _people_page(
        request, db, notice=_("Added %(email)s; they sign in at /login.") % {"email": added.email}
    )


def _target(db: Connection, request: Request, person_id: str) -> Person:
    found = person_by_id(db, person_id)
    if found is None:
        raise PageError(404, gettext_for(request)("There is no such account."))
    return found


@router.post("/admin/people/{person_id}/access")
async def access(
    request: Request, db: Db, session: FormSession, _admin: AdminSession, person_id: str
) -> Response:
    """A new role and sites for the account, from the next page it opens."""
    _ = gettext_for(request)
    target = _target(db, request, person_id)
    form = await _form(request)
    role, sites = _first(form, "role"), form.get("sites", [])
    problems = access_problems(_, db, role, sites)
    if target.id == session.person.id and role != "admin":
        problems["role"] = _("You cannot take away your own admin role: ask another admin.")
    if problems:
        message = " ".join(problems.values())
        return _people_page(request, db, 422, row_problem=(target.id, message), open_row=target.id)
    try:
        changed = await run_write(
            request, lambda conn: change_access(conn, target.email, role, list(sites))
        )
    except (PeopleError, ApiKeyError) as err:
        return _people_page(request, db, 422, row_problem=(target.id, str(err)))
    scope = ", ".join(changed.sites) or "every site"
    audit(
        "user_access_changed",
        f"console user {changed.email}: role {role}, {scope}, by {session.person.email}",
        email=changed.email,
        role=role,
        sites=list(changed.sites),
        **_by(request, session),
    )
    return _people_page(
        request, db, notice=_("%(email)s: role and sites changed.") % {"email": changed.email}
    )


@router.post("/admin/people/{person_id}/disable")
async def disable(
    request: Request, db: Db, session: FormSession, _admin: AdminSession, person_id: str
) -> Response:
    """Disable the account: signed out everywhere at once, and no sign-in."""
    _ = gettext_for(request)
    target = _target(db, request, person_id)
    if target.id == session.person.id:
        message = _("You cannot disable your own account: ask another admin.")
        return _people_page(request, db, 422, row_problem=(target.id, message))
    changed = await run_write(request, lambda conn: disable_person(conn, target.email))
    if changed:
        audit(
            "user_disabled",
            f"console user {target.email} disabled by {session.person.email}",
            email=target.email,
            **_by(request, session),
        )
    return _people_page(
        request,
        db,
        notice=_("Disabled %(email)s: signed out everywhere, and no sign-in from now on.")
        % {"email": target.email},
    )


@router.post("/admin/people/{person_id}/enable")
async def enable(
    request: Request, db: Db, session: FormSession, _admin: AdminSession, person_id: str
) -> Response:
    """Enable a disabled account again."""
    _ = gettext_for(request)
    target = _target(db, request, person_id)
    if await run_write(request, lambda conn: enable_person(conn, target.email)):
        audit(
            "user_enabled",
            f"console user {target.email} enabled by {session.person.email}",
            email=target.email,
            **_by(request, session),
        )
    return _people_page(
        request, db, notice=_("%(email)s may sign in again.") % {"email": target.email}
    )


@router.post("/admin/people/{person_id}/password")
async def new_password(
    request: Request, db: Db, session: FormSession, _admin: AdminSession, person_id: str
) -> Response:
    """A new password typed by the admin: the account's sessions end, a lockout is lifted."""
    _ = gettext_for(request)
    target = _target(db, request, person_id)
    form = await _form(request)
    password = _first(form, "password")
    problem = password_problem(_, password)
    if problem:
        return _people_page(request, db, 422, row_problem=(target.id, problem), open_row=target.id)
    await run_write(request, lambda conn: reset_password(conn, target.email, password))
    audit(
        "password_reset",
        f"console user {target.email}: password reset by {session.person.email}",
        email=target.email,
        **_by(request, session),
    )
    return _people_page(
        request,
        db,
        notice=_("New password set for %(email)s; they were signed out of every browser.")
        % {"email": target.email},
    )

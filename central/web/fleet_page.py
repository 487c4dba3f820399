"""`/fleet`: every kiosk the person may see, trouble first, with its status in words, and the
table alone at `/fleet?fragment=table` for the page's refresh every 30 seconds (htmx).

IT staff with a site scope see only those sites' kiosks, admins the whole fleet: the rule of
GET /api/v1/devices (central.fleet.visible_sites). Managers read no fleet: 403.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from central.api.deps import Db
from central.completeness import Completeness
from central.downloads import Table
from central.fleet import DeviceStatus, Problem, fleet, trouble_first, visible_sites
from central.web import i18n
from central.web.pages import page
from central.web.session import require_role
from central.web.templating import HELSINKI, language_of
from central.web_sessions import WebSession

router = APIRouter(include_in_schema=False)
FleetSession = Annotated[WebSession, Depends(require_role("it", "admin"))]
# Problems a person should act on now (shown in red); the others in amber.
URGENT = ("silent", "never_seen", "storage", "printer_paper", "printer_offline")


def problem_text(request: Request, problem: Problem) -> str:
    """A problem in the person's language (central.fleet.Problem.words in English)."""
    catalog = i18n.translations(language_of(request))
    _, n_ = catalog.gettext, catalog.ngettext
    if problem.code == "backlog":
        return _("backlog of %(count)s waiting") % {"count": problem.count}
    if problem.code == "missing":
        count = problem.count or 0
        return n_("%(count)s event missing", "%(count)s events missing", count) % {"count": count}
    if problem.code == "storage":
        return {
            "read_only": _("storage read-only"),
            "full": _("storage full"),
            "error": _("storage error"),
        }.get(problem.kind or "error", _("storage error"))
    return {
        "silent": _("silent"),
        "never_seen": _("never seen"),
        "late": _("late"),
        "printer_paper": _("printer needs paper"),
        "printer_offline": _("printer offline"),
        "clock": _("clock wrong"),
        "refused": _("refused events"),
        "revoked": _("revoked"),
    }[problem.code]


def status_text(request: Request, kiosk: DeviceStatus) -> str:
    _ = i18n.translations(language_of(request)).gettext
    return "; ".join(problem_text(request, p) for p in kiosk.problems) or _("ok")


def completeness_text(request: Request, completeness: Completeness) -> str:
    """Whether every event of a kiosk arrived, in the person's language (Completeness.words
    says it in English for the CLI and the API)."""
    catalog = i18n.translations(language_of(request))
    _, n_ = catalog.gettext, catalog.ngettext
    if not completeness.tallies:
        return _("no numbered events received yet")
    received, missing = completeness.received, completeness.missing
    if not missing:
        return n_(
            "%(num)s event received, none missing", "all %(num)s events received", received
        ) % {"num": received}
    return n_(
        "%(num)s event missing (%(gaps)s), last seen %(seen)s",
        "%(num)s events missing (%(gaps)s), last seen %(seen)s",
        missing,
    ) % {
        "num": missing,
        "gaps": completeness.where_missing(),
        "seen": _local(completeness.last_seen) or _("never"),
    }


def status_class(kiosk: DeviceStatus) -> str:
    if kiosk.revoked:
        return "status-revoked"
    if not kiosk.problems:
        return "status-ok"
    return "status-trouble" if kiosk.problems[0].code in URGENT else "status-late"


def _local(moment: datetime | None) -> str | None:
    return moment.astimezone(HELSINKI).strftime("%Y-%m-%d %H:%M") if moment else None


def _row(request: Request, kiosk: DeviceStatus) -> dict[str, Any]:
    beat = kiosk.heartbeat or {}
    return {
        "kiosk": kiosk,
        "status": status_text(request, kiosk),
        "status_class": status_class(kiosk),
        "version": beat.get("version"),
        "backlog": beat.get("backlog"),
        "missing": kiosk.completeness.missing if kiosk.completeness else None,
        "completeness": completeness_text(request, kiosk.completeness)
        if kiosk.completeness
        else None,
    }


@router.get("/fleet")
def fleet_view(
    request: Request,
    db: Db,
    session: FleetSession,
    fragment: str | None = None,
    revoked: bool = False,
) -> Response:
    """The fleet page, its table alone (fragment=table) or the table as a download."""
    _ = i18n.translations(language_of(request)).gettext
    caller = session.person.caller
    every = trouble_first(fleet(db, visible_sites(caller.role, caller.sites)))
    kiosks = [k for k in every if revoked or not k.revoked]
    rows = [_row(request, k) for k in kiosks]
    table = Table(
        _("Kiosks"),
        [
            _("Site"),
            _("Kiosk"),
            _("Status"),
            _("Last seen"),
            _("Version"),
            _("Backlog"),
            _("Missing events"),
            _("Device id"),
        ],
        [
            [
                r["kiosk"].site,
                r["kiosk"].kiosk_id,
                r["status"],
                _local(r["kiosk"].last_seen),
                r["version"],
                r["backlog"],
                r["missing"],
                r["kiosk"].device_id,
            ]
            for r in rows
        ],
    )
    live = [k for k in every if not k.revoked]
    context = {
        "rows": rows,
        "live": len(live),
        "attention": sum(k.needs_attention for k in live),
        "revoked_count": len(every) - len(live),
        "show_revoked": revoked,
        "scope": visible_sites(caller.role, caller.sites),
    }
    template = "fleet_table.html" if fragment == "table" else "fleet.html"
    return page(
        request,
        template,
        tables={"kiosks": table},
        name_parts=("fleet",),
        nav="fleet",
        **context,
    )

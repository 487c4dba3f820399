"""`/`: where a person lands after signing in. IT staff read no reports: their start is the
fleet. (The overview page replaces the placeholder below.)"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from central.web.session import CurrentSession
from central.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(request: Request, session: CurrentSession) -> Response:
    if not session.person.caller.reads_reports:
        return RedirectResponse("/fleet", status_code=303)
    return render(request, "home.html", nav="overview")

"""Alerts in the console: open and past alerts of the person's sites, one alert with its
numbers and acknowledgement, and per site the rules, opening hours and who hears of them.

- `/alerts` (`?site=ID` for one site): open alerts first, then the past ones.
- `/alerts/{id}`: what happened, the numbers behind it, who acknowledged it when and why;
  `POST /alerts/{id}/acknowledge` with a comment.
- `/sites/{site}/alerts`: the site's rules (thresholds, on or off), opening hours, people who
  get the alerts by e-mail and webhooks; each form POSTs to a path below it.

Access as the site page: admins every site, a manager only their own (a manager asking for
another site's alert gets the same 404 as for one that does not exist).
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Connection

from central.alert_rules import DEFAULTS, KINDS, WEEKDAYS, Rule, RuleError, WeeklyHours
from central.alert_store import (
    WEBHOOK_STYLES,
    AlertError,
    AlertRecord,
    NoSuchAlertError,
    acknowledge,
    add_person,
    add_webhook,
    alert_by_id,
    list_alerts,
    may_hear_of,
    recipients_of,
    remove_recipient,
    rules_of,
    save_rule,
)
from central.alert_texts import KIND_HELP, KIND_NAMES, PARAM_NAMES, notice_parts
from central.api.deps import Db, run_write
from central.names import site_name
from central.people import list_people, person_by_id
from central.site_store import NotFoundError, update_site
from central.sites import OpeningHours, SiteDefinition
from central.web.scope import readable_sites, require_reader, require_site
from central.web.session import CurrentSession, FormSession, PageError
from central.web.templating import gettext_for, language_of, render

router = APIRouter(include_in_schema=False)
PAST_SHOWN = 100


def _described(
    request: Request, alert: AlertRecord, definitions: dict[str, SiteDefinition]
) -> dict[str, Any]:
    """An alert as the pages show it: its kind, site and the notice's words in the viewer's
    language (the numbers of when it opened; small numbers withheld as in the e-mail)."""
    language, _ = language_of(request), gettext_for(request)
    definition = definitions[alert.site_id]
    title, text, facts = notice_parts(
        alert.kind, "alert", alert.facts, site=site_name(definition, language),
        kiosk=alert.kiosk_id, min_answers=definition.reports.min_answers,
        zone=ZoneInfo(definition.site.timezone), gettext=_,
    )  # fmt: skip
    return {
        "alert": alert, "title": title, "text": text, "facts": facts,
        "kind_name": _(KIND_NAMES[alert.kind]), "site_name": site_name(definition, language),
    }  # fmt: skip


@router.get("/alerts")
def alerts_list(request: Request, session: CurrentSession, db: Db) -> Response:
    """Open and past alerts of the person's sites."""
    caller = session.person.caller
    require_reader(request, caller)
    definitions = {d.site.id: d for d in readable_sites(db, caller)}
    chosen = request.query_params.get("site") or ""
    if chosen and chosen not in definitions:
        raise PageError(
            404, gettext_for(request)("There is no such site. Choose one from the list.")
        )
    shown = [chosen] if chosen else sorted(definitions)
    current = [_described(request, a, definitions) for a in list_alerts(db, shown, open_only=True)]
    past = [
        _described(request, a, definitions)
        for a in list_alerts(db, shown, limit=PAST_SHOWN + len(current))
        if not a.is_open
    ][:PAST_SHOWN]
    language = language_of(request)
    choices = sorted(((i, site_name(d, language)) for i, d in definitions.items()),
                     key=lambda item: item[1].lower())  # fmt: skip
    return render(request, "alerts.html", nav="alerts", current=current, past=past,
                  choices=choices, chosen=chosen)  # fmt: skip


def _one(request: Request, db: Connection, session: Any, alert_id: str) -> dict[str, Any]:
    caller = session.person.caller
    require_reader(request, caller)
    definitions = {d.site.id: d for d in readable_sites(db, caller)}
    try:
        alert = alert_by_id(db, alert_id, sites=definitions)
    except NoSuchAlertError:
        raise PageError(
            404, gettext_for(request)("There is no such alert. Choose one from the list.")
        ) from None
    return _described(request, alert, definitions)


@router.get("/alerts/{alert_id}")
def alert_page(request: Request, alert_id: str, session: CurrentSession, db: Db) -> Response:
    """One alert: what happened, its numbers, its acknowledgement."""
    return render(request, "alert.html", nav="alerts", **_one(request, db, session, alert_id))


@router.post("/alerts/{alert_id}/acknowledge")
async def acknowledge_alert(
    request: Request, alert_id: str, session: FormSession, db: Db
) -> Response:
    """Mark the alert seen, with a comment."""
    _one(request, db, session, alert_id)  # the access check
    comment = str((await request.form()).get("comment") or "")
    await run_write(request, lambda conn: acknowledge(conn, alert_id, session.person, comment))
    return RedirectResponse(f"/alerts/{alert_id}?acknowledged=1", status_code=303)


# --- a site's settings ---


def _settings_page(
    request: Request, db: Connection, definition: SiteDefinition, status_code: int = 200,
    **context: Any,
) -> Response:  # fmt: skip
    db.rollback()  # a fresh snapshot after a write
    site_id = definition.site.id
    recipients = recipients_of(db, site_id)
    taken = {r.person.id for r in recipients if r.person}
    candidates = [p for p in list_people(db) if p.id not in taken and may_hear_of(p, site_id)]
    return render(
        request, "alert_settings.html", status_code, nav="alerts", site=definition,
        site_label=site_name(definition, language_of(request)), rules=rules_of(db, site_id),
        kinds=KINDS, defaults=DEFAULTS, kind_names=KIND_NAMES, kind_help=KIND_HELP,
        param_names=PARAM_NAMES, weekdays=WEEKDAYS,
        hours=definition.opening_hours.weekly.as_mapping(), recipients=recipients,
        candidates=candidates, styles=WEBHOOK_STYLES, **context,
    )  # fmt: skip


@router.get("/sites/{site}/alerts")
def alert_settings(request: Request, site: str, session: CurrentSession, db: Db) -> Response:
    """The site's alert rules, opening hours and recipients."""
    definition = require_site(request, db, session.person.caller, site)
    saved = request.query_params.get("saved")
    return _settings_page(request, db, definition, saved=saved)


def _back(site: str, what: str) -> RedirectResponse:
    return RedirectResponse(f"/sites/{site}/alerts?saved={what}#{what}", status_code=303)


@router.post("/sites/{site}/alerts/rules/{kind}")
async def save_alert_rule(
    request: Request, site: str, kind: str, session: FormSession, db: Db
) -> Response:
    """Turn a rule on or off and change its numbers."""
    _ = gettext_for(request)
    definition = require_site(request, db, session.person.caller, site)
    if kind not in KINDS:
        raise PageError(404, _("There is no such kind of alert."))
    form = await request.form()
    params: dict[str, int] = {}
    for name in DEFAULTS[kind]:
        raw = str(form.get(name) or "").strip()
        try:
            params[name] = int(raw)
        except ValueError:
            problem = _("%(field)s: write a whole number.") % {"field": _(PARAM_NAMES[name])}
            return _settings_page(request, db, definition, 422, problem=problem, problem_at=kind)
    try:
        rule = Rule(kind, enabled=form.get("enabled") == "on", params=params)
    except RuleError as err:
        return _settings_page(request, db, definition, 422, problem=_rule_problem(_, err),
                              problem_at=kind)  # fmt: skip
    by = session.person.id
    await run_write(request, lambda conn: save_rule(conn, site, rule, by=by))
    return _back(site, kind)


def _rule_problem(_: Any, err: RuleError) -> str:
    """The rule's problem in the person's words (RuleError speaks the site file's keys)."""
    text = str(err)
    for name, label in PARAM_NAMES.items():
        if text.startswith(name + " must be"):
            from central.alert_rules import LIMITS

            low, high = LIMITS[name]
            return _("%(field)s: write a whole number from %(low)s to %(high)s.") % {
                "field": _(label), "low": low, "high": high,
            }  # fmt: skip
    return text


@router.post("/sites/{site}/alerts/hours")
async def save_opening_hours(request: Request, site: str, session: FormSession, db: Db) -> Response:
    """The site's opening hours (for the quiet-kiosk rule)."""
    _ = gettext_for(request)
    definition = require_site(request, db, session.person.caller, site)
    form = await request.form()
    mapping = {}
    for day in WEEKDAYS:
        raw = str(form.get(day) or "")
        mapping[day] = [part.strip() for part in raw.split(",") if part.strip()]
    try:
        WeeklyHours.of(mapping)
    except RuleError:
        problem = _(
            "Write the opening hours like 08:00-16:00; several ranges of a day with a comma "
            "(08:00-12:00, 13:00-16:00); leave a closed day empty."
        )
        return _settings_page(request, db, definition, 422, problem=problem, problem_at="hours",
                              posted_hours=mapping)  # fmt: skip
    changed = definition.model_copy(update={"opening_hours": OpeningHours(**mapping)})
    try:
        await run_write(request, lambda conn: update_site(conn, changed))
    except NotFoundError:  # retired meanwhile
        problem = _("This site is retired: its definition cannot change.")
        return _settings_page(request, db, definition, 422, problem=problem, problem_at="hours")
    return _back(site, "hours")


@router.post("/sites/{site}/alerts/recipients")
async def add_alert_recipient(
    request: Request, site: str, session: FormSession, db: Db
) -> Response:
    """Add a person (by e-mail, in their language) or a webhook."""
    _ = gettext_for(request)
    definition = require_site(request, db, session.person.caller, site)
    form = await request.form()
    by = session.person.id
    try:
        if form.get("kind") == "webhook":
            url, style = str(form.get("url") or ""), str(form.get("style") or "")
            secret, language = str(form.get("secret") or ""), str(form.get("language") or "fi")
            if language not in ("fi", "sv", "en"):
                language = "fi"
            await run_write(request, lambda conn: add_webhook(
                conn, site, url, secret, style, language, by=by))  # fmt: skip
            where = "webhooks"
        else:
            person = person_by_id(db, str(form.get("person") or ""))
            if person is None:
                raise AlertError("no such person")
            await run_write(request, lambda conn: add_person(conn, site, person, by=by))
            where = "people"
    except AlertError:
        if form.get("kind") == "webhook":
            problem = _(
                "The webhook's address must start with https:// (or http://) and name a host; "
                "copy it from the channel's settings in Teams or Slack."
            )
            at = "webhooks"
        else:
            problem = _("Choose a person from the list: only people who may read this site's "
                        "reports can get its alerts.")  # fmt: skip
            at = "people"
        return _settings_page(request, db, definition, 422, problem=problem, problem_at=at)
    return _back(site, where)


@router.post("/sites/{site}/alerts/recipients/{recipient_id}/remove")
async def remove_alert_recipient(
    request: Request, site: str, recipient_id: str, session: FormSession, db: Db
) -> Response:
    """Stop sending the site's alerts to a person or webhook."""
    require_site(request, db, session.person.caller, site)
    await run_write(request, lambda conn: remove_recipient(conn, site, recipient_id))
    return _back(site, "people")

"""Scheduled reports by e-mail: every subscription (central.report_subscriptions) whose week
or month is due (central.report_schedule) gets its PDF (central.report_pdf) queued as an
e-mail with the PDF attached (central.deliveries.queue_email), in the person's language.

Never twice, with any number of workers and servers: a period is claimed first, by inserting
its row in report_sends (the primary key lets one insert win), in a transaction of its own;
the PDF is made outside any transaction (it takes a second; ingest never waits for it); the
e-mail is queued in the same transaction that marks the claim sent, and only while the claim
is still this run's. A run that dies between the two leaves a claim that another run takes
over after STALE_CLAIM.

A manager of one site never gets a report of another: the sites are those the person may
read when the report is made (a disabled account, or a role that reads no reports, gets
none), never those of the day they subscribed.

`start_scheduler(app)` runs `run_due` every `report_check_minutes` (with jitter) in each worker of
`serve`, off the event loop.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import anyio
from babel.dates import format_date
from babel.numbers import format_decimal
from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from central.db import in_write_transaction
from central.names import site_name
from central.people import Person, person_by_id
from central.report_pdf import CONTENT_TYPE, RenderedReport, render_report
from central.report_schedule import Period, due_periods
from central.report_subscriptions import EVERY_SITE, Subscription, all_subscriptions
from central.settings import Settings
from central.site_store import NotFoundError, load_site
from central.sites import SiteDefinition
from central.tables import report_sends
from central.web import i18n
from central.web.scope import readable_sites

log = logging.getLogger(__name__)
STALE_CLAIM = timedelta(minutes=15)  # a claim not sent by then is taken over by another run
BUCKET = {"weekly": "day", "monthly": "week"}  # the rows of a week's and a month's report


@dataclass(frozen=True)
class Job:
    """One report to send: the subscription, its person, the sites they may read, the period."""

    subscription: Subscription
    person: Person
    sites: tuple[SiteDefinition, ...]
    period: Period

    @property
    def language(self) -> str:
        return i18n.chosen(self.person.language) or i18n.DEFAULT


def sites_for(conn: Connection, person: Person, scope: str) -> list[SiteDefinition]:
    """The sites of a report to the person now: the scope's site if they may still read it,
    or every site they may read; none for a disabled account or a role without reports."""
    caller = person.caller
    if person.disabled_at is not None or not caller.reads_reports:
        return []
    if scope == EVERY_SITE:
        return readable_sites(conn, caller)
    if not caller.may_read_site(scope):
        return []
    try:
        return [load_site(conn, scope)]
    except NotFoundError:
        return []


def _taken(conn: Connection, subscription_id: str, now: datetime) -> set:
    """The periods (first days) sent, or claimed by a run that may still send them."""
    rows = conn.execute(
        select(report_sends.c.period_first, report_sends.c.state, report_sends.c.claimed_at).where(
            report_sends.c.subscription_id == subscription_id
        )
    )
    taken = set()
    for row in rows:
        claimed = row.claimed_at if row.claimed_at.tzinfo else row.claimed_at.replace(tzinfo=UTC)
        if row.state == "sent" or claimed > now - STALE_CLAIM:
            taken.add(row.period_first)
    return taken


def due_jobs(conn: Connection, now: datetime) -> list[Job]:
    """Every report due at `now` and not yet sent (see the module's docstring)."""
    jobs = []
    for subscription in all_subscriptions(conn):
        person = person_by_id(conn, subscription.person_id)
        if person is None:
            continue
        sites = sites_for(conn, person, subscription.scope)
        if not sites:
            continue
        # Periods are local days of the (first) site's zone; a county's sites share one.
        zone = ZoneInfo(sites[0].site.timezone)
        for period in due_periods(
            subscription.frequency,
            zone,
            created_at=subscription.created_at,
            now=now,
            sent=_taken(conn, subscription.id, now),
        ):
            jobs.append(Job(subscription, person, tuple(sites), period))
    return jobs


def _claim(engine: Engine, job: Job, token: str, now: datetime) -> bool:
    """Claim the job's period for this run: a new row, or a stale claim taken over."""
    key = (
        report_sends.c.subscription_id == job.subscription.id,
        report_sends.c.period_first == job.period.first,
    )

    def claim(conn: Connection) -> bool:
        row = conn.execute(select(report_sends.c.state).where(*key)).first()
        if row is None:
            conn.execute(
                insert(report_sends).values(
                    subscription_id=job.subscription.id,
                    period_first=job.period.first,
                    period_last=job.period.last,
                    state="claimed",
                    claim=token,
                    claimed_at=now,
                    person_id=job.person.id,
                    sites=json.dumps([d.site.id for d in job.sites]),
                )
            )
            return True
        stale = conn.execute(
            update(report_sends)
            .where(
                *key,
                report_sends.c.state == "claimed",
                report_sends.c.claimed_at <= now - STALE_CLAIM,
            )
            .values(claim=token, claimed_at=now)
        )
        return bool(stale.rowcount)

    try:
        return in_write_transaction(engine, claim)
    except IntegrityError:  # another worker inserted it first
        return False


class _ClaimLost(Exception):  # noqa: N818 - a condition, not a failure
    """Another run took the claim over meanwhile: this run's e-mail is rolled back."""


def _number(value: float | int | None, language: str, digits: int = 0) -> str:
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=i18n.locale(language))


def _figures_line(total: dict[str, Any], language: str) -> str:
    _ = i18n.translations(language).gettext
    if total["n"] == 0:
        return _("No answers")
    if total["hidden"]:
        return _("Fewer than %(n)s answers") % {"n": total["fewer_than"]}
    return _("Score %(score)s, %(n)s answers, %(checkins)s check-ins") % {
        "score": _number(total["score"], language, 1),
        "n": _number(total["n"], language),
        "checkins": _number(total["checkins"], language),
    }


def email_text(job: Job, pdf: RenderedReport, settings: Settings) -> tuple[str, str]:
    """The e-mail's subject and plain text, in the person's language."""
    from central.deliveries import console_url

    language = job.language
    _ = i18n.translations(language).gettext
    where = i18n.locale(language)
    first = format_date(job.period.first, "medium", locale=where)
    last = format_date(job.period.last, "medium", locale=where)
    if len(job.sites) == 1:
        name = site_name(job.sites[0], language)
    else:
        name = _("%(count)s sites") % {"count": len(job.sites)}
    subject = (
        _("Hymy weekly report: %(name)s, %(first)s to %(last)s")
        if job.subscription.frequency == "weekly"
        else _("Hymy monthly report: %(name)s, %(first)s to %(last)s")
    ) % {"name": name, "first": first, "last": last}
    lines = [
        _("Hello,"),
        "",
        _("The report of %(first)s to %(last)s is attached as a PDF.")
        % {
            "first": first,
            "last": last,
        },
        "",
    ]
    for site_id, site_title, total in pdf.totals:
        lines.append(f"{site_title}: {_figures_line(total, language)}")
        query = urlencode(
            {
                "from": job.period.first.isoformat(),
                "to": job.period.last.isoformat(),
                "by": BUCKET[job.subscription.frequency],
            }
        )
        lines.append(console_url(settings, f"/sites/{site_id}?{query}"))
    lines += [
        "",
        _("A figure from fewer than %(n)s answers is not shown, so that no one visitor can be recognised.")  # noqa: E501
        % {"n": max(d.reports.min_answers for d in job.sites)},
        "",
        _("You get this report because you subscribed to it, or an admin did for you. "
          "To stop it, open %(url)s") % {"url": console_url(settings, "/reports")},
    ]  # fmt: skip
    return subject, "\n".join(lines) + "\n"


def send_job(engine: Engine, settings: Settings, job: Job, now: datetime) -> str | None:
    """Claim, render and queue one report; the delivery's id, or None when another run has
    it. Raises what rendering raises (the claim then goes stale and is tried again)."""
    from central.deliveries import Attachment, queue_email

    token = str(uuid.uuid4())
    if not _claim(engine, job, token, now):
        return None
    with engine.connect() as conn:
        pdf = render_report(
            conn,
            job.sites,
            job.period.first,
            job.period.last,
            language=job.language,
            by=BUCKET[job.subscription.frequency],
        )
    subject, text = email_text(job, pdf, settings)
    about = f"report:{job.subscription.id}:{job.period.first.isoformat()}"
    site_id = job.sites[0].site.id if len(job.sites) == 1 else None

    def finish(conn: Connection) -> str:
        delivery = queue_email(
            conn,
            to=job.person.email,
            subject=subject,
            text=text,
            attachments=[Attachment(pdf.filename, CONTENT_TYPE, pdf.data)],
            site_id=site_id,
            about=about,
        )
        done = conn.execute(
            update(report_sends)
            .where(
                report_sends.c.subscription_id == job.subscription.id,
                report_sends.c.period_first == job.period.first,
                report_sends.c.claim == token,
                report_sends.c.state == "claimed",
            )
            .values(state="sent", sent_at=datetime.now(UTC), delivery_id=delivery)
        )
        if not done.rowcount:
            raise _ClaimLost
        return delivery

    try:
        return in_write_transaction(engine, finish)
    except _ClaimLost:
        return None


def run_due(engine: Engine, settings: Settings, now: datetime | None = None) -> list[str]:
    """Send every report due at `now`; the ids of the e-mails queued. A report that fails is
    logged and tried again by a later run; never raises for one."""
    from central.deliveries import wake

    now = now or datetime.now(UTC)
    with engine.connect() as conn:
        jobs = due_jobs(conn, now)
    queued = []
    for job in jobs:
        try:
            delivery = send_job(engine, settings, job, now)
        except Exception:
            log.exception(
                "report %s for %s could not be made; tried again later",
                job.period.first,
                job.subscription.id,
            )
            continue
        if delivery is not None:
            log.info(
                "report of %s..%s queued for %s (%s)",
                job.period.first,
                job.period.last,
                job.person.email,
                delivery,
            )
            queued.append(delivery)
    if queued:
        wake()
    return queued


def start_scheduler(app: Any) -> None:
    """In `serve` (the app's lifespan, once its engine is in app.state): check every
    `report_check_minutes` (with a little jitter) for reports due, and send them off the event
    loop. Ends with the server's event loop."""
    settings: Settings = app.state.settings
    every = settings.report_check_minutes * 60
    if every <= 0:
        log.info("scheduled reports are off (HYMY_CENTRAL_REPORT_CHECK_MINUTES is 0)")
        return
    engine = app.state.engine

    def run() -> None:
        try:
            run_due(engine, settings)
        except Exception:
            log.exception("scheduled reports: the check failed; the next one tries again")

    async def scheduler() -> None:
        while True:
            await asyncio.sleep(every * random.uniform(0.9, 1.1))
            await anyio.to_thread.run_sync(run, abandon_on_cancel=True)

    app.state.report_scheduler = asyncio.get_running_loop().create_task(scheduler())

"""Alerts in the central (central.alerts): rules evaluated over what arrived through the API,
one alert per episode, the all-clear, the cool-down, several evaluations at once, and each
opening queued to the site's own recipients in their language (read from the real delivery
queue)."""

from __future__ import annotations

import re
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from central.alert_rules import CLEAR, OPEN, Rule
from central.alert_store import (
    RecipientError,
    acknowledge,
    add_person,
    add_webhook,
    list_alerts,
    save_rule,
)
from central.alerts import evaluate_site, evaluate_sites, timer_round
from central.db import in_write_transaction, write_transaction
from central.people import add_person as add_account
from central.people import find_person
from central.site_store import save_site
from central.sites import parse_site
from central.tables import alerts
from tests.support.alerts import HERVANTA_ALWAYS_OPEN, KALEVA_ALWAYS_OPEN, Queued
from tests.support.central import accepted, beat, enrol, ratings


@pytest.fixture
def queued(client) -> Queued:
    return Queued(client.app.state.engine)


@pytest.fixture
def sites(client) -> dict[str, str]:
    """Kaleva and Hervanta, open round the clock, a kiosk each, a manager each (Kaleva's reads
    Swedish) and a webhook at Kaleva; the kiosks' tokens."""
    for text in (KALEVA_ALWAYS_OPEN, HERVANTA_ALWAYS_OPEN):  # the write lock at BEGIN: the
        # delivery worker's first look at the queue may be writing as the app starts
        in_write_transaction(client.app.state.engine,
                             lambda conn, text=text: save_site(conn, parse_site(text)))  # fmt: skip
    tokens = {
        "kaleva": enrol(client, "kaleva", "aula-1"),
        "hervanta": enrol(client, "hervanta", "h-1"),
    }

    def people(conn) -> None:
        add_account(conn, "kaleva@example.fi", "manager", ["kaleva"], "salasana kolme sanaa")
        add_account(conn, "hervanta@example.fi", "manager", ["hervanta"], "salasana kolme sanaa")
        from central.people import set_language

        set_language(conn, find_person(conn, "kaleva@example.fi").id, "sv")
        add_person(conn, "kaleva", find_person(conn, "kaleva@example.fi"))
        add_person(conn, "hervanta", find_person(conn, "hervanta@example.fi"))
        add_webhook(conn, "kaleva", "https://hooks.example.fi/x", "s3cret", "json")

    in_write_transaction(client.app.state.engine, people)
    return tokens


def _evaluate(client, site: str, now: datetime):
    app = client.app
    return evaluate_site(app.state.engine, app.state.settings, site, now)


def test_unhappy_fires_once_clears_and_cools_down(client, sites, queued) -> None:
    base = datetime.now(UTC) - timedelta(hours=2)
    accepted(client, sites["kaleva"], ratings(base, [1, 2, 1, 4]))
    first = _evaluate(client, "kaleva", base + timedelta(minutes=5))
    assert [(c.kind, c.verdict) for c in first] == [("unhappy", OPEN)]
    ((to, notice),) = queued.emails()
    assert to == "kaleva@example.fi"
    assert notice.title == "Missnöjda besökare vid Kalevas hälsostation"  # her language: Swedish
    assert notice.link.endswith(f"/alerts/{first[0].alert_id}") and notice.severity == "alert"
    ((url, hook),) = queued.webhooks()
    assert url == "https://hooks.example.fi/x" and hook.data["facts"]["threshold_percent"] == 50
    assert hook.data["kind"] == "unhappy" and hook.data["state"] == "open"
    assert all(site == "kaleva" for _k, _t, _n, site, _a in queued.items)  # Hervanta gets none

    assert _evaluate(client, "kaleva", base + timedelta(minutes=6)) == []  # still on: no storm
    cleared = _evaluate(client, "kaleva", base + timedelta(minutes=20))  # the window slid on
    assert [(c.alert_id, c.verdict) for c in cleared] == [(first[0].alert_id, CLEAR)]
    assert [n.severity for _t, n in queued.emails()] == ["alert", "clear"]

    accepted(client, sites["kaleva"], ratings(base + timedelta(minutes=25), [1, 1, 1, 1]))
    assert _evaluate(client, "kaleva", base + timedelta(minutes=30)) == []  # cooling down
    accepted(client, sites["kaleva"], ratings(base + timedelta(minutes=45), [1, 2, 2, 1]))
    again = _evaluate(client, "kaleva", base + timedelta(minutes=52))
    assert [c.verdict for c in again] == [OPEN] and again[0].alert_id != first[0].alert_id
    with client.app.state.engine.connect() as conn:
        assert [a.kind for a in list_alerts(conn, ["hervanta"])] == []
        assert len(list_alerts(conn, ["kaleva"])) == 2


def test_small_numbers_are_not_put_in_words(client, sites, queued) -> None:
    base = datetime.now(UTC) - timedelta(hours=1)
    accepted(client, sites["kaleva"], ratings(base, [1, 1, 2, 4]))  # 4 ratings: below 5
    _evaluate(client, "kaleva", base + timedelta(minutes=5))
    ((_to, notice),) = queued.emails()
    # 3 of 4 unhappy is 75 %: not in the words (the link's id may hold any digits)
    words = notice.text.replace(notice.link or "", "")
    assert not re.search(r"\b75\b", words) and "färre än 5" in notice.text
    ((_url, hook),) = queued.webhooks()
    assert "share_percent" not in hook.data["facts"] and "answers" not in hook.data["facts"]


def test_printer_and_quiet_from_heartbeats(client, sites, queued) -> None:
    token = sites["kaleva"]
    auth = {"Authorization": f"Bearer {token}"}
    assert (
        client.post("/api/v1/heartbeat", json=beat(printer="paper_out"), headers=auth).status_code
        == 204
    )
    now = datetime.now(UTC)
    opened = _evaluate(client, "kaleva", now)
    assert [(c.kind, c.verdict) for c in opened] == [("printer", OPEN)]
    assert (
        queued.emails()[0][1].title
        == "Skrivaren i apparat aula-1 vid Kalevas hälsostation: slut på papper"
    )
    assert (
        client.post("/api/v1/heartbeat", json=beat(printer="ok"), headers=auth).status_code == 204
    )
    assert [c.verdict for c in _evaluate(client, "kaleva", now)] == [CLEAR]
    # 31 minutes later without a word from either kiosk: both are quiet, each alerted at its site
    later = datetime.now(UTC) + timedelta(minutes=31)
    quiet = _evaluate(client, "kaleva", later) + _evaluate(client, "hervanta", later)
    assert sorted((c.site_id, c.kind) for c in quiet) == [
        ("hervanta", "quiet"),
        ("kaleva", "quiet"),
    ]
    hervanta_mail = [to for to, n in queued.emails() if "Hervann" in n.title]
    assert hervanta_mail == ["hervanta@example.fi"]


def test_a_disabled_rule_clears_its_alert_and_opens_none(client, sites, queued) -> None:
    base = datetime.now(UTC) - timedelta(hours=1)
    accepted(client, sites["kaleva"], ratings(base, [1, 1, 1, 1, 1]))
    assert [c.verdict for c in _evaluate(client, "kaleva", base + timedelta(minutes=6))] == [OPEN]
    with write_transaction(client.app.state.engine) as conn:
        save_rule(conn, "kaleva", Rule("unhappy", enabled=False))
    assert [c.verdict for c in _evaluate(client, "kaleva", base + timedelta(minutes=7))] == [CLEAR]
    assert _evaluate(client, "kaleva", base + timedelta(minutes=8)) == []


def test_evaluations_at_once_open_one_alert(client, sites, queued) -> None:
    base = datetime.now(UTC) - timedelta(hours=1)
    accepted(client, sites["kaleva"], ratings(base, [1, 1, 1, 1, 2]))
    now = base + timedelta(minutes=6)
    results: list = []
    threads = [threading.Thread(target=lambda: results.append(_evaluate(client, "kaleva", now)))
               for _ in range(4)]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(len(r) for r in results) == 1
    with client.app.state.engine.connect() as conn:
        assert len(conn.execute(select(alerts)).all()) == 1
    assert len(queued.emails()) == 1 and len(queued.webhooks()) == 1


def test_the_timer_round_is_claimed_once(client, sites, queued) -> None:
    engine, settings = client.app.state.engine, client.app.state.settings
    later = datetime.now(UTC) + timedelta(minutes=31)
    first = timer_round(engine, settings, later)
    assert sorted(c.site_id for c in first) == ["hervanta", "kaleva"]  # both kiosks quiet
    assert timer_round(engine, settings, later + timedelta(seconds=5)) == []  # claimed already


def test_arrivals_are_evaluated_soon_after_the_answer(client, sites, queued) -> None:
    """Through the API: the watcher evaluates the site a moment after the batch's answer."""
    accepted(
        client, sites["kaleva"], ratings(datetime.now(UTC) - timedelta(minutes=6), [1, 1, 2, 2, 1])
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not queued.emails():
        time.sleep(0.1)
    assert [n.title for _to, n in queued.emails()] == [
        "Missnöjda besökare vid Kalevas hälsostation"
    ]
    deadline = time.monotonic() + 10  # the delivery worker was woken after the alert's commit
    while time.monotonic() < deadline and not queued.attempted():
        time.sleep(0.1)
    assert queued.attempted() >= 1


def test_recipients_and_acknowledgement_stay_in_the_site(client, sites, queued) -> None:
    with write_transaction(client.app.state.engine) as conn:
        hervanta = find_person(conn, "hervanta@example.fi")
        with pytest.raises(RecipientError, match="may not read the reports of site kaleva"):
            add_person(conn, "kaleva", hervanta)
        with pytest.raises(RecipientError, match="must start with https://"):
            add_webhook(conn, "kaleva", "ftp://x", None, "json")
    base = datetime.now(UTC) - timedelta(hours=1)
    accepted(client, sites["kaleva"], ratings(base, [1, 1, 1, 1, 1]))
    (change,) = evaluate_sites(client.app.state.engine, client.app.state.settings, ["kaleva"],
                               base + timedelta(minutes=6))  # fmt: skip
    with write_transaction(client.app.state.engine) as conn:
        from central.alert_store import NoSuchAlertError

        with pytest.raises(NoSuchAlertError):
            acknowledge(conn, change.alert_id, hervanta, "not mine")
        kaleva = find_person(conn, "kaleva@example.fi")
        done = acknowledge(conn, change.alert_id, kaleva, " Soitettu aulaan. ")
    assert (done.acknowledged_by, done.ack_comment) == ("kaleva@example.fi", "Soitettu aulaan.")

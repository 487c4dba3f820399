"""Console benchmark: with N events loaded (default 10 million, a region's year; the loader of
bench_reports.py), every console page's server time (p50 and p95, a signed-in admin's request on
loopback, the page's full HTML) next to the same figures from the JSON API; then, in headless
Debian chromium, the time to a fully rendered page (charts drawn) and the bytes each page
transfers with an empty cache (HTML, scripts, styles; gzipped as served).

    .venv/bin/python bench/bench_console.py [--events 10000000] [--sites 20] [--runs 30]

The SQLite database is kept in .bench/ and reused by the next run of the same size (loading 10
million events takes a while); --fresh loads it again. Prints figures; asserts nothing.
Targets: p95 <= 150 ms server time, <= 1 s to a rendered page, <= 300 kB per page.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from _common import percentile, scratch
from bench_reports import load
from sqlalchemy import func, select

from central.db import make_engine, upgrade
from central.tables import events
from hymy_dev.local_central import LocalCentral

PASSWORD = "benchmark passphrase here"
log = logging.getLogger("bench_console")


@dataclass(frozen=True)
class Case:
    name: str
    page: str
    api: str | None  # the JSON API's nearest answer; None: the page has no API twin


def cases(sites: int) -> list[Case]:
    """The console's pages with the period a manager would ask for, and the API's twin."""
    today = datetime.now(UTC).date()
    month_ago, quarter_ago = today - timedelta(days=27), today - timedelta(days=89)
    one = "site-3" if sites > 3 else "site-0"
    region = "&".join(f"site={s}" for s in (f"site-{i}" for i in range(sites)))
    period = f"from={month_ago}&to={today}"
    return [
        Case("overview (all sites)", "/", f"/api/v1/reports/feedback?{region}&{period}&by=week"),
        Case(
            "site, 4 weeks by day",
            f"/sites/{one}?{period}&by=day",
            f"/api/v1/reports/feedback?site={one}&{period}&by=day",
        ),
        Case(
            "comparison, sites, 90 days",
            f"/compare?{region}&from={quarter_ago}&to={today}&by=site",
            f"/api/v1/reports/feedback?{region}&from={quarter_ago}&to={today}&by=service-point",
        ),
        Case(
            "comments, 4 weeks",
            f"/comments?site={one}&{period}",
            f"/api/v1/reports/comments?site={one}&{period}",
        ),
        Case("fleet", "/fleet", "/api/v1/devices"),
        Case("sites (admin)", "/admin/sites", None),
        Case("users (admin)", "/admin/people", None),
    ]


def _database(events_n: int, sites: int, fresh: bool) -> Path:
    """The SQLite file with the events loaded, made once per size."""
    path = scratch() / f"console-{events_n}-{sites}.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    try:
        if path.exists() and not fresh:
            upgrade(engine)  # a file of an older schema gets the new tables
            with engine.connect() as conn:
                if conn.execute(select(func.count()).select_from(events)).scalar_one() == events_n:
                    return path
        engine.dispose()
        path.unlink(missing_ok=True)
        engine = make_engine(f"sqlite:///{path}")
        upgrade(engine)
        started = time.perf_counter()
        year_ago = datetime.combine(date.today() - timedelta(days=364), datetime.min.time(), UTC)
        load(engine, events_n, sites, comment_share=0.02, year_start=year_ago)
        _say(f"loaded {events_n:,} events in {time.perf_counter() - started:.0f} s ({path})")
        return path
    finally:
        engine.dispose()


def _say(*lines: str) -> None:
    sys.stdout.write("".join(f"{line}\n" for line in lines))
    sys.stdout.flush()


def _signed_in(url: str, email: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=60, follow_redirects=False)
    form = client.get("/login").text
    token = [t for t in re.findall(r'name="csrf_token" value="([^"]*)"', form) if t][-1]
    answer = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token, "next": "/"}
    )
    if answer.status_code != 303:
        raise SystemExit(f"could not sign in as {email}: {answer.status_code} {answer.text[:300]}")
    return client


def _timed(client: httpx.Client, path: str, runs: int) -> tuple[float, float, int] | str:
    """p50 and p95 in ms and the size of the answer, or why it could not be measured."""
    first = client.get(path)
    if first.status_code != 200:
        return f"HTTP {first.status_code}"
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
    return percentile(samples, 50), percentile(samples, 95), len(first.content)


def _browser_figures(url: str, cookies: httpx.Cookies, path: str, runs: int) -> str:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            times, transferred = [], 0
            for _ in range(runs):
                context = browser.new_context(viewport={"width": 1366, "height": 768})
                context.add_cookies(
                    [{"name": c.name, "value": c.value, "url": url} for c in cookies.jar]
                )
                page = context.new_page()
                finished: list = []
                page.on(
                    "requestfinished", lambda request, finished=finished: finished.append(request)
                )
                started = time.perf_counter()
                page.goto(url + path, wait_until="load")
                page.wait_for_function(
                    "[...document.querySelectorAll('canvas[data-chart]')]"
                    ".every(c => c.dataset.drawn)",
                    timeout=10_000,
                )
                times.append((time.perf_counter() - started) * 1000)
                page.wait_for_load_state("networkidle")  # every request finished, then sizes
                transferred = sum(
                    r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"]
                    for r in finished
                )
                context.close()
            return (
                f"rendered p50 {percentile(times, 50):6.0f} ms  p95 {percentile(times, 95):6.0f} ms"
                f"  {transferred / 1000:6.1f} kB"
            )
        finally:
            browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--sites", type=int, default=20)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--browser-runs", type=int, default=5)
    parser.add_argument("--fresh", action="store_true", help="load the events again")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    _say(f"console benchmark: {args.events:,} events over a year in {args.sites} sites (SQLite)")
    database = _database(args.events, args.sites, args.fresh)
    with tempfile.TemporaryDirectory(dir=scratch()) as tmp:
        central = LocalCentral(Path(tmp), db_url=f"sqlite:///{database}")
        if "bench-admin@example.fi" not in central.command("user", "list"):
            central.command(
                *("user", "add", "bench-admin@example.fi", "--role", "admin", "--password-stdin"),
                stdin=PASSWORD + "\n",
            )
        key = central.command("api-key", "create", "--role", "admin").split()[0]
        central.start()
        try:
            person = _signed_in(central.url, "bench-admin@example.fi")
            api = httpx.Client(
                base_url=central.url, timeout=60, headers={"Authorization": f"Bearer {key}"}
            )
            _say(
                f"{'page':<28} {'server p50':>10} {'p95':>8} {'HTML':>8}   "
                f"{'API p50':>8} {'p95':>8}   in chromium (cold cache)"
            )
            for case in cases(args.sites):
                page = _timed(person, case.page, args.runs)
                if isinstance(page, str):
                    _say(f"{case.name:<28} {page}")
                    continue
                twin = _timed(api, case.api, args.runs) if case.api else None
                twin_text = (
                    "       -        -"
                    if twin is None
                    else twin
                    if isinstance(twin, str)
                    else f"{twin[0]:8.1f} {twin[1]:8.1f}"
                )
                shown = _browser_figures(central.url, person.cookies, case.page, args.browser_runs)
                _say(
                    f"{case.name:<28} {page[0]:8.1f} ms {page[1]:8.1f} {page[2] / 1000:6.1f} kB"
                    f"   {twin_text}   {shown}"
                )
            _say("targets: p95 <= 150 ms server time, <= 1 s rendered, <= 300 kB per page")
        finally:
            central.stop()


if __name__ == "__main__":
    main()

"""Public results in chromium, from a served central with 14 days of events that went through
the API: the page without sign-in, and the widget framed by a page of another origin (a
region's website on another port); axe WCAG 2 A/AA clean on a phone and a desktop, in Finnish,
Swedish and English; and a station with fewer answers than its minimum shows no figure at all,
neither in the widget nor on the page. Screenshots go to the test's tmp_path."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.support.axe import axe_check, describe
from tests.support.central import HERVANTA_SITE
from tests.support.live_central import HELSINKI, LiveCentral
from tests.support.paths import EXAMPLE_SITE
from tests.support.smtp import free_port

PUBLIC = "\n[public]\nresults = true\n"
HERVANTA = HERVANTA_SITE + PUBLIC
WCAG = {"runOnly": ["wcag2a", "wcag2aa"]}


@pytest.fixture(scope="module")
def central(seeded_central: LiveCentral, tmp_path_factory: pytest.TempPathFactory) -> LiveCentral:
    folder = tmp_path_factory.mktemp("sites")
    kaleva, hervanta = folder / "kaleva.toml", folder / "hervanta.toml"
    kaleva.write_text(EXAMPLE_SITE.read_text(encoding="utf-8") + PUBLIC, encoding="utf-8")
    hervanta.write_text(HERVANTA, encoding="utf-8")
    seeded_central.command("site", "update", str(kaleva))
    seeded_central.add_site(hervanta)
    few = seeded_central.enrol_kiosk("hervanta-aula", site="hervanta")
    yesterday = datetime.now(HELSINKI).replace(hour=10, minute=0) - timedelta(days=1)
    few.send([few.feedback(r, yesterday + timedelta(minutes=i)) for i, r in enumerate([1, 2, 4])])
    return seeded_central


@pytest.fixture(scope="module")
def region_site(central: LiveCentral) -> Iterator[str]:
    """A region's web page on another origin that frames both stations' widgets."""
    html = (
        '<!doctype html><html lang="fi"><head><meta charset="utf-8"><title>Terveysasemat</title>'
        "</head><body><main><h1>Terveysasemien asiakaspalaute</h1>"
        f'<iframe title="Kalevan terveysasema" src="{central.url}/public/kaleva/widget?lang=fi"'
        ' width="320" height="340" style="border:0"></iframe>'
        f'<iframe title="Hervannan terveysasema" src="{central.url}/public/hervanta/widget'
        '?lang=fi" width="320" height="340" style="border:0"></iframe></main></body></html>'
    ).encode()

    class Region(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *_args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Region)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()


def _figures_in(text: str) -> list[str]:
    """The numbers of a text other than dates (1.11.2026, 2026-11-01, 1 Nov 2026, 1. marraskuuta
    2026), the minimum's 5, the 30 days and the scale's ends."""
    dates = r"\d{1,2}\.\d{1,2}\.\d{4}|\d{4}-\d{2}-\d{2}|\d{1,2}\.? [^\W\d]+\.? \d{4}"
    text = re.sub(dates, "", text)
    return [n for n in re.findall(r"\d+", text) if n not in ("5", "30", "0", "100")]


@pytest.mark.parametrize(
    ("phone", "lang", "words"),
    [(True, "fi", "Tyytyväisyys"), (False, "sv", "nöjdhet"), (False, "en", "satisfaction")],
)
def test_the_public_page_shows_score_and_n_without_sign_in(
    central, new_page, tmp_path: Path, phone, lang, words
) -> None:
    page = new_page(phone=phone, base_url=central.url)
    page.goto(f"/public/kaleva?lang={lang}")
    assert page.locator("html").get_attribute("lang") == lang
    text = page.inner_text("body")
    assert words.lower() in text.lower() and "/ 100" in text
    score = int(page.inner_text(".public-number"))
    assert 0 <= score <= 100
    figures = page.request.get(f"{central.url}/public/kaleva/results.json").json()
    assert figures["n"] == len(central.history.ratings())  # the site's, misuse left out
    assert figures["score"] == score
    shown = re.sub(r"\D", "", page.inner_text(".public-n").split(str(figures["days"]))[0])
    assert shown.startswith(str(figures["n"])), page.inner_text(".public-n")
    violations = axe_check(page, options=WCAG)
    assert not violations, describe(violations)
    page.screenshot(path=str(tmp_path / f"public-{lang}-{'phone' if phone else 'desktop'}.png"))


def test_the_widget_in_another_sites_frame_and_no_figure_below_the_minimum(
    central, region_site, new_page, tmp_path: Path
) -> None:
    page = new_page(base_url=region_site)
    page.goto(region_site)
    kaleva = page.frame_locator('iframe[title="Kalevan terveysasema"]')
    hervanta = page.frame_locator('iframe[title="Hervannan terveysasema"]')
    assert kaleva.locator(".public-number").inner_text().isdigit()  # framed: it loaded
    few = hervanta.locator("body").inner_text()
    assert "liian vähän" in few and _figures_in(few) == [], few
    assert hervanta.locator(".public-number").count() == 0
    violations = axe_check(page, options=WCAG)
    assert not violations, describe(violations)
    page.screenshot(path=str(tmp_path / "public-widgets-framed.png"))

    alone = new_page(base_url=central.url)
    alone.goto("/public/hervanta?lang=en")
    text = alone.inner_text("body")
    assert "Too few answers" in text and _figures_in(text) == [], text
    assert alone.request.get(f"{central.url}/public/hervanta/results.json").json()["n"] is None

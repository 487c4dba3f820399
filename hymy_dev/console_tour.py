"""Screenshots of the web console in headless Debian chromium (Playwright drives it; it never
downloads a browser of its own): signs in through the sign-in form as each person, opens each
page and saves a PNG per page and window size.

`make console-screenshots` runs the whole tour into docs/screenshots/console/: a central with
six weeks of demo history, a manager, an IT person and an admin, every page at 1366x768 and at
a phone's 390x844. `make demo` takes three of them (overview, site, fleet) with `take`.

    .venv/bin/python -m hymy_dev.console_tour [--out docs/screenshots/console]
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",  # the closed network refuses its connections
    "--disable-component-update",
    "--disable-sync",
]
SIZES = {"desktop": (1366, 768), "phone": (390, 844)}
SITE_FILE = ROOT / "assets" / "config" / "example-site.toml"
log = logging.getLogger("console-tour")


@dataclass(frozen=True)
class Person:
    email: str
    password: str
    role: str
    sites: tuple[str, ...] = ()


@dataclass(frozen=True)
class Shot:
    name: str  # the PNG's name without size and extension
    path: str  # the console URL's path and query
    person: Person
    element: str = ""  # a CSS selector: only that part of the page (else all of it)


MANAGER = Person("johtaja@kaleva.example.fi", "Kalevan kevät 2026 demo", "manager", ("kaleva",))
IT = Person("it@hyvinvointialue.example.fi", "Kioskit kuntoon 2026 demo", "it")
ADMIN = Person("admin@hyvinvointialue.example.fi", "Hallinta kuntoon 2026 demo", "admin")


def take(url: str, shots: Iterable[Shot], out_dir: Path, sizes: dict | None = None) -> list[Path]:
    """Sign in as each shot's person and save `out_dir/NAME-SIZE.png`; the files written."""
    from playwright.sync_api import sync_playwright

    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for size, (width, height) in (sizes or SIZES).items():
                contexts: dict[str, object] = {}
                for shot in shots:
                    context = contexts.get(shot.person.email)
                    if context is None:
                        context = browser.new_context(
                            viewport={"width": width, "height": height}, locale="fi-FI"
                        )
                        _sign_in(context, url, shot.person)
                        contexts[shot.person.email] = context
                    page = context.new_page()  # type: ignore[attr-defined]
                    page.goto(url + shot.path, wait_until="networkidle")
                    path = out_dir / f"{shot.name}-{size}.png"
                    if shot.element:
                        page.locator(shot.element).screenshot(path=str(path))
                    else:
                        page.screenshot(path=str(path), full_page=True)
                    page.close()
                    written.append(path)
                for context in contexts.values():
                    context.close()  # type: ignore[attr-defined]
        finally:
            browser.close()
    return written


def _sign_in(context: object, url: str, person: Person) -> None:
    page = context.new_page()  # type: ignore[attr-defined]
    page.goto(f"{url}/login")
    page.fill("#email", person.email)
    page.fill("#password", person.password)
    page.click("form.stack button[type=submit]")
    page.wait_for_url(lambda address: "/login" not in address)
    page.close()


def demo_people(central: object, people: Iterable[Person] = (MANAGER, IT, ADMIN)) -> None:
    """Add the demo's people to a hymy_dev.local_central.LocalCentral."""
    for person in people:
        scope = [arg for site in person.sites for arg in ("--site", site)]
        central.command(  # type: ignore[attr-defined]
            "user", "add", person.email, "--role", person.role, *scope, "--password-stdin",
            stdin=person.password + "\n",
        )  # fmt: skip


def every_page() -> list[Shot]:
    """Every page of the console, as the person who uses it."""
    return [
        Shot("login", "/login", MANAGER),
        Shot("overview", "/", MANAGER),
        Shot("site", "/sites/kaleva", MANAGER),
        Shot("site-national", "/sites/kaleva", MANAGER, "section:has(#national)"),
        Shot("compare", "/compare?by=service-point", MANAGER),
        Shot("comments", "/comments", MANAGER),
        Shot("fleet", "/fleet", IT),
        Shot("admin-sites", "/admin/sites", ADMIN),
        Shot("admin-site", "/admin/sites/kaleva", ADMIN),
        Shot("admin-site-questions", "/admin/sites/kaleva", ADMIN, "section:has(#questions)"),
        Shot("admin-people", "/admin/people", ADMIN),
        Shot("admin-api-keys", "/admin/api-keys", ADMIN),
        Shot("alerts", "/alerts", MANAGER),
        Shot("site-alerts", "/sites/kaleva/alerts", MANAGER),
        Shot("deliveries", "/deliveries", IT),
        Shot("public", "/public/kaleva?lang=fi", MANAGER),
        Shot("public-widget", "/public/kaleva/widget?lang=fi", MANAGER),
    ]


# The example site as one that publishes its results, has a start-screen message and asks the
# national question set beside its older kiosks' smileys (the example set, added in `main`).
DEMO_EXTRAS = """
[public]
results = true

[message]
fi = "Toivoitte lisää istumapaikkoja: aulassa on nyt 12 uutta tuolia."
sv = "Ni önskade fler sittplatser: i väntrummet finns nu 12 nya stolar."
en = "You asked for more seats: the lobby now has 12 new chairs."
"""


def main(argv: list[str] | None = None) -> int:
    from hymy_dev.demo_history import enroll, send_history
    from hymy_dev.local_central import LocalCentral
    from hymy_dev.tour_national import example_questions

    parser = argparse.ArgumentParser(prog="python -m hymy_dev.console_tour", description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots" / "console")
    parser.add_argument("--only", nargs="*", default=None, help="these pages only (their names)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    with tempfile.TemporaryDirectory() as tmp:
        central = LocalCentral(Path(tmp))
        site_file = Path(tmp) / "kaleva.toml"
        questions = (ROOT / "assets" / "config" / "example-questions.toml").read_text("utf-8")
        site_file.write_text(
            SITE_FILE.read_text(encoding="utf-8") + DEMO_EXTRAS + "\n" + questions,
            encoding="utf-8",
        )
        central.add_site(site_file)
        demo_people(central)
        with central:
            token = enroll(central.url, central.enroll_code("kaleva"), "kaleva-aula-2")
            sent = send_history(central.url, token, questions=example_questions())
            log.info("history: %d events", sent)
            args.out.mkdir(parents=True, exist_ok=True)  # other PNGs there (the PDF's) stay
            shots = [s for s in every_page() if args.only is None or s.name in args.only]
            for path in take(central.url, shots, args.out):
                log.info("saved %s", path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

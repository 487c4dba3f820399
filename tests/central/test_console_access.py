"""Who may open which console page, over real data ingested through the API for two sites: a
manager of kaleva never reads hervanta (page, download, any hand-typed URL), an admin reads
both, IT staff read no comments, and a kiosk's device token opens no page at all.

MANAGER_PAGES lists every page a manager may open for a site; a page whose route is not on this
branch yet is skipped with its name, so the test bites once it lands."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from central.db import write_transaction
from central.people import add_person
from central.web.session import COOKIE
from tests.support.central import (
    ENGLISH,
    HERVANTA_SITE,
    add_site,
    comment_at,
    enrol,
    send,
)
from tests.support.console import PASSWORD, sign_in

OWN, OTHER = "kaleva", "hervanta"
MANAGER = "esihenkilo@example.fi"
ADMIN = "paakayttaja@example.fi"
IT = "tuki@example.fi"

# (the route's path, a URL of it that names the other site): each must be refused (403).
MANAGER_PAGES = [
    ("/comments", "/comments?site={other}"),
    ("/comments", "/comments?site={other}&download=csv&table=comments"),
    ("/comments", "/comments?site={other}&download=xlsx&table=comments"),
    ("/comments", "/comments?site={own}&site={other}"),
    ("/comments", "/comments?site={other}&site={own}&download=csv&table=comments"),
    ("/comments", "/comments?site={other_upper}"),
    ("/comments", "/comments?site={other}%20%20"),
    ("/comments", "/comments?site=%20{other_upper}%20&download=xlsx&table=comments"),
    ("/comments", "/comments?site={own}&site={own}&site={other}"),
    ("/sites/{site}", "/sites/{other}"),
    ("/sites/{site}", "/sites/{other_upper}"),
    ("/sites/{site}", "/sites/{other}?download=csv&table=feedback"),
    ("/compare", "/compare?site={other}"),
    ("/compare", "/compare?site={own}&site={other}"),
    ("/compare", "/compare?site={own}&site={other}&download=xlsx&table=comparison"),
]
# Pages of a signed-in manager for their own site: open (200).
OWN_PAGES = [
    ("/", "/"),
    ("/comments", "/comments"),
    ("/comments", "/comments?site={own}"),
    ("/comments", "/comments?site={own_upper}%20"),
    ("/sites/{site}", "/sites/{own}"),
    ("/compare", "/compare?site={own}"),
]


def url(template: str) -> str:
    return template.format(
        own=OWN, other=OTHER, own_upper=OWN.upper(), other_upper=OTHER.upper(), site="{site}"
    )


def console_routes() -> set[str]:
    """The paths of the console's pages: every router in central.web.PAGE_MODULES."""
    from central.web import PAGE_MODULES

    return {r.path for module in PAGE_MODULES for r in module.router.routes}


def skip_unless_routed(route: str) -> None:
    if route not in console_routes():
        pytest.skip(f"the console has no route {route} on this branch yet")


def two_sites(client: TestClient) -> dict[str, str]:
    """kaleva and hervanta, a kiosk each with commented ratings sent through the API, and a
    manager of kaleva, an admin and an IT person; returns the kiosks' device tokens."""
    add_site(client)
    add_site(client, HERVANTA_SITE)
    tokens = {site: enrol(client, site, f"aula-{site}") for site in (OWN, OTHER)}
    sent = send(
        client,
        tokens[OWN],
        [comment_at(1, "Kalevan oma kommentti"), comment_at(2, "Toinen Kalevan kommentti")],
    )
    assert sent.json()["accepted"] == 2
    sent = send(client, tokens[OTHER], [comment_at(1.5, "Hervannan salainen kommentti")])
    assert sent.json()["accepted"] == 1
    with write_transaction(client.app.state.engine) as conn:
        add_person(conn, MANAGER, "manager", [OWN], PASSWORD)
        add_person(conn, ADMIN, "admin", [], PASSWORD)
        add_person(conn, IT, "it", [], PASSWORD)
    return tokens


class Console:
    """A central with two_sites' data, and a session cookie of each person (each signed in
    once: a password check costs argon2's time on purpose)."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.tokens = two_sites(client)
        self.cookies: dict[str, str] = {}
        for email in (MANAGER, ADMIN, IT):
            client.cookies.clear()
            assert sign_in(client, email).status_code == 303
            self.cookies[email] = client.cookies[COOKIE]
        client.cookies.clear()

    def as_(self, email: str | None) -> TestClient:
        """The client with this person's session (None: signed out)."""
        self.client.cookies.clear()
        if email:
            self.client.cookies.set(COOKIE, self.cookies[email])
        return self.client


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    from central.app import create_app
    from central.settings import Settings

    settings = Settings(data_dir=tmp_path_factory.mktemp("console"))
    with TestClient(create_app(settings), base_url="http://127.0.0.1", headers=ENGLISH) as client:
        yield Console(client)


@pytest.mark.parametrize(("route", "template"), MANAGER_PAGES)
def test_a_manager_is_refused_the_other_site_on_every_page_and_url(
    console: Console, route: str, template: str
) -> None:
    skip_unless_routed(route)
    answer = console.as_(MANAGER).get(url(template), follow_redirects=False)
    assert answer.status_code == 403, (template, answer.status_code)
    assert "Hervannan" not in answer.text
    assert "attachment" not in answer.headers.get("content-disposition", "")


@pytest.mark.parametrize(("route", "template"), OWN_PAGES)
def test_a_manager_opens_their_own_sites_pages(console: Console, route: str, template: str) -> None:
    skip_unless_routed(route)
    answer = console.as_(MANAGER).get(url(template), follow_redirects=False)
    assert answer.status_code == 200, (template, answer.status_code)
    assert "Hervannan" not in answer.text  # neither the other site's name nor its comments


def test_a_manager_reads_only_their_sites_comments_by_default(console: Console) -> None:
    client = console.as_(MANAGER)
    page = client.get("/comments")
    assert "Kalevan oma kommentti" in page.text and "Toinen Kalevan kommentti" in page.text
    assert "Hervannan salainen kommentti" not in page.text
    assert 'value="hervanta"' not in page.text  # not even offered in the filter
    csv = client.get("/comments?download=csv&table=comments")
    assert csv.status_code == 200
    assert "Kalevan oma kommentti" in csv.text and "Hervannan" not in csv.text


def test_an_admin_reads_both_sites(console: Console) -> None:
    client = console.as_(ADMIN)
    page = client.get("/comments")
    assert page.status_code == 200
    for text in ("Kalevan oma kommentti", "Hervannan salainen kommentti"):
        assert text in page.text
    only_other = client.get(f"/comments?site={OTHER}")
    assert "Hervannan salainen kommentti" in only_other.text
    assert "Kalevan oma kommentti" not in only_other.text
    assert client.get("/comments?site=no-such-site").status_code == 404


def test_it_staff_read_no_comments(console: Console) -> None:
    client = console.as_(IT)
    for target in ("/comments", f"/comments?site={OWN}&download=csv&table=comments"):
        answer = client.get(target, follow_redirects=False)
        assert answer.status_code == 403
        assert "Kalevan" not in answer.text


@pytest.mark.parametrize(
    ("route", "target"),
    [("/", "/"), ("/comments", "/comments"), ("/comments", "/comments?download=csv&table=comments")]
    + [(route, url(template)) for route, template in OWN_PAGES if route != "/"],
)
def test_a_device_token_opens_no_page(console: Console, route: str, target: str) -> None:
    skip_unless_routed(route)
    token = console.tokens[OWN]
    answer = console.as_(None).get(
        target, headers={"Authorization": f"Bearer {token}"}, follow_redirects=False
    )
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login?next=")

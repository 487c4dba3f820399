"""The console's comments page over comments ingested through the API: each filter narrows the
list, paging by 50, names in Finnish and Swedish (a retired service point marked), the download
equal to the API's answer for the same filters, and a comment's text shown and downloaded
harmlessly (escaped in HTML, a leading `=` defused in CSV)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from central.access import create_api_key
from central.db import write_transaction
from central.people import add_person, set_language
from central.site_store import retire_parts
from central.web.session import COOKIE
from tests.support.central import ENGLISH, HERVANTA_SITE, add_site, comment_at, enrol, send
from tests.support.console import PASSWORD, sign_in

HELSINKI = ZoneInfo("Europe/Helsinki")
ADMIN = "paakayttaja@example.fi"
TODAY = datetime.now(HELSINKI).date()
# Around the kiosks: (hours ago, comment, rating, service point, reason)
SENT = [
    (1, "Laboratorio oli nopea", 4, "laboratorio", "friendly-staff"),
    (2, "Odotin liian kauan", 1, "laboratorio", "waiting-time"),
    (3, "Lääkäri kuunteli", 3, "laakarin-vastaanotto", None),
    (4, "Jonotin tunnin", 2, "neuvola", "waiting-time"),
    (5, "<script>alert('x')</script>", 2, None, None),
    (6, '=HYPERLINK("http://pahis.example")', 1, None, None),
    (24 * 40, "Vanha kommentti", 4, "laboratorio", None),  # older than the default 30 days
]


class Page:
    """A central with SENT at kaleva (and one comment at hervanta), an admin signed in once."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        add_site(client)
        add_site(client, HERVANTA_SITE)
        token = enrol(client, "kaleva", "aula-kaleva")
        items = [
            comment_at(hours, text, rating=rating, service_point=point, reason=reason)
            for hours, text, rating, point, reason in SENT
        ]
        assert send(client, token, items).json()["accepted"] == len(items)
        other = enrol(client, "hervanta", "aula-hervanta")
        assert send(client, other, [comment_at(2.5, "Hervannassa hyvin")]).json()["accepted"] == 1
        with write_transaction(client.app.state.engine) as conn:
            self.admin_id = add_person(conn, ADMIN, "admin", [], PASSWORD).id
            key, _ = create_api_key(conn, "admin", [])
        self.api = {"Authorization": f"Bearer {key}"}
        assert sign_in(client, ADMIN).status_code == 303
        self.cookie = client.cookies[COOKIE]

    def get(self, query: str = "", **headers: str):
        self.client.cookies.set(COOKIE, self.cookie)
        answer = self.client.get(f"/comments{query}", headers=headers)
        assert answer.status_code == 200, answer.text
        return answer

    def listed(self, query: str = "") -> list[str]:
        """The comments the page lists, in order (as their text appears in the HTML)."""
        html = self.get(query).text
        shown = [text for _h, text, *_ in SENT if _escaped(text) in html]
        shown += ["Hervannassa hyvin"] if "Hervannassa hyvin" in html else []
        return sorted(shown, key=lambda text: html.index(_escaped(text)))


def _escaped(text: str) -> str:
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&#34;")
        .replace("'", "&#39;")
    )


@pytest.fixture(scope="module")
def comments(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    from central.app import create_app
    from central.settings import Settings

    settings = Settings(data_dir=tmp_path_factory.mktemp("comments"))
    with TestClient(create_app(settings), base_url="http://127.0.0.1", headers=ENGLISH) as client:
        yield Page(client)


def test_by_default_the_last_30_days_of_every_site_newest_first(comments: Page) -> None:
    assert comments.listed() == [
        "Laboratorio oli nopea",
        "Odotin liian kauan",
        "Hervannassa hyvin",
        "Lääkäri kuunteli",
        "Jonotin tunnin",
        "<script>alert('x')</script>",
        '=HYPERLINK("http://pahis.example")',
    ]
    html = comments.get().text
    assert f'name="from" type="date" value="{TODAY - timedelta(days=29)}"' in html
    assert f'name="to" type="date" value="{TODAY}"' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?site=hervanta", ["Hervannassa hyvin"]),
        ("?site=kaleva&service_point=laboratorio", ["Laboratorio oli nopea", "Odotin liian kauan"]),
        ("?site=kaleva&rating=1", ["Odotin liian kauan", '=HYPERLINK("http://pahis.example")']),
        (
            "?site=kaleva&rating=2&rating=3",
            ["Lääkäri kuunteli", "Jonotin tunnin", "<script>alert('x')</script>"],
        ),
        ("?reason=waiting-time", ["Odotin liian kauan", "Jonotin tunnin"]),
        ("?site=kaleva&service_point=laboratorio&rating=1", ["Odotin liian kauan"]),
        (
            f"?site=kaleva&from={TODAY - timedelta(days=60)}&rating=4",
            ["Laboratorio oli nopea", "Vanha kommentti"],
        ),
        (f"?from={TODAY + timedelta(days=1)}&to={TODAY + timedelta(days=2)}", []),
    ],
)
def test_each_filter_narrows_the_list(comments: Page, query: str, expected: list[str]) -> None:
    assert comments.listed(query) == expected


def test_an_empty_period_says_so_in_words(comments: Page) -> None:
    html = comments.get(f"?from={TODAY + timedelta(days=1)}&to={TODAY + timedelta(days=1)}").text
    assert "No comments in this period" in html
    assert "Download CSV" not in html


def test_filters_stay_in_the_form_for_a_shared_link(comments: Page) -> None:
    html = comments.get("?site=kaleva&rating=1&rating=4&reason=waiting-time").text
    assert 'name="rating" value="1" checked' in html and 'name="rating" value="4" checked' in html
    assert 'name="rating" value="2" >' in html
    assert '<option value="waiting-time" selected>' in html
    assert '<option value="kaleva" selected>' in html
    assert '<option value="hervanta" >' in html


def test_a_bad_filter_is_a_sentence_not_a_crash(comments: Page) -> None:
    comments.client.cookies.set(COOKIE, comments.cookie)
    for query, words in [
        ("?rating=5", "a rating is 1, 2, 3 or 4"),
        ("?rating=many", "not a number"),
        ("?from=30.11.2026", "not a date"),
        ("?from=2026-11-30&to=2026-11-01", "before it starts"),
    ]:
        answer = comments.client.get(f"/comments{query}")
        assert answer.status_code == 400, query
        assert words in answer.text


def test_rating_words_and_a_smiley_with_a_text_alternative(comments: Page) -> None:
    html = comments.get("?site=kaleva&rating=1").text
    assert 'src="/static/console/smiley-1.svg" alt="Rating 1 of 4:"' in html
    assert "Very unhappy" in html
    svg = comments.client.get("/static/console/smiley-1.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")


@pytest.mark.usefixtures("msgids")
def test_names_in_finnish_and_swedish_and_a_retired_point_marked(comments: Page) -> None:
    query = "?site=kaleva&service_point=laboratorio&rating=1"
    finnish = comments.get(query, **{"accept-language": "fi"}).text
    assert "Kalevan terveysasema" in finnish and "Laboratorio" in finnish
    assert "Odotusaika" in finnish
    with write_transaction(comments.client.app.state.engine) as conn:
        set_language(conn, comments.admin_id, "sv")  # the person's own choice
    try:
        swedish = comments.get(query).text
        assert "Kalevas hälsostation" in swedish and "Laboratoriet" in swedish
        assert "Väntetiden" in swedish
        assert ">laboratorio<" not in swedish  # never the bare id where a name exists
        with write_transaction(comments.client.app.state.engine) as conn:
            retire_parts(conn, "kaleva", ["laboratorio"], [])
        retired = comments.get(query).text
        assert "Laboratoriet (retired)" in retired  # the catalogs translate the mark later
    finally:
        with write_transaction(comments.client.app.state.engine) as conn:
            retire_parts(conn, "kaleva", ["laboratorio"], [], undo=True)
            set_language(conn, comments.admin_id, None)


def test_a_comment_with_a_script_is_shown_escaped(comments: Page) -> None:
    html = comments.get("?site=kaleva&rating=2").text
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html


def _csv_rows(answer) -> list[list[str]]:
    text = answer.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_a_comment_starting_with_equals_is_defused_in_csv(comments: Page) -> None:
    answer = comments.get(
        "?site=kaleva&rating=1&download=csv&table=comments", **{"accept-language": "fi"}
    )
    assert answer.headers["content-disposition"] == (
        f'attachment; filename="hymy-kaleva-{TODAY - timedelta(days=29)}-{TODAY}-comments.csv"'
    )
    comments_column = [row[-1] for row in _csv_rows(answer)[1:]]
    assert comments_column == ["Odotin liian kauan", '\'=HYPERLINK("http://pahis.example")']


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"site": ["kaleva"], "rating": ["1", "2"]},
        {"site": ["kaleva"], "service_point": ["laboratorio"]},
        {"site": ["kaleva", "hervanta"], "reason": ["waiting-time"]},
        {"site": ["kaleva"], "from": str(TODAY - timedelta(days=60)), "to": str(TODAY)},
    ],
)
def test_the_download_equals_the_apis_answer(comments: Page, filters: dict) -> None:
    query = {"from": str(TODAY - timedelta(days=29)), "to": str(TODAY), **filters}
    query.setdefault("site", ["kaleva", "hervanta"])
    api = comments.client.get(
        "/api/v1/reports/comments", params={**query, "limit": 500}, headers=comments.api
    )
    assert api.status_code == 200, api.text
    expected = [
        (
            datetime.fromisoformat(c["occurred_at"])
            .astimezone(HELSINKI)
            .strftime("%Y-%m-%d %H:%M:%S"),
            c["rating"],
            c["comment"],
        )
        for c in api.json()["comments"]
    ]
    comments.client.cookies.set(COOKIE, comments.cookie)
    params = {**query, "download": "xlsx", "table": "comments"}
    answer = comments.client.get("/comments", params=params)
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Time (Finnish time)"
    rating, comment = rows[0].index("Rating (1-4)"), rows[0].index("Comment")
    assert [(row[0], row[rating], row[comment]) for row in rows[1:]] == expected
    assert expected  # every case lists something


def test_paging_by_50_keeps_the_filters(tmp_path) -> None:
    from central.app import create_app
    from central.settings import Settings

    with TestClient(
        create_app(Settings(data_dir=tmp_path)), base_url="http://127.0.0.1", headers=ENGLISH
    ) as c:
        add_site(c)
        token = enrol(c, "kaleva", "aula-kaleva")
        items = [comment_at(minutes / 60, f"nro {minutes}") for minutes in range(1, 121)]
        assert send(c, token, items).json()["accepted"] == 120
        with write_transaction(c.app.state.engine) as conn:
            add_person(conn, "esihenkilo@example.fi", "manager", ["kaleva"], PASSWORD)
        sign_in(c, "esihenkilo@example.fi")
        first = c.get("/comments?rating=4", headers={"accept-language": "en"}).text
        assert "Showing 1–50 of 120" in first
        assert "nro 1<" in first and "nro 50<" in first and "nro 51<" not in first
        assert 'href="?rating=4&amp;page=2" rel="next"' in first and 'rel="prev"' not in first
        second = c.get("/comments?rating=4&page=2").text
        assert "Showing 51–100 of 120" in second
        assert "nro 51<" in second and "nro 100<" in second and "nro 101<" not in second
        assert 'href="?rating=4&amp;page=1" rel="prev"' in second
        assert 'href="?rating=4&amp;page=3" rel="next"' in second
        third = c.get("/comments?rating=4&page=3").text
        assert "Showing 101–120 of 120" in third and 'rel="next"' not in third
        # The download holds all of them, not only a page.
        download = c.get("/comments?rating=4&page=2&download=csv&table=comments")
        assert len(_csv_rows(download)) == 1 + 120


def test_the_api_narrows_comments_by_service_point_rating_and_reason(client, enrolment) -> None:
    """The filters the page uses, in SQL on SQLite and PostgreSQL, through the API."""
    items = [
        comment_at(hours, text, rating=rating, service_point=point, reason=reason)
        for hours, text, rating, point, reason in SENT
    ]
    assert send(client, enrolment["token"], items).json()["accepted"] == len(items)
    with write_transaction(client.app.state.engine) as conn:
        key, _ = create_api_key(conn, "manager", ["kaleva"])
    period = {"site": "kaleva", "from": str(TODAY - timedelta(days=29)), "to": str(TODAY)}

    def listed(**filters) -> list[str]:
        answer = client.get(
            "/api/v1/reports/comments",
            params={**period, **filters},
            headers={"Authorization": f"Bearer {key}"},
        )
        assert answer.status_code == 200, answer.text
        return [c["comment"] for c in answer.json()["comments"]]

    assert len(listed()) == 6
    assert listed(service_point="laboratorio") == ["Laboratorio oli nopea", "Odotin liian kauan"]
    assert listed(rating=["2", "3"]) == [
        "Lääkäri kuunteli",
        "Jonotin tunnin",
        "<script>alert('x')</script>",
    ]
    assert listed(reason="waiting-time", rating="2") == ["Jonotin tunnin"]
    assert listed(service_point=["neuvola", "laakarin-vastaanotto"], limit=1) == [
        "Lääkäri kuunteli"
    ]
    refused = client.get(
        "/api/v1/reports/comments",
        params={**period, "rating": "7"},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert refused.status_code == 422 and "a rating is 1, 2, 3 or 4" in refused.json()["detail"]

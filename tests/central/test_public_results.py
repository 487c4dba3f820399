"""Public results (central.public_results, central.web.public_page): opt-in per site, 404 like
an unknown address otherwise, the small-number rule, the languages, the headers (only the
widget may be framed, short caching) and the JSON; and the site's message in the kiosk config."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from central.site_changes import site_changes
from central.sites import SiteError, kiosk_config, parse_site, site_toml
from tests.support.central import accepted, add_site, enrol, ratings
from tests.support.paths import EXAMPLE_SITE

PUBLIC = "\n[public]\nresults = true\n"
MESSAGE = '\n[message]\nfi = "Toivoitte lisää tuoleja: aulassa on nyt 12 uutta."\n'


def _site(extra: str = "") -> str:
    return EXAMPLE_SITE.read_text(encoding="utf-8") + extra


def _rate(client, values: list[int]) -> None:
    token = enrol(client, "kaleva")
    accepted(client, token, ratings(datetime.now(UTC) - timedelta(hours=2), values))


def test_a_site_that_has_not_opted_in_answers_as_an_unknown_one(client):
    add_site(client)
    _rate(client, [4] * 6)
    for path in ("/public/kaleva", "/public/kaleva/widget", "/public/kaleva/results.json"):
        hidden, unknown = client.get(path), client.get(path.replace("kaleva", "no-such"))
        assert hidden.status_code == unknown.status_code == 404
        # The same answer but for the address it names.
        assert hidden.content.replace(b"kaleva", b"no-such") == unknown.content
    browser = {"Accept": "text/html"}
    hidden = client.get("/public/kaleva", headers=browser)
    unknown = client.get("/public/no-such", headers=browser)
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.text.replace("kaleva", "no-such") == unknown.text


def test_the_page_the_widget_and_the_json_show_score_and_n(client):
    add_site(client, _site(PUBLIC))
    _rate(client, [4, 4, 3, 3, 2, 1])  # score (100+100+66.7+66.7+33.3+0)/6 = 61.1
    figures = client.get("/public/kaleva/results.json")
    assert figures.status_code == 200 and figures.headers["access-control-allow-origin"] == "*"
    data = figures.json()
    assert data["score"] == 61 and data["n"] == 6 and data["hidden"] is False
    assert data["days"] == 30 and data["name"]["sv"] == "Kalevas hälsostation"
    assert set(data) == {"site", "name", "from", "to", "days", "n", "hidden", "fewer_than",
                         "min_answers", "score"}  # fmt: skip
    page = client.get("/public/kaleva?lang=sv")
    assert page.status_code == 200 and 'lang="sv"' in page.text
    assert "Kalevas hälsostation" in page.text and ">61<" in page.text
    assert "från 6 svar" in page.text
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "public, max-age=300"
    widget = client.get("/public/kaleva/widget", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert widget.status_code == 200 and 'lang="en"' in widget.text
    assert "frame-ancestors *" in widget.headers["content-security-policy"]
    assert 'aria-label="Satisfaction score 61 out of 100, from 6 answers"' in widget.text
    again = client.get("/public/kaleva/widget", headers={"If-None-Match": widget.headers["etag"],
                                                         "Accept-Language": "en"})  # fmt: skip
    assert again.status_code == 304
    # The console itself stays unframeable.
    assert "frame-ancestors 'none'" in client.get("/login").headers["content-security-policy"]


def test_below_the_minimum_there_is_no_score_and_no_count(client):
    add_site(client, _site(PUBLIC + "\n[reports]\nmin_answers = 7\n"))
    _rate(client, [4, 4, 4, 4, 4, 4])
    data = client.get("/public/kaleva/results.json").json()
    assert data["score"] is None and data["n"] is None and data["fewer_than"] == 7
    page = client.get("/public/kaleva?lang=fi").text
    assert "Vastauksia on vielä liian vähän" in page and "/ 100" not in page
    assert "6" not in page.split("<main>")[1].split("Vastauksia")[0]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_no_answers_at_all_says_too_few_as_well(client):
    add_site(client, _site(PUBLIC))
    data = client.get("/public/kaleva/results.json").json()
    assert data["n"] == 0 and data["score"] is None
    assert "Too few answers yet" in client.get("/public/kaleva?lang=en").text


def test_public_and_message_round_trip_through_the_site_file():
    definition = parse_site(_site(PUBLIC + MESSAGE))
    assert definition.public.results and definition.message.fi.startswith("Toivoitte")
    assert parse_site(site_toml(definition)) == definition
    assert parse_site(_site()).public.results is False  # off unless opted in
    config = kiosk_config(definition, kiosk_id="aula-1", slot=0)
    assert config["message"] == {"fi": definition.message.fi}
    assert "message" not in kiosk_config(parse_site(_site()), kiosk_id="aula-1", slot=0)
    assert "public" not in config and "reports" not in config
    changes = site_changes(parse_site(_site()), definition)
    assert "public results: on (a page and a widget without sign-in)" in changes
    assert any(line.startswith("kiosk message in fi: Toivoitte") for line in changes)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("x" * 181, "181 characters long"),
        ("Soita 040 123 4567", "phone number"),
        ("Kaksi\nriviä", "one paragraph"),
        (" tyhjä alku", "starts or ends"),
        ("", "is empty"),
    ],
)
def test_a_message_the_kiosk_could_not_show_is_refused(text, says):
    with pytest.raises(SiteError, match=says):
        parse_site(_site(f"\n[message]\nsv = {json.dumps(text)}\n"))

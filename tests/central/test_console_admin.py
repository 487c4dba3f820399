"""The console's admin pages against the real app and database: sites edited in the form and
as a site file (the kiosks' config and its ETag follow), enrolment codes that enrol, people
and API keys; CSRF on every POST, and 403 for everyone but admins."""

from __future__ import annotations

import logging
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from central.db import write_transaction
from central.people import find_person
from central.site_store import load_site
from central.tables import api_keys, enroll_codes, people, sites
from tests.support.central import ENGLISH, OTHER_SITE, add_site, make_code
from tests.support.console import PASSWORD, csrf_of, person, sign_in
from tests.support.console_forms import as_admin, config, form_of, submit
from tests.support.paths import EXAMPLE_SITE


@pytest.fixture
def sqlite_client(tmp_path):
    from central.app import create_app
    from central.settings import Settings

    with TestClient(
        create_app(Settings(data_dir=tmp_path)), base_url="http://127.0.0.1", headers=ENGLISH
    ) as c:
        c.headers["Accept-Language"] = "en"
        yield c


def test_a_service_point_renamed_in_the_form_changes_the_kiosks_config(
    client: TestClient, enrolment: dict
) -> None:
    as_admin(client)
    before = config(client, enrolment)
    page = client.get("/admin/sites/kaleva")
    assert page.status_code == 200 and "Laboratorio" in page.text
    form = form_of(page.text, "/admin/sites/kaleva")
    assert form["sp-0-id"] == ["laboratorio"] and form["sp-0-prefix"] == ["L"]
    preview = submit(client, "/admin/sites/kaleva", form, sp_0_name_fi="Näytteenotto")
    assert (
        preview.status_code == 200 and "service point changed: laboratorio (name)" in preview.text
    )
    assert config(client, enrolment).headers["etag"] == before.headers["etag"]  # not saved yet
    saved = submit(client, "/admin/sites/kaleva", form, sp_0_name_fi="Näytteenotto", action="save")
    assert saved.status_code == 200 and "Saved" in saved.text
    after = config(client, enrolment)
    assert after.headers["etag"] != before.headers["etag"]
    lab = after.json()["service_points"][0]
    assert lab["id"] == "laboratorio" and lab["name"]["fi"] == "Näytteenotto"
    assert lab["name"]["sv"] == "Laboratoriet" and lab["range"] == [1, 100]
    stale = client.get(
        "/api/v1/config",
        headers={
            "Authorization": f"Bearer {enrolment['token']}",
            "If-None-Match": before.headers["etag"],
        },
    )
    assert stale.status_code == 200


def test_an_invalid_edit_shows_its_problem_keeps_the_input_and_saves_nothing(
    sqlite_client: TestClient,
) -> None:
    add_site(sqlite_client)
    kiosk = sqlite_client.post(
        "/api/v1/enroll", json={"code": make_code(sqlite_client), "kiosk_id": "aula-1"}
    ).json()
    as_admin(sqlite_client)
    before = config(sqlite_client, kiosk)
    form = form_of(sqlite_client.get("/admin/sites/kaleva").text, "/admin/sites/kaleva")
    for changes, field, words in (
        ({"sp_0_prefix": "ll", "sp_0_name_fi": "Uusi nimi"}, "sp-0-prefix", "One capital letter"),
        ({"sp_1_prefix": "L"}, "sp-1-prefix", "Another service point offered has this letter"),
        ({"site_timezone": "Mars/Olympus"}, "site-timezone", "Not a time zone"),
        ({"site_timezone": "Asia/Kolkata"}, "site-timezone", "whole number of hours"),
        ({"sp_new_id": "Rokotus", "sp_new_prefix": "R", "sp_new_name_fi": "Rokotukset"},
         "sp-new-id", "Lowercase letters"),
        ({"rs_new_id": "parking", "rs_new_name_en": "Parking"},
         "rs-new-ratings", "at least one rating"),
        ({"rs_0_ratings": None}, "rs-0-ratings", "at least one rating"),
        ({"sp_2_name_fi": "", "sp_2_name_sv": "", "sp_2_name_en": ""},
         "sp-2-name-fi", "at least one language"),
    ):  # fmt: skip
        answer = submit(sqlite_client, "/admin/sites/kaleva", form, action="save", **changes)
        assert answer.status_code == 422, changes
        assert words in answer.text, changes
        assert f'id="{field}-error"' in answer.text, changes
        assert "Nothing was saved" in answer.text
    kept = submit(
        sqlite_client,
        "/admin/sites/kaleva",
        form,
        sp_0_prefix="ll",
        sp_0_name_fi="Uusi nimi",
        action="save",
    )
    assert 'value="ll"' in kept.text and 'value="Uusi nimi"' in kept.text
    every = {name: None for name in form if name.endswith("-id") and name.startswith("sp-")}
    retire_all = {name[:-3].replace("-", "_") + "_retire": "1" for name in every}
    none_left = submit(sqlite_client, "/admin/sites/kaleva", form, action="save", **retire_all)
    assert none_left.status_code == 422 and "at least one service point" in none_left.text
    after = config(sqlite_client, kiosk)
    assert after.headers["etag"] == before.headers["etag"] and after.json() == before.json()


def test_service_points_and_reasons_added_retired_and_back_in_service(
    sqlite_client: TestClient,
) -> None:
    add_site(sqlite_client)
    as_admin(sqlite_client)
    form = form_of(sqlite_client.get("/admin/sites/kaleva").text, "/admin/sites/kaleva")
    assert form["sp-4-id"] == ["neuvola"]
    saved = submit(
        sqlite_client,
        "/admin/sites/kaleva",
        form,
        action="save",
        sp_4_retire="1",
        sp_new_id="rokotukset",
        sp_new_prefix="R",
        sp_new_name_fi="Rokotukset",
        sp_new_name_sv="Vaccinationer",
        rs_new_id="parking",
        rs_new_ratings=["1", "2"],
        rs_new_name_en="Parking",
        rs_1_retire="1",
    )
    assert saved.status_code == 200, saved.text
    assert (
        "service point retired: neuvola" in saved.text
        and "service point added: rokotukset" in saved.text
    )
    with sqlite_client.app.state.engine.connect() as conn:
        site = load_site(conn, "kaleva")
    assert [p.id for p in site.service_points][-1] == "rokotukset"
    assert [p.id for p in site.retired.service_points] == ["neuvola"]
    assert [r.id for r in site.feedback.reasons] == ["waiting-time", "parking"]
    assert (
        site.feedback.reasons[1].ratings == [1, 2]
        and site.retired.reasons[0].id == "friendly-staff"
    )
    form = form_of(saved.text, "/admin/sites/kaleva")
    assert form["rsp-0-id"] == ["neuvola"]
    back = submit(sqlite_client, "/admin/sites/kaleva", form, action="save", rsp_0_restore="1")
    assert "service point back in service: neuvola" in back.text
    with sqlite_client.app.state.engine.connect() as conn:
        assert load_site(conn, "kaleva").service_point_state("neuvola") == "active"


def test_the_site_file_path_and_a_new_site_from_a_pasted_file(sqlite_client: TestClient) -> None:
    add_site(sqlite_client)
    as_admin(sqlite_client)
    page = sqlite_client.get("/admin/sites/kaleva")
    form = form_of(page.text, "/admin/sites/kaleva/file")
    text = form["site_file"][0]
    assert 'id = "kaleva"' in text
    wrong = submit(
        sqlite_client,
        "/admin/sites/kaleva/file",
        form,
        site_file=text.replace('prefix = "L"', 'prefix = "l"'),
        action="save",
    )
    assert wrong.status_code == 422 and "service_points.0.prefix" in wrong.text
    other = submit(
        sqlite_client,
        "/admin/sites/kaleva/file",
        form,
        site_file=text.replace('id = "kaleva"', 'id = "muu"'),
        action="save",
    )
    assert other.status_code == 422 and "for site muu" in other.text
    changed = submit(
        sqlite_client,
        "/admin/sites/kaleva/file",
        form,
        site_file=text.replace("Dental care", "Dentist"),
        action="save",
    )
    assert "service point changed: suun-terveydenhuolto (name)" in changed.text
    with sqlite_client.app.state.engine.connect() as conn:
        assert load_site(conn, "kaleva").service_points[3].name["en"] == "Dentist"

    listing = sqlite_client.get("/admin/sites")
    assert "kaleva" in listing.text
    add = form_of(listing.text, "/admin/sites")
    exists = submit(
        sqlite_client, "/admin/sites", add, site_file=EXAMPLE_SITE.read_text(), action="save"
    )
    assert exists.status_code == 409 and "exists already" in exists.text
    bad = submit(sqlite_client, "/admin/sites", add, site_file="[site]\nid = 'Ä'\n", action="save")
    assert bad.status_code == 422 and "site.id" in bad.text and "[site]" in bad.text
    checked = submit(sqlite_client, "/admin/sites", add, site_file=OTHER_SITE, action="preview")
    assert checked.status_code == 200 and "would be added" in checked.text
    with sqlite_client.app.state.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(sites)).scalar_one() == 1
    added = submit(sqlite_client, "/admin/sites", add, site_file=OTHER_SITE, action="save")
    assert added.status_code == 303 and added.headers["location"] == "/admin/sites/hervanta?added=1"
    assert "hervanta" in sqlite_client.get("/admin/sites").text


def test_an_enrolment_code_made_in_the_console_enrols_a_kiosk(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    add_site(client)
    as_admin(client)
    caplog.set_level(logging.INFO, logger="central.audit")
    page = client.get("/admin/sites/kaleva")
    made = submit(
        client,
        "/admin/sites/kaleva/enroll-code",
        form_of(page.text, "/admin/sites/kaleva/enroll-code"),
    )
    assert made.status_code == 200
    code = re.search(r'<p class="secret" id="enroll-code">([^<]+)</p>', made.text).group(1)
    assert "hymy-sync enroll --central" in made.text and "until" in made.text
    assert code not in client.get("/admin/sites/kaleva").text  # shown once
    enrolled = client.post("/api/v1/enroll", json={"code": code, "kiosk_id": "aula-9"})
    assert enrolled.status_code == 200 and enrolled.json()["site"] == "kaleva"
    lines = [r for r in caplog.records if getattr(r, "event", "") == "enroll_code_created"]
    assert lines and lines[-1].by == "admin@example.fi" and code not in lines[-1].getMessage()


def test_a_person_added_in_the_console_signs_in(sqlite_client: TestClient) -> None:
    as_admin(sqlite_client)
    page = sqlite_client.get("/admin/people")
    form = form_of(page.text, "/admin/people")
    short = submit(
        sqlite_client,
        "/admin/people",
        form,
        email="uusi@example.fi",
        role="manager",
        sites=["kaleva"],
        password="lyhyt",
    )
    assert short.status_code == 422 and "at least 12 characters" in short.text
    assert 'value="uusi@example.fi"' in short.text
    nosite = submit(
        sqlite_client,
        "/admin/people",
        form,
        email="uusi@example.fi",
        role="manager",
        password=PASSWORD,
    )
    assert nosite.status_code == 422 and "A manager needs the sites" in nosite.text
    notmail = submit(
        sqlite_client, "/admin/people", form, email="uusi", role="it", password=PASSWORD
    )
    assert notmail.status_code == 422 and "not an e-mail address" in notmail.text
    added = submit(
        sqlite_client,
        "/admin/people",
        form,
        email="Uusi@Example.fi",
        role="manager",
        sites=["kaleva"],
        password=PASSWORD,
    )
    assert added.status_code == 200 and "Added uusi@example.fi" in added.text
    again = submit(
        sqlite_client, "/admin/people", form, email="uusi@example.fi", role="it", password=PASSWORD
    )
    assert again.status_code == 422 and "has an account already" in again.text
    sso = submit(
        sqlite_client,
        "/admin/people",
        form,
        email="sso@example.fi",
        role="it",
        sso_only="1",
        password="",
    )
    assert sso.status_code == 200 and "single sign-on" in sso.text
    sqlite_client.cookies.clear()
    assert sign_in(sqlite_client, "uusi@example.fi").status_code == 303
    assert sqlite_client.get("/", follow_redirects=False).status_code == 200


def test_access_disable_enable_and_a_new_password(sqlite_client: TestClient) -> None:
    add_site(sqlite_client)
    add_site(sqlite_client, OTHER_SITE)
    with write_transaction(sqlite_client.app.state.engine) as conn:
        from central.people import add_person

        add_person(conn, "hoitaja@example.fi", "manager", ["kaleva"], PASSWORD)
    other = TestClient(sqlite_client.app, base_url="http://127.0.0.1", headers=ENGLISH)
    assert sign_in(other, "hoitaja@example.fi").status_code == 303
    as_admin(sqlite_client)
    with sqlite_client.app.state.engine.connect() as conn:
        target, me = find_person(conn, "hoitaja@example.fi"), find_person(conn, "admin@example.fi")
    page = sqlite_client.get("/admin/people")
    assert "hoitaja@example.fi" in page.text and "every site" in page.text
    access = form_of(page.text, f"/admin/people/{target.id}/access")
    assert access["role"] == ["manager"] and access["sites"] == ["kaleva"]
    changed = submit(
        sqlite_client, f"/admin/people/{target.id}/access", access, sites=["kaleva", "hervanta"]
    )
    assert changed.status_code == 200
    with sqlite_client.app.state.engine.connect() as conn:
        assert find_person(conn, "hoitaja@example.fi").sites == ("hervanta", "kaleva")
    empty = submit(sqlite_client, f"/admin/people/{target.id}/access", access, sites=None)
    assert empty.status_code == 422 and "A manager needs the sites" in empty.text

    mine = form_of(page.text, f"/admin/people/{me.id}/access")
    demoted = submit(sqlite_client, f"/admin/people/{me.id}/access", mine, role="it")
    assert demoted.status_code == 422 and "your own admin role" in demoted.text
    token = {"csrf_token": csrf_of(page.text)}
    own = sqlite_client.post(f"/admin/people/{me.id}/disable", data=token)
    assert own.status_code == 422 and "your own account" in own.text
    with sqlite_client.app.state.engine.connect() as conn:
        assert find_person(conn, "admin@example.fi").disabled_at is None

    assert sqlite_client.post(f"/admin/people/{target.id}/disable", data=token).status_code == 200
    assert other.get("/", follow_redirects=False).status_code == 303  # signed out at once
    assert "disabled" in sign_in(other, "hoitaja@example.fi").text
    assert sqlite_client.post(f"/admin/people/{target.id}/enable", data=token).status_code == 200
    assert sign_in(other, "hoitaja@example.fi").status_code == 303

    short = sqlite_client.post(
        f"/admin/people/{target.id}/password", data={**token, "password": "x"}
    )
    assert short.status_code == 422 and "at least 12 characters" in short.text
    new = "neljä sanaa aivan peräkkäin"
    reset = sqlite_client.post(
        f"/admin/people/{target.id}/password", data={**token, "password": new}
    )
    assert reset.status_code == 200 and "signed out of every browser" in reset.text
    assert other.get("/", follow_redirects=False).status_code == 303
    assert sign_in(other, "hoitaja@example.fi").status_code == 401
    assert sign_in(other, "hoitaja@example.fi", new).status_code == 303


def test_api_keys_made_shown_once_and_revoked(client: TestClient) -> None:
    as_admin(client)
    page = client.get("/admin/api-keys")
    form = form_of(page.text, "/admin/api-keys")
    refused = submit(client, "/admin/api-keys", form, role="manager", sites=None)
    assert refused.status_code == 422 and "A manager needs the sites" in refused.text
    made = submit(client, "/admin/api-keys", form, role="it", sites=["kaleva"])
    assert made.status_code == 200
    key = re.search(r'<p class="secret" id="new-key">([^<]+)</p>', made.text).group(1)
    headers = {"Authorization": f"Bearer {key}"}
    assert client.get("/api/v1/devices", headers=headers).status_code == 200
    listing = client.get("/admin/api-keys")
    assert key not in listing.text and "IT staff" in listing.text
    (action,) = re.findall(r'action="(/admin/api-keys/[^"]+/revoke)"', listing.text)
    assert client.post(action, data={"csrf_token": csrf_of(listing.text)}).status_code == 200
    assert client.get("/api/v1/devices", headers=headers).status_code == 401
    assert "revoked" in client.get("/admin/api-keys").text


def _state(client: TestClient) -> tuple:
    with client.app.state.engine.connect() as conn:
        return (
            conn.execute(select(sites.c.config).order_by(sites.c.id)).all(),
            conn.execute(  # what an admin changes; a sign-in writes last_signin_at
                select(
                    people.c.email,
                    people.c.role,
                    people.c.sites,
                    people.c.password_hash,
                    people.c.disabled_at,
                ).order_by(people.c.email)
            ).all(),
            conn.execute(select(api_keys).order_by(api_keys.c.id)).all(),
            conn.execute(select(func.count()).select_from(enroll_codes)).scalar_one(),
        )


def _posts(client: TestClient) -> list[tuple[str, dict]]:
    """Every POST of the admin pages, with data that would do something."""
    with client.app.state.engine.connect() as conn:
        other = find_person(conn, "hoitaja@example.fi")
    site_form = form_of(client.get("/admin/sites/kaleva").text, "/admin/sites/kaleva")
    site_form.pop("csrf_token")
    file_text = load_site_text(client)
    key_id = re.findall(
        r'action="/admin/api-keys/([^"]+)/revoke"', client.get("/admin/api-keys").text
    )[0]
    return [
        ("/admin/sites", {"site_file": OTHER_SITE, "action": "save"}),
        ("/admin/sites/kaleva", {**site_form, "sp-0-name-fi": "Muu", "action": "save"}),
        (
            "/admin/sites/kaleva/file",
            {"site_file": file_text.replace("Dental care", "X"), "action": "save"},
        ),
        ("/admin/sites/kaleva/enroll-code", {}),
        ("/admin/people", {"email": "x@example.fi", "role": "it", "password": PASSWORD}),
        (f"/admin/people/{other.id}/access", {"role": "it"}),
        (f"/admin/people/{other.id}/disable", {}),
        (f"/admin/people/{other.id}/password", {"password": "uusi salasana tähän"}),
        ("/admin/api-keys", {"role": "it"}),
        (f"/admin/api-keys/{key_id}/revoke", {}),
    ]


def load_site_text(client: TestClient) -> str:
    page = client.get("/admin/sites/kaleva")
    return form_of(page.text, "/admin/sites/kaleva/file")["site_file"][0]


def test_every_post_without_its_csrf_token_is_refused_and_changes_nothing(
    sqlite_client: TestClient,
) -> None:
    person(sqlite_client, "hoitaja@example.fi", "manager", ["kaleva"])
    as_admin(sqlite_client)
    with write_transaction(sqlite_client.app.state.engine) as conn:
        from central.access import create_api_key

        create_api_key(conn, "it", [])
    posts = _posts(sqlite_client)
    assert len(posts) == 10
    before = _state(sqlite_client)
    for url, data in posts:
        for token in (None, "forged"):
            sent = data if token is None else {**data, "csrf_token": token}
            answer = sqlite_client.post(url, data=sent, follow_redirects=False)
            assert answer.status_code == 403, url
            assert "did not come from this console" in answer.text
        enabled = sqlite_client.post(url.replace("/disable", "/enable"), data=data)
        assert enabled.status_code == 403
    assert _state(sqlite_client) == before


@pytest.mark.parametrize("role", ["manager", "it"])
def test_a_manager_or_it_person_gets_403_on_every_admin_url(
    sqlite_client: TestClient, role: str
) -> None:
    person(sqlite_client, "hoitaja@example.fi", "manager", ["kaleva"])
    person(sqlite_client, "tavallinen@example.fi", role, ["kaleva"])
    as_admin(sqlite_client)
    with write_transaction(sqlite_client.app.state.engine) as conn:
        from central.access import create_api_key

        create_api_key(conn, "it", [])
    posts = _posts(sqlite_client)
    before = _state(sqlite_client)
    sqlite_client.cookies.clear()
    sign_in(sqlite_client, "tavallinen@example.fi")
    page = sqlite_client.get("/fleet" if role == "it" else "/")
    token = csrf_of(page.text)
    for url in ("/admin/sites", "/admin/sites/kaleva", "/admin/people", "/admin/api-keys"):
        answer = sqlite_client.get(url, follow_redirects=False)
        assert answer.status_code == 403 and "may not open this page" in answer.text, url
    for url, data in posts:
        answer = sqlite_client.post(url, data={**data, "csrf_token": token}, follow_redirects=False)
        assert answer.status_code == 403, url
    assert _state(sqlite_client) == before
    assert "/admin/" not in page.text  # no admin links in the navigation either


def test_admin_pages_keep_to_the_content_security_policy(sqlite_client: TestClient) -> None:
    add_site(sqlite_client)
    as_admin(sqlite_client)
    for url in (
        "/admin/sites",
        "/admin/sites/kaleva",
        "/admin/people",
        "/admin/api-keys",
        "/fleet",
    ):
        answer = sqlite_client.get(url)
        assert answer.status_code == 200, url
        assert "script-src 'self'" in answer.headers["content-security-policy"]
        assert "style=" not in answer.text, url
        assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", answer.text)), url
    assert sqlite_client.get("/admin/sites/nowhere").status_code == 404


def test_the_start_screen_message_and_public_results_from_the_site_form(
    client: TestClient, enrolment: dict
) -> None:
    as_admin(client)
    url = "/admin/sites/kaleva"
    form = form_of(client.get(url).text, url)
    assert form["message-fi"] == [""] and form["public-results"] == [""]  # none yet, not public
    assert client.get("/public/kaleva").status_code == 404
    fi = "Lisäsimme aulaan\r\ntuoleja, kun toivoitte niitä."  # a line break becomes a space
    saved = submit(
        client,
        url,
        form,
        action="save",
        **{"message-fi": fi, "message-sv": "Vi har ställt fler stolar i väntrummet.",
           "public-results": ["", "1"]},
    )  # fmt: skip
    assert saved.status_code == 200 and "Saved" in saved.text
    assert "kiosk message in fi: Lisäsimme aulaan tuoleja, kun toivoitte niitä." in saved.text
    assert "public results: on" in saved.text
    assert config(client, enrolment).json()["message"] == {
        "fi": "Lisäsimme aulaan tuoleja, kun toivoitte niitä.",
        "sv": "Vi har ställt fler stolar i väntrummet.",
    }
    assert client.get("/public/kaleva").status_code == 200

    form = form_of(client.get(url).text, url)
    assert form["public-results"] == ["", "1"] and form["message-sv"][0].startswith("Vi har")
    client.headers["Accept-Language"] = "fi"
    for text, words in (
        ("Tuoleja. " * 30, "Enintään 180 merkkiä"),
        ("Soita 040 123 4567, jos tuoli puuttuu.", "puhelinnumero"),
    ):
        refused = submit(client, url, form, action="save", **{"message-en": text})
        assert refused.status_code == 422 and words in refused.text
        assert 'id="message-en-error"' in refused.text and "Mitään ei tallennettu" in refused.text
    client.headers["Accept-Language"] = "en"
    off = submit(client, url, form, action="save", **{"message-sv": "", "public-results": [""]})
    assert off.status_code == 200 and "kiosk message in sv removed" in off.text
    assert config(client, enrolment).json()["message"] == {
        "fi": "Lisäsimme aulaan tuoleja, kun toivoitte niitä."
    }
    assert client.get("/public/kaleva").status_code == 404
    # A form without these fields (made before they existed) leaves them as they are.
    bare = {k: v for k, v in form.items() if not k.startswith(("message-", "public-"))}
    submit(client, url, bare, action="save", sp_0_name_fi="Näytteenotto")
    assert config(client, enrolment).json()["message"]["fi"].startswith("Lisäsimme")

"""What the kiosks ask, chosen in the console's site form: the four smileys or the national
feedback model (the example wording when the site has none of its own), reaching the kiosks'
config, shown in the preview and kept for a switch back."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support.console_forms import as_admin, config, form_of, submit

URL = "/admin/sites/kaleva"


def test_a_site_is_switched_to_the_national_set_and_back_in_the_site_form(
    client: TestClient, enrolment: dict
) -> None:
    as_admin(client)
    page = client.get(URL).text
    form = form_of(page, URL)
    assert (
        form["question-set"] == ["smileys"] and "questions" not in config(client, enrolment).json()
    )
    preview = submit(client, URL, form, action="preview", **{"question-set": "national"})
    assert preview.status_code == 200
    assert "the kiosks ask: the national feedback model (version 1)" in preview.text
    assert "questions" not in config(client, enrolment).json()  # a preview saves nothing

    saved = submit(client, URL, form, action="save", **{"question-set": "national"})
    assert saved.status_code == 200 and "Saved" in saved.text
    asked = config(client, enrolment).json()["questions"]
    assert asked["recommendation"]["id"] == "suosittelu" and len(asked["statements"]) == 5
    assert "How likely are you to recommend this service" in saved.text  # the list of questions

    form = form_of(client.get(URL).text, URL)
    assert form["question-set"] == ["national"]
    back = submit(client, URL, form, action="save", **{"question-set": "smileys"})
    assert back.status_code == 200 and "the kiosks ask: the four smileys" in back.text
    assert "questions" not in config(client, enrolment).json()
    again = submit(
        client, URL, form_of(back.text, URL), action="save", **{"question-set": "national"}
    )
    assert config(client, enrolment).json()["questions"] == asked  # kept, not made anew
    assert again.status_code == 200

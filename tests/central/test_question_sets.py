"""A site's question set in its site file (central.sites.Questions): the smileys by default,
the national set from the packaged example (`hymy-central example questions`) checked as the
kiosks will ask it, round trip through `site show`, and in the kiosks' config through the real
API with its id and version, while a site on the smileys sends the config older kiosks know."""

from __future__ import annotations

import pytest

from central.cli.examples import example_text
from central.sites import SiteError, kiosk_config, parse_site, site_toml
from tests.support.central import add_site, enrol
from tests.support.paths import EXAMPLE_SITE

SITE = EXAMPLE_SITE.read_text(encoding="utf-8")
NATIONAL = SITE + "\n" + example_text("questions")


def test_the_smileys_are_the_default_and_send_no_questions() -> None:
    definition = parse_site(SITE)
    assert definition.questions.set == "smileys"
    assert "questions" not in kiosk_config(definition, kiosk_id="aula-1", slot=0)
    assert "[questions]" not in site_toml(definition)


def test_the_example_national_set_round_trips_and_reaches_the_kiosk_config() -> None:
    definition = parse_site(NATIONAL)
    questions = definition.questions
    assert (questions.set, questions.id, questions.version) == ("national", "kansallinen", 1)
    assert [q.id for q in questions.statements][:2] == ["kohtelu", "sain-apua"]
    assert all({"fi", "sv", "en"} <= set(q.text) for q in (*questions.statements, *questions.own))
    assert parse_site(site_toml(definition)) == definition
    sent = kiosk_config(definition, kiosk_id="aula-1", slot=0)["questions"]
    assert sent["id"] == "kansallinen" and sent["version"] == 1 and sent["steps"] == 5
    assert sent["recommendation"]["id"] == "suosittelu" and sent["own"][0]["id"] == "opasteet"
    assert "labels" not in sent  # five steps: the kiosk's catalogs name them


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda t: t.split("[questions.recommendation]")[0], "needs recommendation"),
        (lambda t: t.replace('id = "odotus"', 'id = "kohtelu"'), "twice: kohtelu"),
        (lambda t: t.replace("steps = 5 ", "steps = 4 "), "needs its labels"),
        (lambda t: t.replace("steps = 5 ", "steps = 9 "), "steps"),
        (lambda t: t.replace("version = 1", "version = 0"), "version"),
        (lambda t: t.replace('set = "national"', 'set = "stars"'), "set"),
        (lambda t: t + '\n[[questions.statements]]\nid = "x"\ntext = { fi = "" }\n', "text"),
    ],
)
def test_a_set_the_kiosks_could_not_ask_is_refused_with_why(change, words) -> None:
    with pytest.raises(SiteError, match=words):
        parse_site(change(NATIONAL))


def test_labels_for_another_scale_name_every_step_in_every_language() -> None:
    labels = {
        "fi": '["Eri mieltä", "Osittain eri mieltä", "Osittain samaa mieltä", "Samaa mieltä"]',
        "sv": '["Av annan åsikt", "Delvis av annan åsikt", "Delvis av samma åsikt", '
        '"Av samma åsikt"]',
        "en": '["Disagree", "Partly disagree", "Partly agree", "Agree"]',
    }

    def four(given: dict[str, str]) -> str:
        table = ", ".join(f"{language} = {names}" for language, names in given.items())
        return NATIONAL.replace("steps = 5 ", "steps = 4 ").replace(
            "comment = true", "comment = true\nlabels = { " + table + " }"
        )

    assert parse_site(four(labels)).questions.for_kiosk("kaleva").agreement_scale == "agree-4"
    three = four(labels).replace('"Osittain samaa mieltä", ', "")
    with pytest.raises(SiteError, match=r"labels\.fi names each of the 4 steps"):
        parse_site(three)
    # The questions are written in fi, sv and en: a kiosk in English would have no words.
    with pytest.raises(SiteError, match=r"labels in each language.*add labels\.en"):
        parse_site(four({k: v for k, v in labels.items() if k != "en"}))
    with pytest.raises(SiteError, match=r"keyed by language code.*'Suomi'"):
        parse_site(four({**labels, "Suomi": labels["fi"]}))


def test_a_national_site_sends_its_set_to_its_kiosks_over_the_api(client) -> None:
    add_site(client, NATIONAL)
    token = enrol(client, "kaleva")
    config = client.get("/api/v1/config", headers={"Authorization": f"Bearer {token}"}).json()
    assert config["questions"]["id"] == "kansallinen"
    assert config["questions"]["recommendation"]["text"]["sv"].startswith("Hur sannolikt")


def test_no_question_takes_the_free_comments_id() -> None:
    own = '\n[[questions.own]]\nid = "comment"\ntext = { fi = "Kommentti", sv = "Kommentar" }\n'
    with pytest.raises(SiteError, match="'comment' is the free comment's"):
        parse_site(NATIONAL + own)

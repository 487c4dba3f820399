"""Responses to the national question set through the real API (sync.protocol.ResponseEvent):
a v1 kiosk's batch of smileys and a new kiosk's batch of responses in the same central; values
checked against their scale, and responses against the site's question set (its id, its
version or an older one, the current version's questions and scales), each rejected on its own
with what to do; the NPS and the statements in the reports API and the CLI, each with its n,
withheld below the site's minimum, never mixed with the smileys' score; a statement nobody took
a stand on shown as such; the answers' export in the national structure; and a manager of
another site gets none of them."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from central.cli.examples import example_text
from hymy_domain.national import COMMENT_QUESTION
from tests.support.central import (
    HERVANTA_SITE,
    accepted,
    add_site,
    at,
    enrol,
    get,
    key,
    ratings,
    send,
)
from tests.support.central_cli import run_central
from tests.support.paths import EXAMPLE_SITE

SET, VERSION = "kaleva-kansallinen", 2
# Kaleva asks the example's national set under its own id at version 2, with a region's own
# statement on parking after the example's own.
NATIONAL_SITE = (
    EXAMPLE_SITE.read_text(encoding="utf-8")
    + "\n"
    + example_text("questions")
    .replace('id = "kansallinen"', f'id = "{SET}"')
    .replace("version = 1", f"version = {VERSION}")
    + '\n[[questions.own]]\nid = "pysakointi"\ntext = { fi = "Pysäköinti sujui.", '
    'sv = "Det gick bra att parkera.", en = "Parking went well." }\n'
)
# 09:00 UTC two days ago: an hour of answers stays on one Helsinki day whenever the tests run.
BASE = datetime.combine((datetime.now(UTC) - timedelta(days=2)).date(), time(9), UTC)
DAY = BASE.date().isoformat()


def response(question: str, scale: str, value: int | None, visit: str, n: int, **extra) -> dict:
    event = {k: v for k, v in at(BASE + timedelta(minutes=n), monotonic_ms=n + 1).items()
             if k not in ("rating", "reason", "comment", "misuse")}  # fmt: skip
    return {**event, "type": "response", "question_set": SET, "set_version": VERSION,
            "question": question, "scale": scale, "value": value, "visit": visit,
            **extra}  # fmt: skip


def visits(recommend: list[int], statement: list[int | None]) -> list[dict]:
    """A visitor each: a recommendation, then (while given) an answer to one statement."""
    events = []
    for i, value in enumerate(recommend):
        visit = str(uuid.uuid4())
        events.append(response("suosittelu", "0-10", value, visit, 3 * i))
        if i < len(statement):
            events.append(response("kohtelu", "agree-5", statement[i], visit, 3 * i + 1))
    return events


@pytest.fixture
def central(client):
    add_site(client, NATIONAL_SITE)
    add_site(client, HERVANTA_SITE)  # on the smileys
    return client


def test_v1_smileys_and_responses_in_one_central_each_with_its_own_figures(central) -> None:
    old_kiosk, new_kiosk = enrol(central, "kaleva", "vanha"), enrol(central, "kaleva", "uusi")
    accepted(central, old_kiosk, ratings(BASE, [4, 4, 3, 1, 2, 4]))  # today's v1 kiosk
    #       promoters 10 10 9 9, passives 8 7, detractors 6 0: NPS (4 - 2) / 8 = 25
    recommend = [10, 10, 9, 9, 8, 7, 6, 0]
    statement = [5, 4, 4, None, 2, 1]  # 5 took a stand, 1 could not say; 2 stopped before it
    events = visits(recommend, statement)
    events.append(response("pysakointi", "agree-5", 5, str(uuid.uuid4()), 40))  # only 1 answer
    events.append(response(COMMENT_QUESTION, "comment", None, str(uuid.uuid4()), 41,
                           comment="Soittakaa 040 123 4567"))  # fmt: skip
    accepted(central, new_kiosk, events)
    again = send(central, new_kiosk, events[:3]).json()
    assert again["duplicates"] == 3 and again["accepted"] == 0

    manager = key(central, "manager", ["kaleva"])
    answer = get(central, "national", manager, site="kaleva", **{"from": DAY, "to": DAY})
    assert answer.status_code == 200, answer.text
    (site,) = answer.json()["sites"]
    by_question = {q["question"]: q for q in site["questions"]}
    assert list(by_question) == ["suosittelu", "kohtelu", "pysakointi"]  # no comment figures
    nps = by_question["suosittelu"]
    assert (nps["n"], nps["nps"], nps["promoters"], nps["detractors"]) == (8, 25.0, 4, 2)
    assert nps["set_version"] == VERSION and nps["distribution"]["10"] == 2
    treated = by_question["kohtelu"]
    assert (treated["n"], treated["cannot_say"], treated["mean"]) == (5, 1, 3.2)
    assert treated["agree_share"] == 0.6 and treated["distribution"]["4"] == 2
    parking = by_question["pysakointi"]
    assert parking["hidden"] and parking["n"] is None and parking["fewer_than"] == 5
    assert parking["mean"] is None and parking["distribution"] is None

    smileys = get(central, "feedback", manager, site="kaleva", by="day",
                  **{"from": DAY, "to": DAY}).json()  # fmt: skip
    assert smileys["total"]["n"] == 6  # responses never count as smileys
    assert "nps" not in json.dumps(smileys)
    comments = get(central, "comments", manager, site="kaleva", **{"from": DAY, "to": DAY}).json()
    # The set's comment is listed with the others, redacted at ingest, without a rating.
    assert [(c["comment"], c["rating"]) for c in comments["comments"]] == [
        ("Soittakaa [PHONE]", None)
    ]

    other = key(central, "manager", ["hervanta"])
    refused = get(central, "national", other, site="kaleva", **{"from": DAY, "to": DAY})
    assert refused.status_code == 403

    url = central.app.state.engine.url.render_as_string(hide_password=False)
    done = run_central("--db", url, "report", "national", "--site", "kaleva",
                       "--from", DAY, "--to", DAY)  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split()[:6] == ["site", "question_set", "set_version", "question", "scale", "n"]
    assert "suosittelu" in lines[1] and "25.0" in lines[1].split()
    assert "<5" in lines[3].split()


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"value": 11}, "0 to 10"),
        ({"value": None}, "0 to 10"),
        ({"scale": "agree-5", "value": 6}, "1 to 5"),
        ({"scale": "stars-5", "value": 3}, "unknown scale"),
        ({"scale": "agree-5", "value": 3, "comment": "hyvä"}, "comment comes with"),
        ({"scale": "comment", "value": None}, "comment comes with"),
        ({"value": True}, "value"),
        ({"set_version": 0}, "set_version"),
        ({"question": "Kohtelu!"}, "question"),
        ({"scale": "comment", "value": None, "comment": ""}, "a comment holds text"),
        ({"scale": "comment", "value": None, "comment": " \n\t "}, "a comment holds text"),
    ],
)
def test_an_answer_off_its_scale_is_rejected_with_its_reason(central, changes, words) -> None:
    token = enrol(central, "kaleva")
    event = {**response("suosittelu", "0-10", 9, str(uuid.uuid4()), 1), **changes}
    good = response("suosittelu", "0-10", 9, str(uuid.uuid4()), 2)
    answer = send(central, token, [event, good]).json()
    assert answer["accepted"] == 1, answer
    ((rejected,),) = [answer["rejected"]]
    assert rejected["id"] == event["id"] and words in rejected["error"], rejected


REQUEUE = "then `hymy-sync requeue --all` on the kiosk sends it again"


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"question_set": "kansallinen"}, "question_set 'kansallinen' is not site kaleva's "
         "question set 'kaleva-kansallinen': not stored. A set keeps its id"),
        ({"set_version": VERSION + 1}, f"set_version {VERSION + 1} is newer than site kaleva's "
         f"question set 'kaleva-kansallinen' (version {VERSION})"),
        ({"question": "pysakointi-2", "scale": "agree-5", "value": 3},
         f"question 'pysakointi-2' is not in version {VERSION} of site kaleva's question set"),
        ({"scale": "agree-5", "value": 3}, "question 'suosittelu' is answered on 0-10 in version"),
        ({"question": "kohtelu"}, "question 'kohtelu' is answered on agree-5 in version 2 of site "
         "kaleva's question set 'kaleva-kansallinen', not on 0-10"),
        ({"question": "opasteet", "scale": "agree-4", "value": 2}, "answered on agree-5"),
        ({"question": "palaute", "scale": "comment", "value": None, "comment": "Hyvä"},
         f"question 'palaute' is not in version {VERSION} of site kaleva's question set"),
        ({"question": COMMENT_QUESTION, "scale": "agree-5", "value": 3},
         "question 'comment' is answered on comment in version"),
        ({"question": "kohtelu", "scale": "comment", "value": None, "comment": "Hyvä"},
         "answered on agree-5 in version 2 of site kaleva's question set 'kaleva-kansallinen', "
         "not on comment"),
    ],
)  # fmt: skip
def test_a_response_the_sites_set_cannot_have_is_rejected_and_says_what_to_do(
    central, changes, words
) -> None:
    token = enrol(central, "kaleva")
    event = {**response("suosittelu", "0-10", 9, str(uuid.uuid4()), 1), **changes}
    good = response("suosittelu", "0-10", 9, str(uuid.uuid4()), 2)
    answer = send(central, token, [event, good]).json()
    assert answer["accepted"] == 1, answer  # the batch's other events are stored
    ((rejected,),) = [answer["rejected"]]
    assert rejected["id"] == event["id"] and words in rejected["error"], rejected
    assert rejected["error"].endswith(REQUEUE) and "hymy-central site update" in rejected["error"]


def test_answers_to_an_older_version_stay_accepted_and_apart_and_a_newer_one_is_not(
    central,
) -> None:
    token = enrol(central, "kaleva")
    # Version 1 asked a question version 2 no longer has, on a scale of four steps.
    older = [{**response("jonotus", "agree-4", 4, str(uuid.uuid4()), i), "set_version": 1}
             for i in range(5)]  # fmt: skip
    current = [response("kohtelu", "agree-5", 4, str(uuid.uuid4()), 10 + i) for i in range(5)]
    comment = response(COMMENT_QUESTION, "comment", None, str(uuid.uuid4()), 20, comment="Kiitos")
    accepted(central, token, [*older, *current, comment])

    # The site raises its version (a statement reworded): version 2's answers still come in.
    add_site(central, NATIONAL_SITE.replace(f"version = {VERSION}", f"version = {VERSION + 1}"))
    late = response("kohtelu", "agree-5", 5, str(uuid.uuid4()), 30)
    newest = {**response("kohtelu", "agree-5", 2, str(uuid.uuid4()), 31),
              "set_version": VERSION + 1}  # fmt: skip
    beyond = {**response("kohtelu", "agree-5", 2, str(uuid.uuid4()), 32),
              "set_version": VERSION + 2}  # fmt: skip
    answer = send(central, token, [late, newest, beyond]).json()
    assert answer["accepted"] == 2, answer
    assert [r["id"] for r in answer["rejected"]] == [beyond["id"]]
    assert "is newer than" in answer["rejected"][0]["error"]

    manager = key(central, "manager", ["kaleva"])
    (site,) = get(central, "national", manager, site="kaleva",
                  **{"from": DAY, "to": DAY}).json()["sites"]  # fmt: skip
    found = {(q["set_version"], q["question"]): q for q in site["questions"]}
    assert list(found) == [(VERSION + 1, "kohtelu"), (VERSION, "kohtelu"), (1, "jonotus")]
    assert found[(VERSION, "kohtelu")]["n"] == 6 and found[(1, "jonotus")]["n"] == 5


def test_a_site_on_the_smileys_or_without_a_comment_or_cannot_say_rejects_those_answers(
    central,
) -> None:
    token = enrol(central, "hervanta")
    event = response("suosittelu", "0-10", 9, str(uuid.uuid4()), 1)
    answer = send(central, token, [event, *ratings(BASE, [4])]).json()
    assert answer["accepted"] == 1, answer
    ((rejected,),) = [answer["rejected"]]
    assert rejected["id"] == event["id"]
    assert rejected["error"].startswith(
        "site hervanta asks the four smileys, not a national question set: not stored. If it "
        'should ask one, give it in the site file\'s [questions] (set = "national")'
    ), rejected

    strict = NATIONAL_SITE.replace("cannot_say = true", "cannot_say = false")
    add_site(central, strict.replace("comment = true", "comment = false"))
    token = enrol(central, "kaleva")
    cannot_say = response("kohtelu", "agree-5", None, str(uuid.uuid4()), 2)
    comment = response(COMMENT_QUESTION, "comment", None, str(uuid.uuid4()), 3, comment="Kiitos")
    stand = response("kohtelu", "agree-5", 4, str(uuid.uuid4()), 4)
    answer = send(central, token, [cannot_say, comment, stand]).json()
    assert answer["accepted"] == 1, answer
    errors = {r["id"]: r["error"] for r in answer["rejected"]}
    assert "offers no 'I cannot say' (cannot_say = false) for 'kohtelu'" in errors[cannot_say["id"]]
    assert "asks no comment (comment = false)" in errors[comment["id"]]


def test_a_response_the_central_holds_is_a_duplicate_after_the_set_changed(central) -> None:
    token = enrol(central, "kaleva")
    event = response("kohtelu", "agree-5", 4, str(uuid.uuid4()), 1)
    accepted(central, token, [event])
    add_site(central)  # back on the smileys: a resend is still the same event, not a rejection
    again = send(central, token, [event, {**event, "value": 2}]).json()
    assert (again["accepted"], again["duplicates"], again["rejected"]) == (0, 1, []), again
    assert again["conflicts"] == [event["id"]]
    fresh = response("kohtelu", "agree-5", 4, str(uuid.uuid4()), 2)
    assert "asks the four smileys" in send(central, token, [fresh]).json()["rejected"][0]["error"]


def test_a_statement_nobody_took_a_stand_on_shows_n_0_and_who_could_not_say(
    central, tmp_path
) -> None:
    from central.db import write_transaction
    from central.people import add_person
    from tests.central.test_report_pdf import pdf_text
    from tests.support.console import PASSWORD, sign_in

    token = enrol(central, "kaleva")
    events = []
    for i in range(6):  # six visitors could not say whether they got help; none took a stand
        events.append(response("sain-apua", "agree-5", None, str(uuid.uuid4()), i))
    for i in range(3):  # three could not say on the information, two took a stand
        events.append(response("ymmarrettava-tieto", "agree-5", None, str(uuid.uuid4()), 10 + i))
    for i in range(2):
        events.append(response("ymmarrettava-tieto", "agree-5", 5, str(uuid.uuid4()), 20 + i))
    # and three answers in all: one took a stand, two could not say
    events.append(response("vaikuttaminen", "agree-5", 4, str(uuid.uuid4()), 30))
    events += [response("vaikuttaminen", "agree-5", None, str(uuid.uuid4()), 31 + i)
               for i in range(2)]  # fmt: skip
    accepted(central, token, events)

    manager = key(central, "manager", ["kaleva"])
    (site,) = get(central, "national", manager, site="kaleva",
                  **{"from": DAY, "to": DAY}).json()["sites"]  # fmt: skip
    by_question = {q["question"]: q for q in site["questions"]}
    helped = by_question["sain-apua"]
    assert (helped["n"], helped["cannot_say"], helped["fewer_than"]) == (0, 6, None)
    assert helped["mean"] is None and helped["agree_share"] is None
    assert helped["distribution"] is None
    # Two took a stand: no figures from two; with five answers in all, the three who could not
    # say are shown.
    informed = by_question["ymmarrettava-tieto"]
    assert (informed["n"], informed["fewer_than"], informed["cannot_say"]) == (None, 5, 3)
    assert informed["mean"] is None
    # Three answers in all: neither count is shown, not even the 0 or the 2.
    few = by_question["vaikuttaminen"]
    assert (few["n"], few["fewer_than"], few["cannot_say"]) == (None, 5, None)

    url = central.app.state.engine.url.render_as_string(hide_password=False)
    done = run_central("--db", url, "report", "national", "--site", "kaleva",
                       "--from", DAY, "--to", DAY)  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = {line.split()[3]: line.split() for line in done.stdout.splitlines()[1:]}
    # site question_set set_version question scale n nps mean agree_share cannot_say
    assert rows["sain-apua"][5:] == ["0", "-", "-", "-", "6"]
    assert rows["ymmarrettava-tieto"][5:] == ["<5", "-", "-", "-", "3"]
    assert rows["vaikuttaminen"][5:] == ["<5", "-", "-", "-", "<5"]

    with write_transaction(central.app.state.engine) as conn:
        add_person(conn, "johtaja@example.fi", "manager", ["kaleva"], PASSWORD)
    pages = {}
    for language in ("fi", "sv", "en"):
        central.headers["Accept-Language"] = language
        assert sign_in(central, "johtaja@example.fi").status_code == 303
        page = central.get("/sites/kaleva", params={"from": DAY, "to": DAY}).text
        pages[language] = page.split('id="national"')[1].split("</section>")[0]
    headings = {"fi": ("Kantaa ottaneet (n)", "En osaa sanoa"),
                "sv": ("Tog ställning (n)", "Kan inte säga"),
                "en": ("Took a stand (n)", "I cannot say")}  # fmt: skip
    for language, (stand, cannot) in headings.items():
        assert f'<th scope="col">{stand}</th>' in pages[language], language
        assert f'<th scope="col">{cannot}</th>' in pages[language], language
    row = pages["fi"].split("Sain apua asiaan, jonka vuoksi tulin.</th>")[1].split("</tr>")[0]
    cells = [c.split(">", 1)[1] for c in row.split("</td>")[:-1]]
    # version, took a stand, NPS, mean, agree, I cannot say
    assert cells == ["2", "0", "–", "–", "–", "6"], cells
    row = pages["fi"].split("Sain vaikuttaa minua koskeviin päätöksiin.</th>")[1].split("</tr>")[0]
    assert [c.split(">", 1)[1] for c in row.split("</td>")[:-1]][-1] == "&lt; 5"

    answer = get(central, "pdf", manager, site="kaleva", language="sv", **{"from": DAY, "to": DAY})
    words = " ".join(pdf_text(answer.content, tmp_path).split())
    national = words.split("Nationell responsmodell", 1)[1]
    assert "Tog ställning" in national and "Kan inte" in national  # headings wrap in a cell
    # version, took a stand, NPS, mean, agree, could not say
    assert "2 0 – – – 6" in national and "2 <5 – – – 3" in national and "2 <5 – – – <5" in national
    assert "Kan inte säga: räknas för sig, aldrig i medelvärdet eller andelarna." in national


def test_the_export_and_the_feed_give_one_row_per_answer_in_the_national_structure(
    central, tmp_path
) -> None:
    token = enrol(central, "kaleva", "uusi")
    events = visits([10, 3], [4, None])
    comment = response(COMMENT_QUESTION, "comment", None, str(uuid.uuid4()), 9, comment="Kiitos")
    events.append(comment)
    accepted(central, token, [*events, *ratings(BASE, [4])])
    url = central.app.state.engine.url.render_as_string(hide_password=False)
    out = tmp_path / "answers.csv"
    done = run_central("--db", url, "export", "--table", "answers", "--format", "csv",
                       "--language", "en", "--out", str(out))  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == (
        "id,site_id,service_point,day,question_set,set_version,question,scale,value,language,visit"
    )
    rows = sorted(line.split(",")[6:9] for line in lines[1:])
    assert rows == [["kohtelu", "agree-5", ""], ["kohtelu", "agree-5", "4"],
                    ["suosittelu", "0-10", "10"], ["suosittelu", "0-10", "3"]]  # fmt: skip
    assert all(line.split(",")[3] == DAY and "Kiitos" not in line for line in lines[1:])

    admin = key(central, "admin", [])
    feed = central.get("/api/v1/odata/Answers", params={"$filter": "question eq 'suosittelu'"},
                       headers=admin)  # fmt: skip
    assert feed.status_code == 200, feed.text
    assert sorted(r["value"] for r in feed.json()["value"]) == [3, 10]
    # The feed's columns are the export's; no comment's text in either (only in Comments).
    every = central.get("/api/v1/odata/Answers", headers=admin).json()["value"]
    assert len(every) == 4 and all(list(row) == lines[0].split(",") for row in every)
    assert "Kiitos" not in json.dumps(every)
    comments = central.get("/api/v1/odata/Comments", headers=admin).json()["value"]
    assert [(c["text"], c["rating"]) for c in comments] == [("Kiitos", None)]


def test_the_data_feeds_guide_lists_the_answers_columns_in_order() -> None:
    from central.odata.model import ENTITY_SETS
    from tests.support.paths import ROOT

    guide = (ROOT / "docs" / "data-feeds.md").read_text(encoding="utf-8")
    table = guide.split("`Answers` (and `export --table answers`)", 1)[1].split("\n\n")[1]
    listed = [name.strip(" `") for line in table.splitlines()[2:]
              for name in line.split("|")[1].split(",")]  # fmt: skip
    assert listed == [p.name for p in ENTITY_SETS["Answers"].properties]


def test_the_console_shows_nps_and_statements_beside_the_smileys_each_with_its_n(
    central,
) -> None:
    from central.db import write_transaction
    from central.people import add_person
    from tests.support.console import PASSWORD, sign_in

    with write_transaction(central.app.state.engine) as conn:
        add_person(conn, "johtaja@example.fi", "manager", ["kaleva"], PASSWORD)
    token = enrol(central, "kaleva", "uusi")
    accepted(central, token, [*visits([10, 10, 9, 9, 8, 7, 6, 0], [5, 4, 4, None, 2, 1]),
                              *ratings(BASE, [4, 4, 3, 1, 2, 4])])  # fmt: skip
    central.headers["Accept-Language"] = "fi"
    assert sign_in(central, "johtaja@example.fi").status_code == 303
    page = central.get("/sites/kaleva", params={"from": DAY, "to": DAY})
    assert page.status_code == 200
    text = page.text
    national = text.split('id="national"')[1].split("</section>")[0]
    assert "Kansallinen palautemalli" in national and "+25,0" in national
    assert "Minua kohdeltiin ystävällisesti ja kunnioittavasti." in national
    assert "Kuinka todennäköisesti suosittelisit" in national
    summary = text.split('id="summary"')[1].split("</section>")[0]
    assert "+25" not in summary  # the smileys' score stands alone
    query = {"from": DAY, "to": DAY, "download": "csv", "table": "national"}
    download = central.get("/sites/kaleva", params=query)
    assert download.status_code == 200 and "suosittelisit" in download.text


def test_the_pdf_has_the_national_section_with_each_n(central, tmp_path) -> None:
    from tests.central.test_report_pdf import pdf_text

    token = enrol(central, "kaleva", "uusi")
    accepted(central, token, [*visits([10, 10, 9, 9, 8, 7, 6, 0], [5, 4, 4, None, 2, 1]),
                              *ratings(BASE, [4, 4, 3, 1, 2, 4])])  # fmt: skip
    manager = key(central, "manager", ["kaleva"])
    answer = get(central, "pdf", manager, site="kaleva", language="sv", **{"from": DAY, "to": DAY})
    assert answer.status_code == 200, answer.text
    text = pdf_text(answer.content, tmp_path)
    national = text.split("Nationell responsmodell", 1)[1]
    assert "Hur sannolikt" in national and "25,0" in national
    assert "Jag blev bemött vänligt" in national
    assert "60,0 %" in national  # three of five agree: the shares are of those who took a stand


def test_the_overview_shows_a_national_sites_nps_beside_the_smileys_of_the_others(
    central,
) -> None:
    from central.db import write_transaction
    from central.people import add_person
    from tests.support.console import PASSWORD, sign_in

    now = datetime.now(UTC) - timedelta(minutes=30)
    helsinki = ZoneInfo("Europe/Helsinki")
    if now.astimezone(helsinki).weekday() != datetime.now(helsinki).weekday():
        pytest.skip("the first half hour of a day (and of a week) has no 'this week' yet")
    with write_transaction(central.app.state.engine) as conn:
        add_person(conn, "johtaja@example.fi", "manager", ["kaleva", "hervanta"], PASSWORD)
    this_week = [
        {**event, "occurred_at": (now + timedelta(seconds=i)).isoformat()}
        for i, event in enumerate(visits([10, 10, 9, 9, 8, 7, 6, 0], []))
    ]
    accepted(central, enrol(central, "kaleva", "uusi"), this_week)
    accepted(central, enrol(central, "hervanta"), ratings(now, [4, 4, 3, 1, 2, 4]))
    central.headers["Accept-Language"] = "fi"
    assert sign_in(central, "johtaja@example.fi").status_code == 303
    page = central.get("/")
    assert page.status_code == 200
    kaleva = page.text.split('id="site-kaleva"')[1].split("</article>")[0]
    hervanta = page.text.split('id="site-hervanta"')[1].split("</article>")[0]
    assert "NPS (kansallinen malli): +25,0" in kaleva and "n = 8" in kaleva
    assert "NPS" not in hervanta and "n = 6" in hervanta  # the smileys' score with its n
    download = central.get("/", params={"download": "csv", "table": "overview"})
    assert download.status_code == 200, download.text
    rows = [line.split(";") for line in download.text.splitlines()]  # as Excel reads it in fi
    assert rows[0][-2:] == ["NPS", "NPS-vastauksia"]
    by_site = {(row[0], row[1]): row[-2:] for row in rows[1:]}
    assert by_site[("Kalevan terveysasema", "Tämä viikko")] == ["25,0", "8"]
    assert by_site[("Hervannan terveysasema", "Tämä viikko")] == ["", ""]

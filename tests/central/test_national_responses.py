"""Responses to the national question set through the real API (sync.protocol.ResponseEvent):
a v1 kiosk's batch of smileys and a new kiosk's batch of responses in the same central; values
checked against their scale; the NPS and the statements in the reports API and the CLI, each
with its n, withheld below the site's minimum, never mixed with the smileys' score; and a
manager of another site gets none of them."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, time, timedelta

import pytest

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

SET, VERSION = "kaleva-kansallinen", 2
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
    add_site(client)
    add_site(client, HERVANTA_SITE)
    return client


def test_v1_smileys_and_responses_in_one_central_each_with_its_own_figures(central) -> None:
    old_kiosk, new_kiosk = enrol(central, "kaleva", "vanha"), enrol(central, "kaleva", "uusi")
    accepted(central, old_kiosk, ratings(BASE, [4, 4, 3, 1, 2, 4]))  # today's v1 kiosk
    #       promoters 10 10 9 9, passives 8 7, detractors 6 0: NPS (4 - 2) / 8 = 25
    recommend = [10, 10, 9, 9, 8, 7, 6, 0]
    statement = [5, 4, 4, None, 2, 1]  # 5 took a stand, 1 could not say; 2 stopped before it
    events = visits(recommend, statement)
    events.append(response("pysakointi", "agree-5", 5, str(uuid.uuid4()), 40))  # only 1 answer
    events.append(response("palaute", "comment", None, str(uuid.uuid4()), 41,
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


def test_the_export_and_the_feed_give_one_row_per_answer_in_the_national_structure(
    central, tmp_path
) -> None:
    token = enrol(central, "kaleva", "uusi")
    events = visits([10, 3], [4, None])
    events.append(response("palaute", "comment", None, str(uuid.uuid4()), 9, comment="Kiitos"))
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
    comments = central.get("/api/v1/odata/Comments", headers=admin).json()["value"]
    assert [(c["text"], c["rating"]) for c in comments] == [("Kiitos", None)]


def test_the_console_shows_nps_and_statements_beside_the_smileys_each_with_its_n(
    central,
) -> None:
    from central.cli.examples import example_text
    from central.db import write_transaction
    from central.people import add_person
    from tests.support.console import PASSWORD, sign_in
    from tests.support.paths import EXAMPLE_SITE

    add_site(central, EXAMPLE_SITE.read_text(encoding="utf-8") + example_text("questions"))
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
    from central.cli.examples import example_text
    from tests.central.test_report_pdf import pdf_text
    from tests.support.paths import EXAMPLE_SITE

    add_site(central, EXAMPLE_SITE.read_text(encoding="utf-8") + example_text("questions"))
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

"""The OData v4 feed (central/api/odata.py): service document, CSDL with the right types,
paging by @odata.nextLink, $filter on date, small numbers withheld before any filter, a manager
sees only its sites, and bad queries answered 400 in OData's error format."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.central import HERVANTA_SITE, accepted, add_site, enrol, key, ratings

EDM = "{http://docs.oasis-open.org/odata/ns/edm}"
ROOT = "/api/v1/odata/"
# What Power Query (Microsoft.Data.Mashup) sends with every request of an OData feed.
POWER_QUERY = {
    "MaxDataServiceVersion": "3.0",
    "OData-MaxVersion": "4.0",
    "Accept": "application/json;odata.metadata=minimal;q=1.0,application/json;"
    "odata=minimalmetadata;q=0.9,application/atomsvc+xml;q=0.8,application/atom+xml;q=0.8,"
    "application/xml;q=0.7,text/plain;q=0.7",
}


@pytest.fixture
def feed(client):
    add_site(client)
    add_site(client, HERVANTA_SITE)
    kaleva, hervanta = enrol(client, "kaleva"), enrol(client, "hervanta", "h")
    day = datetime(2026, 11, 3, 9, tzinfo=UTC)
    accepted(client, kaleva, ratings(day, [1, 2, 3, 4, 4, 4]))
    accepted(client, kaleva, ratings(day + timedelta(days=1), [1, 2], service_point="laboratorio"))
    accepted(client, kaleva, ratings(day + timedelta(days=40), [4, 4, 4, 4, 4]))
    accepted(client, hervanta, ratings(day, [1, 1, 1, 1, 1]))
    return client


def basic(headers: dict[str, str]) -> dict[str, str]:
    secret = headers["Authorization"].split()[1]
    return {"Authorization": "Basic " + base64.b64encode(f"hymy:{secret}".encode()).decode()}


def test_service_document_and_metadata_are_what_power_query_reads(feed):
    manager = {**basic(key(feed, "manager", ["kaleva"])), **POWER_QUERY}
    root = feed.get(ROOT, headers=manager)
    assert root.status_code == 200 and root.headers.get_list("OData-Version") == ["4.0"]
    assert root.headers["content-type"].startswith("application/json;odata.metadata=minimal")
    assert root.json()["@odata.context"] == "http://testserver/api/v1/odata/$metadata"
    assert {s["name"] for s in root.json()["value"]} >= {"DailyRollups", "Comments", "Sites"}
    metadata = feed.get(ROOT + "$metadata", headers=manager)
    assert metadata.headers["content-type"] == "application/xml"
    schema = ET.fromstring(metadata.content).find(f".//{EDM}Schema")
    daily = schema.find(f"{EDM}EntityType[@Name='DailyRollup']")
    keys = [k.get("Name") for k in daily.find(f"{EDM}Key")]
    assert keys == ["site_id", "service_point", "day"]
    types = {p.get("Name"): p.get("Type") for p in daily.findall(f"{EDM}Property")}
    assert types["day"] == "Edm.Date" and types["score"] == "Edm.Double"
    assert types["answers"] == "Edm.Int32" and types["hidden"] == "Edm.Boolean"
    sets = schema.find(f"{EDM}EntityContainer").findall(f"{EDM}EntitySet")
    assert {s.get("EntityType") for s in sets} >= {"Hymy.DailyRollup", "Hymy.Comment"}


def test_paging_by_next_link_with_a_date_filter(feed):
    manager = key(feed, "manager", ["kaleva"])
    url = ROOT + "DailyRollups?$filter=day ge 2026-11-01 and day lt 2026-12-01&$count=true"
    seen, pages = [], 0
    while url:
        answer = feed.get(url, headers={**manager, "Prefer": "odata.maxpagesize=1"}).json()
        assert answer["@odata.count"] == 2
        seen += answer["value"]
        url, pages = answer.get("@odata.nextLink"), pages + 1
    assert pages == 2 and [r["day"] for r in seen] == ["2026-11-03", "2026-11-04"]
    assert all(r["site_id"] == "kaleva" for r in seen)


def test_small_numbers_are_withheld_and_cannot_be_filtered_out(feed):
    manager = key(feed, "manager", ["kaleva"])
    rows = feed.get(ROOT + "DailyRollups", headers=manager).json()["value"]
    small = next(r for r in rows if r["service_point"] == "laboratorio")
    assert small["hidden"] and small["answers"] is None and small["fewer_than"] == 5
    assert small["rating_1"] is None and small["score"] is None
    shown = next(r for r in rows if r["day"] == "2026-11-03")
    assert shown["answers"] == 6 and shown["score"] == 66.7 and shown["rating_4"] == 3
    probe = feed.get(ROOT + "DailyRollups?$filter=rating_1 eq 1", headers=manager).json()
    assert [r["day"] for r in probe["value"]] == ["2026-11-03"]  # never the hidden one


def test_a_manager_reads_only_its_sites(feed):
    manager = key(feed, "manager", ["kaleva"])
    for name in ("DailyRollups", "MonthlyRollups", "Sites", "ServicePoints"):
        rows = feed.get(ROOT + name, headers=manager).json()["value"]
        assert rows and {r.get("site_id", r.get("id")) for r in rows} == {"kaleva"}, name
    other = feed.get(ROOT + "DailyRollups?$filter=site_id eq 'hervanta'", headers=manager)
    assert other.json()["value"] == []
    admin = key(feed, "admin", [])
    rows = feed.get(ROOT + "Sites", headers=admin).json()["value"]
    assert {r["id"] for r in rows} == {"kaleva", "hervanta"}
    assert feed.get(ROOT + "Sites", headers=key(feed, "it", [])).status_code == 403


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("$expand=Sites", "UnsupportedQueryOption"),
        ("$filter=day ge '2026-11-01'", "InvalidFilter"),
        ("$filter=nosuch eq 1", "UnknownProperty"),
        ("$filter=day ge", "InvalidFilter"),
        ("$filter=score add 1 gt 2", "UnsupportedFilter"),
        ("$top=-1", "InvalidQueryOption"),
        ("$select=day,nosuch", "UnknownProperty"),
        ("$skiptoken=abc", "InvalidSkipToken"),
        ("$format=atom", "UnsupportedFormat"),
    ],
)
def test_bad_queries_are_400_in_odata_error_format(feed, query, code):
    answer = feed.get(f"{ROOT}DailyRollups?{query}", headers=key(feed, "manager", ["kaleva"]))
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["code"] == code and error["message"]


def test_no_key_is_401_with_basic_and_bearer_challenges(feed):
    answer = feed.get(ROOT + "DailyRollups", headers=POWER_QUERY)
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "Unauthorized"
    assert any(c.startswith("Basic") for c in answer.headers.get_list("WWW-Authenticate"))

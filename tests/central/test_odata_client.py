"""The OData feed read by a real OData v4 client (python-odata, over requests) from a real
`hymy-central serve` on 127.0.0.1, as Power BI and Excel read it: the entity sets from
`$metadata`, HTTP Basic with the API key as the password, every page followed by its
@odata.nextLink, `$filter` on the date, and nothing below the site's minimum in the figures."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from odata import ODataService
from requests.auth import HTTPBasicAuth

from tests.support.live_central import LiveCentral


@pytest.fixture(scope="module")
def central(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveCentral]:
    running = LiveCentral(Path(tmp_path_factory.mktemp("central")))
    running.start()
    running.seed(kiosks=2, days=6)
    yield running
    running.stop()


def service(central: LiveCentral, key: str, page_size: int) -> tuple[ODataService, list[str]]:
    """A client that asks for pages of `page_size` rows, and the URLs it fetched."""
    fetched: list[str] = []
    session = requests.Session()
    session.hooks["response"].append(lambda answer, **_: fetched.append(answer.url))
    client = ODataService(
        f"{central.url}/api/v1/odata/",
        reflect_entities=True,
        session=session,
        auth=HTTPBasicAuth("analyytikko", key),
        extra_headers={"Prefer": f"odata.maxpagesize={page_size}"},
        quiet_progress=True,
    )
    return client, fetched


def test_a_client_pages_through_a_date_filter_and_sees_no_small_numbers(central) -> None:
    client, fetched = service(central, central.api_key("manager", "kaleva"), page_size=4)
    assert set(client.entities) >= {"DailyRollups", "MonthlyRollups", "Comments", "Sites"}
    daily = client.entities["DailyRollups"]
    everything = [row.__odata__.data for row in client.query(daily).all()]
    since = central.history.days[-3]
    pages_before = len(fetched)
    recent = [
        row.__odata__.data
        for row in client.query(daily).filter(f"day ge {since.isoformat()}").all()
    ]

    assert len(fetched) - pages_before >= 3  # several pages, each from the last one's nextLink
    assert all("%24skiptoken=" in url for url in fetched[pages_before + 1 :])
    expected = [row for row in everything if row["day"] >= since.isoformat()]
    key = lambda row: (row["day"], row["service_point"])  # noqa: E731
    assert sorted(recent, key=key) == sorted(expected, key=key) and recent
    for row in everything:
        assert row["site_id"] == "kaleva"
        if row["hidden"]:
            assert row["answers"] is None and row["score"] is None and row["rating_1"] is None
        else:
            assert row["answers"] >= row["min_answers"] == 5
    # neuvola had 3 ratings in all: never a figure
    assert all(row["hidden"] for row in everything if row["service_point"] == "neuvola")
    ratings = central.history.ratings(day=since)
    shown = sum(r["answers"] or 0 for r in everything if r["day"] == since.isoformat())
    assert 0 < shown <= len(ratings)


def test_a_wrong_key_gets_no_feed(central) -> None:
    answer = requests.get(
        f"{central.url}/api/v1/odata/DailyRollups",
        auth=HTTPBasicAuth("analyytikko", "not-a-key"),
        timeout=30,
    )
    assert answer.status_code == 401 and "Basic" in answer.headers["WWW-Authenticate"]
    assert answer.json()["error"]["message"]


def test_the_last_day_of_the_history_is_in_the_monthly_rollup(central) -> None:
    client, _ = service(central, central.api_key("admin"), page_size=1000)
    monthly = client.entities["MonthlyRollups"]
    months = {row.__odata__.data["month"] for row in client.query(monthly).all()}
    last = central.history.days[-1]
    assert last.replace(day=1).isoformat() in months
    assert (last - timedelta(days=5)).replace(day=1).isoformat() in months

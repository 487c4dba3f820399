"""Completeness, the kiosk's and agent's side (contracts 1 to 3), against a real central: each
event goes out with its outbox's id and seq, a migrated schema-1 outbox sends every seq from
its first_seq on, and the heartbeat carries the outbox's range and the data dir's storage."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from hymy_dev.local_central import LocalCentral
from kiosk.outbox import OUTBOX_FILE, Outbox
from sync.credentials import load_credentials
from tests.support.faultproxy import FaultProxy
from tests.support.sync import (
    append,
    assert_exactly_once,
    enroll,
    fast_agent,
    heartbeat_at_central,
    hymy_sync,
    schema_1_outbox,
    sent_events,
)


def test_each_event_carries_its_outbox_id_and_seq(central: LocalCentral, kiosk_dir: Path):
    proxy = FaultProxy(central.port, only="/api/v1/events")
    enroll(kiosk_dir, proxy.url, central.enroll_code("kaleva"))
    append(kiosk_dir, 250)
    try:
        assert hymy_sync(kiosk_dir, "once", "--batch-size", "100").returncode == 0
    finally:
        proxy.close()
    with Outbox.open(kiosk_dir / OUTBOX_FILE) as outbox:
        outbox_id = outbox.outbox_id
    with sqlite3.connect(kiosk_dir / OUTBOX_FILE) as db:
        seqs = dict(db.execute("SELECT id, seq FROM events").fetchall())
    events = sent_events(proxy)
    assert {e["outbox_id"] for e in events} == {outbox_id}
    assert all(e["seq"] == seqs[e["id"]] for e in events)
    assert sorted(e["seq"] for e in events) == list(range(1, 251))
    assert assert_exactly_once(kiosk_dir, central) == 250


def test_a_migrated_outbox_sends_every_seq_from_its_first(central: LocalCentral, kiosk_dir: Path):
    path = kiosk_dir / OUTBOX_FILE
    for leftover in kiosk_dir.glob(f"{OUTBOX_FILE}*"):
        leftover.unlink()
    # The kiosk ran Hymy with schema 1: seq 1-3 went to a central long ago, 4-7 wait.
    schema_1_outbox(path, ["sent"] * 3 + ["pending"] * 4)
    proxy = FaultProxy(central.port, only="/api/v1/events")
    enroll(kiosk_dir, proxy.url, central.enroll_code("kaleva"))  # opens it: schema 2 now
    try:
        assert hymy_sync(kiosk_dir, "once").returncode == 0
    finally:
        proxy.close()
    with Outbox.open(path) as outbox:
        assert (outbox.first_seq, outbox.last_seq()) == (4, 7)
        outbox_id = outbox.outbox_id
    events = sent_events(proxy)
    assert sorted(e["seq"] for e in events) == [4, 5, 6, 7]
    assert {e["outbox_id"] for e in events} == {outbox_id}
    with sqlite3.connect(central.data_dir / "central.sqlite") as db:
        stored = {row[0] for row in db.execute("SELECT id FROM events")}
    assert stored == {e["id"] for e in events}


def test_the_heartbeat_reports_the_outbox_and_its_storage(central: LocalCentral, kiosk_dir: Path):
    enroll(kiosk_dir, central.url, central.enroll_code("kaleva"))
    append(kiosk_dir, 7)
    agent = fast_agent(kiosk_dir)
    try:
        agent.heartbeat_step()
        beat = heartbeat_at_central(central, load_credentials(kiosk_dir).device_id)
        assert beat["outbox"] == {"id": agent.outbox.outbox_id, "first_seq": 1, "last_seq": 7}
        assert beat["storage"] == "ok" and beat["refused"] is None
        assert beat["backlog"] == 7

        # The kiosk (or anyone) holds the outbox's write lock past the agent's busy timeout:
        # the agent's write fails, and the heartbeat says so.
        blocker = sqlite3.connect(kiosk_dir / OUTBOX_FILE, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        try:
            assert agent.heartbeat()["storage"] == "error"
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        assert agent.heartbeat()["storage"] == "ok"  # and it resumes by itself
    finally:
        agent.close()

"""What the central refuses stays on the kiosk: a malformed event and a conflicting one are
quarantined while the rest flow on; a revoked device keeps every event."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from hymy_dev.local_central import LocalCentral
from kiosk.outbox import OUTBOX_FILE, Outbox
from sync.credentials import load_credentials
from tests.support.events import feedback
from tests.support.sync import append, enroll, hymy_sync, states


def test_a_malformed_event_is_quarantined_and_the_rest_flow_on(
    central: LocalCentral, kiosk_dir: Path
) -> None:
    enroll(kiosk_dir, central.url, central.enroll_code("kaleva"))
    append(kiosk_dir, 20)
    bad = feedback(rating=7)  # no such smiley: the central rejects it
    with Outbox.open(kiosk_dir / OUTBOX_FILE) as outbox:
        outbox.append(bad)
    append(kiosk_dir, 20)

    done = hymy_sync(kiosk_dir, "once")

    assert done.returncode == 0, done.stderr
    assert "All 41 events handled: 40 uploaded, 1 quarantined" in done.stdout
    assert states(kiosk_dir) == {"sent": 40, "quarantined": 1}
    status = hymy_sync(kiosk_dir, "status").stdout
    assert "Quarantined: 1 event the central refused" in status
    assert "  1 event: rejected by the central: rating" in status
    assert f"    {bad['id']}\n" in status
    assert "hymy-sync requeue --all" in status


def test_a_conflicting_event_is_quarantined_never_overwritten(
    central: LocalCentral, kiosk_dir: Path
) -> None:
    enroll(kiosk_dir, central.url, central.enroll_code("kaleva"))
    (first,) = append(kiosk_dir, 1)
    assert hymy_sync(kiosk_dir, "once").returncode == 0
    # The same id with other content, as a kiosk restored from an old backup might send.
    with sqlite3.connect(kiosk_dir / OUTBOX_FILE) as db:
        payload = json.loads(db.execute("SELECT payload FROM events").fetchone()[0])
        payload["rating"] = 1 if payload["rating"] != 1 else 2
        db.execute(
            "UPDATE events SET state = 'pending', payload = ? WHERE id = ?",
            (json.dumps(payload), first),
        )
    append(kiosk_dir, 3)

    assert hymy_sync(kiosk_dir, "once").returncode == 0

    assert states(kiosk_dir) == {"sent": 3, "quarantined": 1}
    assert "conflict" in hymy_sync(kiosk_dir, "status").stdout
    with sqlite3.connect(central.data_dir / "central.sqlite") as db:
        assert (
            db.execute("SELECT rating FROM events WHERE id = ?", (first,)).fetchone()[0]
            != (payload["rating"])
        )


def test_a_revoked_device_stops_uploading_and_keeps_its_data(
    central: LocalCentral, kiosk_dir: Path
) -> None:
    enroll(kiosk_dir, central.url, central.enroll_code("kaleva"))
    append(kiosk_dir, 5)
    assert hymy_sync(kiosk_dir, "once").returncode == 0
    central.command("device", "revoke", load_credentials(kiosk_dir).device_id)
    append(kiosk_dir, 7)

    done = hymy_sync(kiosk_dir, "once")

    assert done.returncode == 1
    assert "device was revoked or the token is wrong" in done.stderr
    assert states(kiosk_dir) == {"sent": 5, "pending": 7}
    status = hymy_sync(kiosk_dir, "status").stdout
    assert "Uploads STOPPED" in status and "revoked" in status
    assert "Backlog: 7 events waiting to upload." in status

    # Enrolled again, it sends what it kept.
    code = central.enroll_code("kaleva")
    assert (
        hymy_sync(
            kiosk_dir, "enroll", "--central", central.url, "--code", code, "--force"
        ).returncode
        == 0
    )
    assert hymy_sync(kiosk_dir, "once").returncode == 0
    assert states(kiosk_dir) == {"sent": 12}

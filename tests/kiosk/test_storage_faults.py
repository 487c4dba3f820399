"""The data dir fills up or turns read-only while the kiosk runs (a real small tmpfs filled to the
last byte, files frozen with `chattr +i`): every visitor gets the calm apology, IT one log line
per episode (not one per touch), and the kiosk records again by itself once writes work."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.config import load_config
from kiosk.journey import Step
from kiosk.outbox import Outbox
from kiosk.session import KioskSession, WriteStatus
from tests.support.kiosk_session import ManualClock, UiThread, settle
from tests.support.paths import EXAMPLE_CONFIG
from tests.support.storage import fill, immutable_files, set_immutable, small_ext4, small_filesystem


@pytest.fixture
def session_on_small_disk(
    tmp_path: Path, request
) -> Iterator[tuple[KioskSession, Outbox, UiThread, Path]]:
    """A kiosk session whose data dir is a small file system of its own."""
    mount = small_filesystem if request.param == "tmpfs" else small_ext4
    with mount(tmp_path / "data") as data:
        outbox = Outbox.open(data / "outbox.sqlite")
        ui = UiThread()
        session = KioskSession(
            load_config(EXAMPLE_CONFIG),
            outbox,
            post=ui.post,
            on_change=ui.views.append,
            monotonic=ManualClock(),
        )
        try:
            yield session, outbox, ui, data
        finally:
            session.close()
            outbox.close()


def rate(session: KioskSession, ui: UiThread, rating: int = 3) -> WriteStatus:
    """One visitor's rating; what the thank-you screen showed."""
    session.start_feedback()
    session.rate(rating)
    while session.view.step in (Step.REASON, Step.COMMENT):
        if session.view.step is Step.REASON:
            session.choose_reason(None)
        else:
            session.submit_comment("Kiitos")
    settle(session, ui)
    shown = session.view.write
    session.finish()
    return shown


def check_in(session: KioskSession, ui: UiThread) -> str | None:
    session.start_check_in()
    session.choose_service_point(session.config.service_points[0].id)
    settle(session, ui)
    ticket = session.view.ticket if session.view.write is WriteStatus.SAVED else None
    session.finish()
    return ticket


def storage_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        r for r in caplog.records if r.name == "kiosk.outbox_writer" and r.levelno >= logging.INFO
    ]


@pytest.mark.parametrize("session_on_small_disk", ["tmpfs", "ext4"], indirect=True)
def test_a_full_disk_apologises_logs_once_and_resumes(session_on_small_disk, caplog):
    session, outbox, ui, data = session_on_small_disk
    caplog.set_level(logging.INFO, logger="kiosk.outbox_writer")
    assert rate(session, ui) is WriteStatus.SAVED
    filler = fill(data)

    shown = [rate(session, ui) for _ in range(4)]
    assert shown == [WriteStatus.FAILED] * 4
    assert check_in(session, ui) is None  # the ticket screen apologises too
    (line,) = storage_lines(caplog)
    assert line.levelno == logging.ERROR and "full" in line.getMessage()
    assert str(outbox.path) in line.getMessage()

    filler.unlink()
    assert rate(session, ui) is WriteStatus.SAVED
    assert check_in(session, ui) is not None
    _first, again = storage_lines(caplog)
    assert "work again" in again.getMessage() and "5 failed" in again.getMessage()
    assert [e.payload["type"] for e in outbox.pending()] == ["feedback", "feedback", "checkin"]

    # A second episode is told again.
    filler = fill(data)
    assert rate(session, ui) is WriteStatus.FAILED
    assert len(storage_lines(caplog)) == 3
    filler.unlink()


# On ext4 only: tmpfs does not stop writes to an immutable file that is open already.
@pytest.mark.parametrize("session_on_small_disk", ["ext4"], indirect=True)
def test_a_read_only_outbox_apologises_logs_once_and_resumes(session_on_small_disk, caplog):
    session, outbox, ui, data = session_on_small_disk
    caplog.set_level(logging.INFO, logger="kiosk.outbox_writer")
    assert rate(session, ui) is WriteStatus.SAVED
    frozen = immutable_files(data)
    set_immutable(frozen, True)
    try:
        assert [rate(session, ui) for _ in range(3)] == [WriteStatus.FAILED] * 3
        (line,) = storage_lines(caplog)
        assert line.levelno == logging.ERROR and "apology" in line.getMessage()
    finally:
        set_immutable(frozen, False)
    assert rate(session, ui) is WriteStatus.SAVED
    assert "work again" in storage_lines(caplog)[-1].getMessage()
    assert len(outbox.pending()) == 2


def test_the_agents_writes_on_a_full_disk_are_a_sentence_and_change_nothing(tmp_path: Path):
    """requeue, quarantine and meta writes of the sync agent fail mid-statement on a full disk:
    an OutboxError that says what to do, never a raw sqlite3 error, and nothing half-done."""
    from kiosk.outbox import OutboxError
    from tests.support.events import feedback

    with small_filesystem(tmp_path / "data") as data:
        outbox = Outbox.open(data / "outbox.sqlite")
        try:
            events = [feedback(comment="x" * 1500) for _ in range(4)]
            for event in events:
                outbox.append(event)
            outbox.quarantine({events[0]["id"]: "rejected by the central: test"})
            fill(data)
            with pytest.raises(OutboxError, match="free space"):
                outbox.set_meta("sync_last_error", "y" * 200_000)
            with pytest.raises(OutboxError, match="free space"):
                outbox.quarantine({e["id"]: "z" * 50_000 for e in events[1:]})
            assert outbox.stats().quarantined == 1 and outbox.stats().pending == 3
        finally:
            outbox.close()

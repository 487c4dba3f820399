"""Fixtures for the sync agent: a real central on 127.0.0.1 (SQLite), a kiosk data directory
with a real outbox, the `hymy-sync` command, and the exactly-once check."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from central.local import LocalCentral
from kiosk.outbox import OUTBOX_FILE, Outbox
from tests.support.paths import EXAMPLE_SITE


@pytest.fixture
def central(tmp_path: Path) -> Iterator[LocalCentral]:
    server = LocalCentral(tmp_path / "central")
    server.data_dir.mkdir()
    server.add_site(EXAMPLE_SITE)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def kiosk_dir(tmp_path: Path) -> Path:
    path = tmp_path / "kiosk"
    path.mkdir()
    Outbox.open(path / OUTBOX_FILE).close()
    return path

"""Fixtures for the sync agent: a real central on 127.0.0.1 (SQLite), a kiosk data directory
with a real outbox, the `hymy-sync` command, and the exactly-once check."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from hymy_dev.local_central import LocalCentral
from kiosk.outbox import OUTBOX_FILE, Outbox
from tests.support.paths import EXAMPLE_SITE


class PreparedCentral(LocalCentral):
    """A central whose data dir is a copy of one prepared in advance: the example site added
    and one enrolment code made. Its first code for the example site is that one (codes are
    one-time, and each copy has its own); further codes come from `hymy-central` as always."""

    def __init__(self, data_dir: Path, code: str) -> None:
        super().__init__(data_dir)
        self._prepared = [code]

    def enroll_code(self, site: str) -> str:
        if site == "kaleva" and self._prepared:
            return self._prepared.pop()
        return super().enroll_code(site)


@pytest.fixture(scope="session")
def prepared_central_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Once per test process: a central's data dir with the example site and an enrolment code
    (`hymy-central site add`, `enroll-code`: two commands every test would otherwise run)."""
    server = LocalCentral(tmp_path_factory.mktemp("prepared") / "central")
    server.data_dir.mkdir()
    server.add_site(EXAMPLE_SITE)
    return server.data_dir, server.enroll_code("kaleva")


@pytest.fixture
def central(tmp_path: Path, prepared_central_dir: tuple[Path, str]) -> Iterator[LocalCentral]:
    """A real central of its own (`hymy-central serve`, SQLite) with the example site."""
    prepared, code = prepared_central_dir
    shutil.copytree(prepared, tmp_path / "central")
    server = PreparedCentral(tmp_path / "central", code)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def kiosk_dir(tmp_path: Path) -> Path:
    path = tmp_path / "kiosk"
    path.mkdir()
    Outbox.open(path / OUTBOX_FILE).close()
    return path

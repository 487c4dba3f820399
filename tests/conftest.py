"""Fixtures shared by every test folder."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from kiosk.xvfb import VirtualDisplay
from tests.support.paths import use_the_assets_of_this_tree
from tests.support.postgres import PostgresCluster, started_cluster

# This tree's catalogs, here and in child processes, even where the venv is another checkout's.
use_the_assets_of_this_tree()


@pytest.fixture(scope="session")
def x_display() -> Iterator[str]:
    """A private Xvfb for this test process (each xdist worker gets its own)."""
    with VirtualDisplay() as display:
        assert display.display is not None
        yield display.display
    os.environ.pop("DISPLAY", None)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    """A throwaway PostgreSQL cluster for this test process (the central's tests and the
    deployment's: the central behind nginx, backups); each test makes its own database."""
    cluster = started_cluster()
    yield cluster
    cluster.stop()

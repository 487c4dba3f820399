"""Fixtures shared by every test folder."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from hymy_dev.xvfb import VirtualDisplay
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


# The tests that take longest (measured: the kiosk's UI runs, the docs' sandboxes, the packaging
# build, the benchmarks' small runs, the browser) run first. With xdist (`make test`: -n 2) the
# workers take tests in collection order, so a long test collected last keeps one worker busy
# while the other has nothing left to do. The order of the rest stays as collected.
SLOW_MARKERS = ("ui", "browser", "packaging")
SLOW_FIXTURES = ("kiosk_run", "sandbox", "dist", "staged_kiosk")
SLOW_MODULES = ("test_benchmarks.py",)


def _runs_long(item: pytest.Item) -> bool:
    return (
        any(item.get_closest_marker(name) for name in SLOW_MARKERS)
        or any(name in getattr(item, "fixturenames", ()) for name in SLOW_FIXTURES)
        or item.path.name in SLOW_MODULES
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: not _runs_long(item))  # stable: collection order within each

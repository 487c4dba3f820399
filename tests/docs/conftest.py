"""Fixtures of the docs tests: a sandbox per document (see tests/support/doc_commands.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.support.doc_commands import Sandbox, stop_postgres_clusters


@pytest.fixture(scope="module", autouse=True)
def _stop_postgres() -> Iterator[None]:
    yield
    stop_postgres_clusters()


@pytest.fixture
def sandbox(x_display: str) -> Iterator[Callable[[str], Sandbox]]:
    made: list[Sandbox] = []

    def make(doc: str) -> Sandbox:
        box = Sandbox(doc, x_display)
        made.append(box)
        return box

    yield make
    for box in made:
        box.close()

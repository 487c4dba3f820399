"""Fixtures of the docs tests: a sandbox per document (see tests/support/doc_commands.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.support.doc_commands import Sandbox


@pytest.fixture
def sandbox(x_display: str, request: pytest.FixtureRequest) -> Iterator[Callable[[str], Sandbox]]:
    """Makes a document's sandbox; PostgreSQL is the session's `postgres`, started only when a
    command names postgresql://."""
    made: list[Sandbox] = []

    def make(doc: str) -> Sandbox:
        box = Sandbox(doc, x_display, lambda: request.getfixturevalue("postgres"))
        made.append(box)
        return box

    yield make
    for box in made:
        box.close()

"""Every command the docs show runs as printed (how: tests/support/doc_commands.py), and
the lists of what cannot run here stay true to the docs."""

from __future__ import annotations

import re

import pytest

from tests.support.doc_commands import (
    ALL_COMMANDS,
    DOCS,
    EXPECTED_EXIT,
    LONG_RUNNING,
    NOT_RUNNABLE,
    PREPARE,
    SERVER_DOC,
    SERVER_ONLY,
    STATE_OUTPUT,
    STDIN,
    bare,
    listed_reason,
    why_it_fails,
)
from tests.support.paths import ROOT


@pytest.mark.parametrize("doc", DOCS)
def test_every_command_of_the_doc_runs_as_printed(doc: str, sandbox) -> None:
    box = sandbox(doc)
    failures = []
    for command in (c for c in ALL_COMMANDS if c.doc == doc):
        if listed_reason(command.text) is not None:
            continue
        why = why_it_fails(box, command)
        if why:
            failures.append(f"{doc}:{command.line}: $ {command.text}\n  {why}")
    assert not failures, "\n\n".join(failures)


def test_nothing_is_listed_that_the_docs_no_longer_show() -> None:
    texts = [(c.doc, c.text) for c in ALL_COMMANDS]
    tables = [NOT_RUNNABLE, STDIN]
    if (ROOT / SERVER_DOC).exists():
        tables.append(SERVER_ONLY)
    stale = [
        prefix
        for table in tables
        for prefix in table
        if not any(text.startswith(prefix) for _, text in texts)
    ]
    stale += [
        pattern
        for pattern in LONG_RUNNING
        if not any(re.search(pattern, bare(text)) for _, text in texts)
    ]
    stale += [
        f"{doc}: {text}"
        for table in (EXPECTED_EXIT, STATE_OUTPUT, PREPARE)
        for doc, text in table
        if (doc, text) not in texts
    ]
    assert not stale, f"listed in tests/test_docs.py but in no doc any more: {stale}"


def test_the_docs_have_commands() -> None:
    """The extraction itself: README.md and the guides' blocks are found, indented ones too."""
    assert {"README.md", "docs/central.md", "docs/sync.md", "docs/it-guide.md"} <= set(DOCS)
    indented = [c for c in ALL_COMMANDS if c.doc == "docs/it-guide.md" and c.line < 40]
    assert indented and indented[0].text == "hymy-central enroll-code --site kaleva"
    assert all(" #" not in c.text for c in ALL_COMMANDS if c.text.startswith("hymy-"))


def test_the_server_guide_reaches_the_service_s_database() -> None:
    """On the server every central command of docs/operations.md goes through hymy-central-admin
    (the service's user and env file). A plain `hymy-central --data-dir /var/lib/hymy-central
    ...` run with sudo ignores HYMY_CENTRAL_DB: on a PostgreSQL server it makes a root-owned
    SQLite file in the service's data dir and reports on that (retention run --dry-run: "would
    delete 0"), and the service cannot write that file afterwards."""
    plain = [
        f"line {c.line}: {c.text}"
        for c in ALL_COMMANDS
        if c.doc == SERVER_DOC
        and re.match(r"^(sudo )?hymy-central\b", c.text)
        and "/var/lib/hymy-central" in c.text
    ]
    assert not plain, f"use `sudo hymy-central-admin ...` instead: {plain}"

"""The docs test's own machinery: what it cannot run fails it, how output is compared,
how commands are told apart, placeholders and their way back, curl's answers."""

from __future__ import annotations

import re

from tests.support.doc_commands import (
    DocCommand,
    Ran,
    bare,
    listed_reason,
    output_differs,
    run_doc_command,
)


def test_a_command_the_test_cannot_run_fails_it(sandbox) -> None:
    box = sandbox("docs/new.md")
    why = run_doc_command(box, DocCommand("docs/new.md", 1, "frobnicate --all", ()))
    assert why is not None and "does not know how to run it" in why
    assert listed_reason("ansible-playbook -i inventory.yml fleet.yml") is not None


def test_the_first_line_is_compared_by_its_fixed_words() -> None:
    shown = (
        "Enrolled aula-1 at site kaleva (device 3c1f...); token in /var/lib/hymy/device.json.",
    )
    same = (
        "Enrolled kiosk-7 at site kaleva (device 9b1d77c0-aa); token in /var/lib/hymy/device.json."
    )
    assert output_differs(shown, Ran(0, same + "\nmore\n", "")) is None
    other = "Enrolled aula-1 at site hervanta (device 3c1f); token in /var/lib/hymy/device.json."
    assert output_differs(shown, Ran(0, other, "")) is not None
    assert output_differs(shown, Ran(0, "", "")) is not None
    # Log lines on stderr are not what a person reads first; click's "Error:" is.
    error = ("Error: No site 'x'; add it with `hymy-central site add`.",)
    logged = "2026-12-02 04:00:00,123 INFO central.db: schema up to date\n" + error[0] + "\n"
    assert output_differs(error, Ran(1, "", logged)) is None
    assert output_differs(('{"status": "ok", "version": "0.1.0"}',), Ran(0, '{"status":"ok"}', ""))
    assert output_differs(("...",), Ran(0, "anything", "")) is None


def test_how_commands_are_told_apart() -> None:
    server = "HYMY_CENTRAL_DB=postgresql://hymy@/hymy hymy-central serve --workers 4"
    assert bare(server) == "hymy-central serve --workers 4"
    assert bare("sudo -u hymy-central hymy-central db upgrade") == "hymy-central db upgrade"
    assert re.search(r"^hymy-central\b.* serve\b", bare(server))
    assert not re.search(r"^hymy-kiosk (?!.*--hash-pin)", "hymy-kiosk --hash-pin")


def test_placeholders_and_their_way_back(sandbox) -> None:
    box = sandbox("docs/new.md")
    real = box.substitute("sudo -u hymy-central hymy-central serve --workers 4 --host 0.0.0.0")
    assert real == "hymy-central serve --workers 2 --host 127.0.0.1"
    assert box.substitute("hymy-sync status --data-dir /var/lib/hymy") == (
        f"hymy-sync status --data-dir {box.kiosk_dir}"
    )
    # Only values that stand for the docs' words are written back in the output.
    assert box.back(f"2 workers on 127.0.0.1; token in {box.kiosk_dir}/device.json") == (
        "2 workers on 127.0.0.1; token in /var/lib/hymy/device.json"
    )


def test_curl_without_a_shown_answer_must_get_a_success(sandbox) -> None:
    box = sandbox("docs/new.md")
    ok = DocCommand("docs/new.md", 1, "curl -sI https://hymy.example.fi/healthz", ())
    assert run_doc_command(box, ok) is None
    missing = DocCommand("docs/new.md", 2, "curl -s https://hymy.example.fi/nothing-here", ())
    why = run_doc_command(box, missing)
    assert why is not None and "answered HTTP 404" in why

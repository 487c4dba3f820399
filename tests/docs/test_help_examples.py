"""The "Example:" line of every command's --help runs as printed, like the docs' commands."""

from __future__ import annotations

from tests.support.doc_commands import (
    ALL_COMMANDS,
    DocCommand,
    examples_in,
    help_examples,
    why_it_fails,
    without_data_dir,
)


def test_every_help_example_runs(sandbox) -> None:
    box = sandbox("--help")
    examples = help_examples()
    assert len(examples) >= 10, examples
    failures = []
    shown = {c.text for c in ALL_COMMANDS}
    shown_elsewhere = {without_data_dir(text) for text in shown}
    for name, example in examples:
        assert example.startswith(name.split()[0]), f"{name}'s example runs another program"
        if example in shown or without_data_dir(example) in shown_elsewhere:
            continue  # a doc shows it as it is (or with another data dir): run there
        why = why_it_fails(box, DocCommand("--help", 0, example, ()))
        if why:
            failures.append(f"{name} --help: {example}\n  {why}")
    assert not failures, "\n\n".join(failures)


def test_examples_are_read_from_help_texts() -> None:
    text = """Show a site.

    \b
    Examples:
      hymy-central site show kaleva > kaleva.toml   (then edit it)
      hymy-central site update kaleva.toml

    Example: hymy-central site list
    More words.
    """
    assert examples_in(text) == [
        "hymy-central site show kaleva > kaleva.toml",
        "hymy-central site update kaleva.toml",
        "hymy-central site list",
    ]

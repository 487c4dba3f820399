"""`hymy-central example site|kiosk|questions`: the packaged example files, to start a site
file or a kiosk config from outside the repository (`hymy-central example site > site.toml`)."""

from __future__ import annotations

from importlib import resources

import click

from central.cli import main

EXAMPLES = {
    "site": "example-site.toml",
    "kiosk": "example-kiosk.toml",
    "questions": "example-questions.toml",
}


def example_text(kind: str) -> str:
    """The packaged example file of this kind (a key of EXAMPLES), as text."""
    return (resources.files("hymy_assets") / "config" / EXAMPLES[kind]).read_text(encoding="utf-8")


@main.command("example")
@click.argument("kind", type=click.Choice(sorted(EXAMPLES)))
def example(kind: str) -> None:
    """Print an example file: `site` (for `hymy-central site add`), `kiosk` (a kiosk's
    config, see docs/kiosk-config.md) or `questions` (the national feedback model's tables, to
    add to a site file: docs/question-sets.md).

    \b
    Example:
      hymy-central example site > site.toml && hymy-central site add site.toml
    """
    try:
        text = example_text(kind)
    except (ModuleNotFoundError, FileNotFoundError):
        raise click.ClickException(
            f"The example {EXAMPLES[kind]} is not installed with this copy of hymy: "
            "reinstall the package (pip install --force-reinstall 'hymy[central]')."
        ) from None
    click.echo(text, nl=False)

"""Where the console scripts start (pyproject [project.scripts]), before any third-party import.

A server is installed with `pip install 'hymy[central]'` and a kiosk with `pip install 'hymy[pi]'`,
so each holds the commands of the other role without their packages. Run there, such a command
would end in an ImportError traceback; instead it says in one sentence which extra to install and
exits with status 1. `--version` answers even then.

The packages a command needs are read from the installed distribution's own metadata (its
Requires-Dist for the command's extra), so pyproject.toml stays the one list of them.
"""

from __future__ import annotations

import importlib
import re
import sys
from dataclasses import dataclass
from importlib import metadata

DISTRIBUTION = "hymy"

_NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_ONLY_EXTRA = re.compile(r"""\s*extra\s*==\s*["']([A-Za-z0-9._-]+)["']\s*""")


@dataclass(frozen=True)
class Role:
    """A command, the extra whose packages it needs, and the extra a person installs for it."""

    command: str
    extra: str
    runs_on: str
    install_extra: str
    target: str  # "module:function" of the click command

    def missing_sentence(self, missing: list[str]) -> str:
        return (
            f"{self.command} runs on {self.runs_on} and needs packages this installation lacks "
            f"({', '.join(missing)}): install them with pip install '{DISTRIBUTION}"
            f"[{self.install_extra}]'."
        )


ROLES = {
    role.command: role
    for role in (
        Role("hymy-kiosk", "kiosk", "the kiosk", "pi", "kiosk.cli:main"),
        Role("hymy-sync", "sync", "the kiosk", "pi", "sync.cli:main"),
        Role("hymy-central", "central", "the central server", "central", "central.cli:main"),
    )
}


def version() -> str:
    """The installed distribution's version ("0+unknown" in a source tree never installed)."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "0+unknown"


def extra_requirements(extra: str) -> list[str]:
    """The distribution names the installed `hymy` requires for `extra`. Empty when hymy's
    metadata cannot be found (a source tree that was never installed): then nothing is checked."""
    try:
        requires = metadata.requires(DISTRIBUTION) or []
    except metadata.PackageNotFoundError:
        return []
    names: list[str] = []
    for line in requires:
        requirement, _, marker = line.partition(";")
        wanted = _ONLY_EXTRA.fullmatch(marker)
        name = _NAME.match(requirement)
        # A marker with more than the extra in it (a platform, a Python version) is not
        # evaluated here: such a requirement is left to pip rather than guessed at.
        if not (wanted and name) or wanted.group(1) != extra:
            continue
        if name.group(1).lower() != DISTRIBUTION:  # pi = hymy[kiosk,sync] names no package
            names.append(name.group(1))
    return names


def missing_packages(extra: str) -> list[str]:
    """The packages of `extra` that are not installed, in the order pyproject.toml lists them."""
    missing = []
    for name in extra_requirements(extra):
        try:
            metadata.distribution(name)
        except metadata.PackageNotFoundError:
            if name not in missing:
                missing.append(name)
    return missing


def run(command: str, argv: list[str] | None = None) -> int:
    """Run `command` (a key of ROLES) when its packages are installed; else say which extra to
    install and return 1 (or print the version for --version and return 0)."""
    role = ROLES[command]
    argv = sys.argv[1:] if argv is None else argv
    missing = missing_packages(role.extra)
    if missing:
        if "--version" in argv:
            print(f"{command} {version()}")  # noqa: T201 (a command's own output, before logging)
            return 0
        print(role.missing_sentence(missing), file=sys.stderr)  # noqa: T201
        return 1
    module, _, function = role.target.partition(":")
    main = getattr(importlib.import_module(module), function)
    main(args=argv, prog_name=command)
    return 0


def kiosk() -> int:
    """`hymy-kiosk`."""
    return run("hymy-kiosk")


def sync() -> int:
    """`hymy-sync`."""
    return run("hymy-sync")


def central() -> int:
    """`hymy-central`."""
    return run("hymy-central")

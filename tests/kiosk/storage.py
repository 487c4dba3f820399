"""Real storage faults for the kiosk's tests: a small tmpfs that fills up, a read-only bind mount,
and files made immutable (`chattr +i`, which stops root too, unlike chmod).

They need root (mount, chattr): CI runs the tests as root. Elsewhere the tests that use them are
skipped, but never under CI=true, where a missing privilege is a failure.
"""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

FILLER = "filler"


def _run(*command: str) -> None:
    subprocess.run(command, check=True, capture_output=True, text=True)


def require_root() -> None:
    """Skip (or fail under CI) when this process may not mount file systems."""
    if os.geteuid() == 0:
        return
    message = "needs root for mount and chattr (CI runs the tests as root)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@contextlib.contextmanager
def small_filesystem(path: Path, size: str = "2m") -> Iterator[Path]:
    """A tmpfs of the given size mounted at path (made if needed) for the block's time."""
    require_root()
    path.mkdir(parents=True, exist_ok=True)
    _run("mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "hymy-test", str(path))
    try:
        yield path
    finally:
        unmount(path)


def unmount(path: Path) -> None:
    """Unmount path; lazily when a process still holds a file there (it goes when they do)."""
    for flags in ((), ("-l",)):
        with contextlib.suppress(subprocess.CalledProcessError):
            _run("umount", *flags, str(path))
            return


@contextlib.contextmanager
def bind_mount(source: Path, target: Path) -> Iterator[Path]:
    """source mounted at target too, for the block's time (see `set_read_only`)."""
    require_root()
    source.mkdir(parents=True, exist_ok=True)
    target.mkdir(parents=True, exist_ok=True)
    _run("mount", "--bind", str(source), str(target))
    try:
        yield target
    finally:
        unmount(target)


def set_read_only(mount_point: Path, read_only: bool) -> None:
    """Remount a bind mount read-only or writable again (only while no file there is open for
    writing: the kernel refuses a read-only remount then)."""
    _run("mount", "-o", f"remount,bind,{'ro' if read_only else 'rw'}", str(mount_point))


def fill(directory: Path) -> Path:
    """Fill the file system of directory to the last byte with a file; returns that file."""
    filler = directory / FILLER
    chunk = b"\0" * 65536
    with filler.open("ab") as file:
        while True:
            try:
                file.write(chunk)
                file.flush()
            except OSError as err:
                if err.errno != errno.ENOSPC:
                    raise
                break
        # The last partial chunk: byte by byte, until not one more fits.
        with contextlib.suppress(OSError):
            while True:
                file.write(b"\0")
                file.flush()
    return filler


def immutable_files(directory: Path) -> list[Path]:
    """The outbox's files that `chattr +i` may freeze: never the -shm file, which SQLite maps
    into memory (a write to a frozen mapping kills the process with SIGBUS)."""
    return [directory, *(p for p in directory.iterdir() if not p.name.endswith("-shm"))]


def set_immutable(paths: Iterable[Path], immutable: bool) -> None:
    require_root()
    _run("chattr", "+i" if immutable else "-i", *(str(p) for p in paths))

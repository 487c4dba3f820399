"""Real storage faults for the kiosk's tests: a small tmpfs that fills up, a read-only bind mount,
and files made immutable on a loop-mounted ext4 (`chattr +i`, which stops root too, unlike
chmod; a read-only remount is refused while SQLite holds its files open for writing).

They need root (mount, mkfs.ext4, chattr): CI runs the tests as root. Elsewhere the tests that
use them are skipped, but never under CI=true, where a missing privilege is a failure.
"""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
from collections.abc import Iterable, Iterator
from pathlib import Path

from tests.support.host import require_root

FILLER = "filler"


def _run(*command: str) -> None:
    subprocess.run(command, check=True, capture_output=True, text=True)


@contextlib.contextmanager
def small_filesystem(path: Path, size: str = "2m") -> Iterator[Path]:
    """A tmpfs of the given size mounted at path (made if needed) for the block's time."""
    require_root("mount and chattr")
    path.mkdir(parents=True, exist_ok=True)
    _run("mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "hymy-test", str(path))
    try:
        yield path
    finally:
        unmount(path)


@contextlib.contextmanager
def small_ext4(path: Path, megabytes: int = 8) -> Iterator[Path]:
    """A loop-mounted ext4 file system at path, as on the Pi's SD card: `chattr +i` there stops
    writes through files already open (tmpfs does not check that), no blocks reserved for root."""
    require_root("mount and chattr")
    image = path.with_name(f"{path.name}.img")
    with image.open("wb") as file:
        file.truncate(megabytes * 1024 * 1024)
    _run("mkfs.ext4", "-q", "-F", "-m", "0", str(image))
    path.mkdir(parents=True, exist_ok=True)
    _run("mount", "-o", "loop", str(image), str(path))
    (path / "lost+found").rmdir()
    try:
        yield path
    finally:
        unmount(path)
        image.unlink()


def unmount(path: Path) -> None:
    """Unmount path; lazily when a process still holds a file there (it goes when they do)."""
    for flags in ((), ("-l",)):
        with contextlib.suppress(subprocess.CalledProcessError):
            _run("umount", *flags, str(path))
            return


@contextlib.contextmanager
def bind_mount(source: Path, target: Path) -> Iterator[Path]:
    """source mounted at target too, for the block's time (see `set_read_only`)."""
    require_root("mount and chattr")
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
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        size = 1 << 20
        while size:  # ever smaller writes, down to a single byte that no longer fits
            try:
                os.write(fd, b"\0" * size)
            except OSError as err:
                if err.errno != errno.ENOSPC:
                    raise
                size //= 2
    finally:
        os.close(fd)
    return filler


def immutable_files(directory: Path) -> list[Path]:
    """The outbox's files that `chattr +i` may freeze: never the -shm file, which SQLite maps
    into memory (a write to a frozen mapping kills the process with SIGBUS)."""
    return [directory, *(p for p in directory.iterdir() if not p.name.endswith("-shm"))]


def set_immutable(paths: Iterable[Path], immutable: bool) -> None:
    require_root("mount and chattr")
    _run("chattr", "+i" if immutable else "-i", *(str(p) for p in paths))

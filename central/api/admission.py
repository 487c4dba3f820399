"""Admission of batches: at most `slots` batches are stored at once **per database**, whatever
the number of worker processes (`serve --workers N`) and of central servers on it; more wait up
to `wait_s` for a turn, and a batch that still finds none is told when to come back, later the
longer the queue (a fleet catching up after an outage spreads out instead of returning in one
wave). The sync agent keeps the batch and waits at least that long.

The slots are locks the database's users share, so a process that dies frees its slots at once:
- PostgreSQL: session advisory locks (SLOT_LOCK_KEY, 0..slots-1), each held on a connection of
  the gate's own small pool while its batch is stored (advisory locks belong to one database);
- SQLite: exclusive flock()s on files `<database>.ingest-slots/N` next to the database file;
- an in-memory SQLite (one process): the process's own semaphore only.

Within a process an asyncio semaphore of `slots` comes first, so a process never probes for more
slots than there are; its waiters then try the shared slots every 20-100 ms until `wait_s` is up.
The Retry-After grows with the batches waiting in this process (the others' queues are unknown
here; with several workers the figure is a lower bound).
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import random
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine, create_engine, event, text
from starlette.concurrency import run_in_threadpool

from central import db

log = logging.getLogger(__name__)
RETRY_AFTER_MIN_S = 5
RETRY_AFTER_MAX_S = 120
SLOT_LOCK_KEY = 0x68796D79  # "hymy": the first key of the advisory locks (key, slot)
POLL_MIN_S = 0.02
POLL_MAX_S = 0.1


class BusyError(Exception):
    """No turn within the wait; `retry_after_s` says when to come back."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"busy; retry after {retry_after_s} s")
        self.retry_after_s = retry_after_s


def retry_after_s(waiting: int, slots: int) -> int:
    """5 s when few other batches wait, 5 s more for each `slots` of them, at most 120 s."""
    return min(RETRY_AFTER_MAX_S, RETRY_AFTER_MIN_S * (1 + waiting // max(1, slots)))


class SharedSlots(Protocol):
    """Slots shared with every other process of the database (blocking calls: run off the
    event loop)."""

    def try_take(self) -> Any | None:
        """A held slot, or None when every slot is taken."""

    def give_back(self, held: Any) -> None: ...

    def close(self) -> None: ...


class PostgresSlots:
    """Advisory locks (SLOT_LOCK_KEY, n), each held on a connection of a pool of `slots`."""

    def __init__(self, url: str, slots: int) -> None:
        self.slots = slots
        # The process semaphore lets at most `slots` turns probe or hold at once: a connection
        # each, so checking one out never waits.
        self.engine: Engine = create_engine(
            db.normalize_url(url), pool_size=max(1, slots), max_overflow=0, pool_pre_ping=True
        )

        @event.listens_for(self.engine, "checkin")
        def _unlock(dbapi_connection: Any, _record: Any) -> None:
            # Whatever way a connection comes back (given back, or dropped by a cancelled
            # request and collected), it holds no slot in the pool.
            if dbapi_connection is None:
                return
            try:
                with dbapi_connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock_all()")
                dbapi_connection.commit()
            except Exception as err:
                log.warning("ingest slots of a pooled connection not unlocked: %s", err)

    def try_take(self) -> Any | None:
        conn = self.engine.connect()
        try:
            order = random.sample(range(self.slots), self.slots)
            # Limit over a function scan stops at the first slot it could lock: one lock at most.
            slot = conn.execute(
                text(
                    "SELECT s FROM unnest(CAST(:order AS int[])) AS s "
                    "WHERE pg_try_advisory_lock(:key, s) LIMIT 1"
                ),
                {"order": order, "key": SLOT_LOCK_KEY},
            ).scalar()
            conn.commit()
        except BaseException:
            conn.invalidate()  # whatever it may hold goes with the session
            conn.close()
            raise
        if slot is None:
            conn.close()
            return None
        return conn, slot

    def give_back(self, held: Any) -> None:
        conn, _slot = held
        conn.close()  # back to the pool, where "checkin" unlocks it (see __init__)

    def close(self) -> None:
        self.engine.dispose()


class FileSlots:
    """Exclusive flock()s on `slots` files in a directory next to the SQLite database (flock
    is per open file, so it also separates the threads of one process)."""

    def __init__(self, directory: Path, slots: int) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.paths = [directory / str(n) for n in range(slots)]

    def try_take(self) -> Any | None:
        for path in random.sample(self.paths, len(self.paths)):
            # A file object, not a bare descriptor: one lost by a cancelled request is closed
            # when collected, and its lock ends with it.
            slot_file = open(path, "a")  # noqa: SIM115 - held until give_back
            try:
                fcntl.flock(slot_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                slot_file.close()
                continue
            return slot_file
        return None

    def give_back(self, held: Any) -> None:
        held.close()  # closing the file ends its lock

    def close(self) -> None:
        pass


def shared_slots(engine: Engine, url: str, slots: int) -> SharedSlots | None:
    """The slots of the database behind `engine` (None: an in-memory SQLite, one process)."""
    if slots <= 0:
        return None
    if engine.dialect.name == "postgresql":
        return PostgresSlots(url, slots)
    path = db.sqlite_path(engine)
    if path is None:
        return None
    return FileSlots(path.with_name(path.name + ".ingest-slots"), slots)


class IngestGate:
    """The batches' turns of one worker process (asyncio: used from its event loop only), with
    the slots shared by every process of the database when `shared` is given."""

    def __init__(self, slots: int, wait_s: float, shared: SharedSlots | None = None) -> None:
        self.slots = slots
        self.wait_s = wait_s
        self.waiting = 0
        self.shared = shared
        self._free = asyncio.Semaphore(max(0, slots))

    async def _take_shared(self, deadline: float) -> Any:
        assert self.shared is not None
        pause = POLL_MIN_S
        while True:
            held = await run_in_threadpool(self.shared.try_take)
            if held is not None:
                return held
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            await asyncio.sleep(min(left, random.uniform(pause / 2, pause)))
            pause = min(POLL_MAX_S, pause * 2)

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """Hold one of the slots while the body runs.

        Raises BusyError when none was free within `wait_s` (at once when there are no slots).
        """
        deadline = time.monotonic() + self.wait_s
        held = None
        self.waiting += 1
        try:
            if self.slots <= 0:
                raise BusyError(retry_after_s(self.waiting - 1, self.slots))
            await asyncio.wait_for(self._free.acquire(), self.wait_s)
            if self.shared is not None:
                try:
                    held = await self._take_shared(deadline)
                except BaseException:
                    self._free.release()
                    raise
        except TimeoutError:
            raise BusyError(retry_after_s(self.waiting - 1, self.slots)) from None
        finally:
            self.waiting -= 1
        try:
            yield
        finally:
            try:
                if held is not None:
                    assert self.shared is not None
                    await run_in_threadpool(self.shared.give_back, held)
            finally:
                self._free.release()

    def close(self) -> None:
        if self.shared is not None:
            self.shared.close()

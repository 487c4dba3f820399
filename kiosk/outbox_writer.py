"""The kiosk's one outbox writer thread: writes a frame can wait for, writes nobody waits for, and
failed writes told to IT once per episode.

No Kivy here: the UI hands in `post`, which runs a callback on its own thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from kiosk.outbox import Outbox, OutboxError

log = logging.getLogger(__name__)

# How long a touch waits for its write before letting the frame go on (a fraction of a frame).
ANSWER_WAIT_S = 0.012

T = TypeVar("T")


class StorageEpisodes:
    """Failed outbox writes, told to IT once per episode rather than once per touch: the first
    failure with its cause, then nothing until a write works again, which ends the episode.

    A full or read-only data dir fails every write until someone fixes it; the kiosk keeps
    trying each write (and apologising to the visitor), so it resumes by itself.
    """

    def __init__(self, logger: logging.Logger = log) -> None:
        self._log = logger
        self.failures = 0  # in the current episode; 0 when writes work

    @property
    def failing(self) -> bool:
        return self.failures > 0

    def failed(self, what: str, path: object, err: BaseException) -> None:
        self.failures += 1
        if self.failures == 1:
            self._log.error(
                "could not %s in %s: %s Visitors are shown an apology; the kiosk tries every "
                "write again and says here when writes work again.",
                what,
                path,
                err,
            )
        self._log.debug("could not %s in %s", what, path, exc_info=err)

    def succeeded(self, path: object) -> None:
        if self.failures:
            # A warning like the failure's error: `journalctl -p warning` shows both ends.
            self._log.warning("writes to %s work again (%d failed meanwhile)", path, self.failures)
            self.failures = 0


class OutboxWriter:
    """Runs the kiosk's outbox writes one after another on a thread of its own, so recording never
    stalls a frame. `what` in each call says, for the log, what the write was for."""

    def __init__(self, outbox: Outbox, post: Callable[[Callable[[], None]], None]) -> None:
        self.outbox = outbox
        self._post = post
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox-writer")
        self.storage = StorageEpisodes()  # used on the writer thread only

    def write_then(
        self, write: Callable[[], T], done: Callable[[T | None], None], what: str
    ) -> None:
        """Write on the writer thread and hand `done` the write's result on the UI thread, or
        None when the write failed (so a write returns something other than None).

        A write that answers within ANSWER_WAIT_S (nearly all do: they take about a millisecond)
        is handed over at once, so the next screen is drawn in this very frame; a slower one
        (a busy SD card) comes back through `post` while the frames go on.
        """
        job = self._submit(lambda: self._write_noting_failure(write, what))
        if job is None:
            log.error("could not %s: the kiosk is shutting down", what)
            return
        try:
            result = job.result(timeout=ANSWER_WAIT_S)
        except TimeoutError:
            job.add_done_callback(lambda f: self._post(lambda: done(f.result())))
            return
        done(result)

    def write_soon(self, write: Callable[[], object], what: str) -> None:
        """A write on the writer thread that nobody waits for; a failure is logged."""
        self.run_soon(lambda: self._write_noting_failure(write, what), what)

    def read_then(self, read: Callable[[], T], done: Callable[[T], None], what: str) -> None:
        """Read on the writer thread (between the writes); `done` gets the result through `post`."""

        def read_and_post() -> None:
            result = read()
            self._post(lambda: done(result))

        self.run_soon(read_and_post, what)

    def run_soon(self, job: Callable[[], object], what: str) -> None:
        """Any job on the writer thread that nobody waits for."""
        if self._submit(job) is None:
            log.error("could not %s: the kiosk is shutting down", what)

    def flush(self) -> None:
        """Wait until every write handed to the writer thread so far is done."""
        self._thread.submit(lambda: None).result()

    def close(self) -> None:
        """Finish the writes already handed over, then stop the writer thread."""
        self._thread.shutdown(wait=True)

    def _submit(self, job: Callable[[], T]) -> Future[T] | None:
        """The job's future; None once the writer thread is shut down."""
        try:
            return self._thread.submit(job)
        except RuntimeError:  # shut down
            return None

    def _write_noting_failure(self, write: Callable[[], T], what: str) -> T | None:
        """Run one write and return its result; a failure is counted into the storage episode
        and logged, not raised, and gives None."""
        try:
            result = write()
        except OutboxError as err:
            # The visitor gets a calm apology on screen; the details are for IT, in the log.
            self.storage.failed(what, self.outbox.path, err)
            return None
        except Exception:
            log.exception("could not %s in %s", what, self.outbox.path)  # a bug: every time
            return None
        self.storage.succeeded(self.outbox.path)
        return result

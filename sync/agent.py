"""The sync agent's loop: upload pending events as they come, back off while the central is
away, send a heartbeat and pull the kiosk's config every minute, and stop uploading (keeping
every event) when the central refuses the device's token."""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from kiosk import __version__
from kiosk.outbox import OUTBOX_FILE, PRINTER_META, Outbox
from sync.backoff import Backoff
from sync.client import CentralClient, CentralError, RefusedError, RetryLaterError, RevokedError
from sync.credentials import (
    Credentials,
    NotEnrolledError,
    load_credentials,
    save_central_config,
)
from sync.heartbeat import build_heartbeat
from sync.status import (
    CONFIG_ETAG_META,
    LAST_ERROR_AT_META,
    LAST_ERROR_META,
    REVOKED_META,
    read_state,
)
from sync.uploader import DEFAULT_BATCH, AnswerError, BatchReport, Uploader

log = logging.getLogger(__name__)

POLL_S = 0.5  # new events are picked up within a second
HEARTBEAT_S = 60.0
REVOKED_RECHECK_S = 600.0  # while refused: look for a new enrolment this often


@dataclass(frozen=True)
class AgentSettings:
    data_dir: Path
    batch_size: int = DEFAULT_BATCH
    heartbeat_s: float = HEARTBEAT_S
    poll_s: float = POLL_S
    backoff_base_s: float = 1.0
    backoff_cap_s: float = 300.0


def make_client(credentials: Credentials) -> CentralClient:
    return CentralClient(
        credentials.central,
        token=credentials.token,
        ca_file=credentials.ca_file,
        insecure=credentials.insecure,
    )


class SyncAgent:
    """One agent per data directory. `stop()` (from any thread or a signal) ends `run`/`drain`
    at the next wait."""

    def __init__(self, settings: AgentSettings, *, now: Callable[[], datetime] | None = None):
        self.settings = settings
        self.outbox = Outbox.open(settings.data_dir / OUTBOX_FILE)
        self.credentials = load_credentials(settings.data_dir)
        self.client = make_client(self.credentials)
        self.uploader = Uploader(self.outbox, self.client, batch_size=settings.batch_size)
        self.backoff = Backoff(settings.backoff_base_s, settings.backoff_cap_s)
        self._now = now or (lambda: datetime.now(UTC))
        self._stop = threading.Event()
        self.revoked = False  # the central refused the token: nothing is sent until re-enrolled
        if self.outbox.get_meta(REVOKED_META):  # a restart (maybe after re-enrolling) tries again
            self.outbox.set_meta(REVOKED_META, "")

    def stop(self) -> None:
        self._stop.set()

    def close(self) -> None:
        self.uploader.close()
        self.client.close()
        self.outbox.close()

    # --- the state others read -------------------------------------------------------------

    def _set_revoked(self, message: str) -> None:
        """Remember a refused token here and, for `hymy-sync status`, in the outbox ("" clears)."""
        self.revoked = bool(message)
        self.outbox.set_meta(REVOKED_META, message)

    def _record_error(self, message: str) -> None:
        log.warning("%s", message)
        self.outbox.set_meta(LAST_ERROR_META, message)
        self.outbox.set_meta(LAST_ERROR_AT_META, self._now().isoformat())

    # --- one step each ---------------------------------------------------------------------

    def upload_step(self) -> BatchReport | None:
        """One batch; returns its report, None when nothing was pending.

        Raises RetryLaterError (after recording it) when the agent should wait, RevokedError
        when the token is refused.
        """
        try:
            report = self.uploader.send_batch()
        except RevokedError as err:
            self._record_error(str(err))
            self._set_revoked(str(err))
            raise
        except (RetryLaterError, AnswerError, RefusedError) as err:
            self._record_error(str(err))
            raise RetryLaterError(str(err), getattr(err, "retry_after_s", None)) from err
        except CentralError as err:  # TLS and the like: a person has to act; keep trying
            self._record_error(str(err))
            raise RetryLaterError(str(err)) from err
        self.backoff.reset()
        return report

    def heartbeat_step(self) -> None:
        """Send the heartbeat and pull the config (logged, never fatal)."""
        try:
            stats = self.outbox.stats()
            beat = build_heartbeat(
                version=__version__,
                stats=stats,
                state=read_state(self.outbox),
                free_disk_bytes=shutil.disk_usage(self.settings.data_dir).free,
                printer=self.outbox.get_meta(PRINTER_META),
                now=self._now(),
            )
            self.client.heartbeat(beat)
            self.pull_config()
        except RevokedError as err:
            self._set_revoked(str(err))
        except CentralError as err:
            log.info("heartbeat not sent: %s", err)

    def pull_config(self) -> bool:
        """Fetch the kiosk's config if it changed; True when a new one was written.

        Raises CentralError when the central cannot be asked.
        """
        config, etag = self.client.config(self.outbox.get_meta(CONFIG_ETAG_META))
        if config is None:
            return False
        save_central_config(self.settings.data_dir, config)
        self.outbox.set_meta(CONFIG_ETAG_META, etag or "")
        log.info("new config from the central written for the kiosk")
        return True

    def _reenrolled(self) -> bool:
        """Whether the enrolment on disk changed (a new token) since the agent started."""
        try:
            fresh = load_credentials(self.settings.data_dir)
        except NotEnrolledError:  # unreadable or gone: not re-enrolled yet
            return False
        if fresh == self.credentials:
            return False
        self.client.close()
        self.credentials = fresh
        self.client = make_client(fresh)
        self.uploader.client = self.client
        self._set_revoked("")
        log.info("new enrolment found; uploading again")
        return True

    # --- loops -----------------------------------------------------------------------------

    def run(self) -> None:
        """Upload forever (until stop): the service's main loop."""
        next_beat = 0.0
        while not self._stop.is_set():
            if time.monotonic() >= next_beat:
                self.heartbeat_step()
                next_beat = time.monotonic() + self.settings.heartbeat_s
            if self.revoked:
                if not self._stop.wait(REVOKED_RECHECK_S) and self._reenrolled():
                    next_beat = 0.0
                continue
            try:
                report = self.upload_step()
            except RetryLaterError as err:
                self._stop.wait(self.backoff.next_delay(err.retry_after_s))
                continue
            except RevokedError:
                continue
            if report is None or report.events < self.uploader.batch_size:
                self._stop.wait(self.settings.poll_s)  # caught up: look again shortly

    def drain(
        self, progress: Callable[[int], None] | None = None, give_up_after_s: float = 120.0
    ) -> int:
        """Send until nothing is pending (retrying while the central is away, for at most
        `give_up_after_s` without progress); returns how many events are left.

        Raises RevokedError when the token is refused.
        """
        last_progress = time.monotonic()
        while not self._stop.is_set():
            try:
                report = self.upload_step()
            except RetryLaterError as err:
                if time.monotonic() - last_progress > give_up_after_s:
                    break
                self._stop.wait(self.backoff.next_delay(err.retry_after_s))
                continue
            if report is None:
                break
            last_progress = time.monotonic()
            if progress:
                progress(report.sent + report.quarantined)
        return self.outbox.stats().pending

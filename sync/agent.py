"""The sync agent's loop: upload pending events as they come, back off while the central is
away, send a heartbeat and pull the kiosk's config every minute, and stop uploading (keeping
every event) when the central refuses the device's token.

Nothing the central answers and nothing that fails in one round ends the loop: a garbled
answer is retried, a refusal (a 4xx other than 401) is shown in `status` and the heartbeat and
offered again every few minutes, an outbox that cannot be written is reported as the
heartbeat's `storage`, and anything unexpected is logged with its traceback and retried after
the backoff."""

from __future__ import annotations

import errno
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kiosk import __version__
from kiosk.outbox import OUTBOX_FILE, Outbox, OutboxError, OutboxMeta, OutboxStats
from sync.backoff import REFUSED_CAP_S, Backoff
from sync.client import (
    AnswerError,
    CentralClient,
    CentralError,
    RefusedError,
    RetryLaterError,
    RevokedError,
)
from sync.credentials import (
    Credentials,
    NotEnrolledError,
    check_kiosk_config,
    load_credentials,
    save_central_config,
)
from sync.heartbeat import base_heartbeat, build_heartbeat, read_storage
from sync.status import (
    Refusal,
    SyncState,
    outbox_range,
    read_state,
)
from sync.uploader import DEFAULT_BATCH, BatchReport, Uploader

log = logging.getLogger(__name__)

POLL_S = 0.5  # new events are picked up within a second
HEARTBEAT_S = 60.0
REVOKED_RECHECK_S = 600.0  # while refused: look for a new enrolment this often
NO_STATS = OutboxStats(0, 0, 0, 0, None, None)  # for a heartbeat when the outbox cannot be read
# A data dir full, read-only or not ours: a condition IT acts on, told in a sentence.
STORAGE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM}


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
    at the next wait.

    Raises NotEnrolledError or OutboxError when it cannot start.
    """

    def __init__(self, settings: AgentSettings, *, now: Callable[[], datetime] | None = None):
        self.settings = settings
        self.outbox = Outbox.open(settings.data_dir / OUTBOX_FILE)
        self.credentials = load_credentials(settings.data_dir)
        self.client = make_client(self.credentials)
        self.uploader = Uploader(self.outbox, self.client, batch_size=settings.batch_size)
        self.backoff = Backoff(settings.backoff_base_s, settings.backoff_cap_s)
        self._now = now or (lambda: datetime.now(UTC))
        self._stop = threading.Event()
        self.write_failed = False  # the last write of the outbox failed (heartbeat's storage)
        self._last_stats = NO_STATS
        self.revoked = False  # the central refused the token: nothing is sent until re-enrolled
        # A restart (maybe after re-enrolling) tries again.
        if self.outbox.get_meta(OutboxMeta.REVOKED):
            self._write_meta(OutboxMeta.REVOKED, "")
        # A refusal outlives a restart (its "since" stays) until a batch is taken again.
        self.refused = Refusal.from_json(self.outbox.get_meta(OutboxMeta.REFUSED))
        self.beat_refused = Refusal.from_json(self.outbox.get_meta(OutboxMeta.BEAT_REFUSED))

    def stop(self) -> None:
        self._stop.set()

    def close(self) -> None:
        self.uploader.close()
        self.client.close()
        self.outbox.close()

    # --- the state others read -------------------------------------------------------------

    def _write_meta(self, key: OutboxMeta, value: str) -> bool:
        """Keep a value for `status` and the admin screen; a failed write is remembered for the
        heartbeat (storage "error") and logged, never raised: the agent goes on."""
        try:
            self.outbox.set_meta(key, value)
        except OutboxError as err:
            if not self.write_failed:
                log.error("%s", err)
            self.write_failed = True
            return False
        self.write_failed = False
        return True

    def _set_revoked(self, message: str) -> None:
        """Remember a refused token here and, for `hymy-sync status`, in the outbox ("" clears)."""
        self.revoked = bool(message)
        self._write_meta(OutboxMeta.REVOKED, message)

    def _set_refused(self, err: RefusedError | None) -> None:
        """Remember that the central refuses the uploads (None: it takes them again)."""
        if err is None:
            if self.refused is not None:
                log.info("the central takes the uploads again")
                self.refused = None
                self._write_meta(OutboxMeta.REFUSED, "")
            return
        since = self.refused.since if self.refused else self._now()
        if self.refused is None:
            log.error("the central refuses the uploads (every event is kept): %s", err)
        self.refused = Refusal(err.status, str(err), since)
        self._write_meta(OutboxMeta.REFUSED, self.refused.to_json())

    def _set_beat_refused(self, what: str, err: RefusedError | None) -> None:
        """Remember that the central refuses the heartbeat or the config request (None: both
        went through), for `hymy-sync status`."""
        if err is None:
            if self.beat_refused is not None:
                log.info("the central takes the heartbeat and the config request again")
                self.beat_refused = None
                self._write_meta(OutboxMeta.BEAT_REFUSED, "")
            return
        since = self.beat_refused.since if self.beat_refused else self._now()
        if self.beat_refused is None:
            log.error("the central refuses %s: %s", what, err)
        self.beat_refused = Refusal(err.status, f"{what}: {err}", since)
        self._write_meta(OutboxMeta.BEAT_REFUSED, self.beat_refused.to_json())

    def _record_error(self, message: str) -> None:
        log.warning("%s", message)
        if self._write_meta(OutboxMeta.LAST_ERROR, message):
            self._write_meta(OutboxMeta.LAST_ERROR_AT, self._now().isoformat())

    # --- one step each ---------------------------------------------------------------------

    def upload_step(self) -> BatchReport | None:
        """One batch; returns its report, None when nothing was pending.

        Raises (after recording it) RetryLaterError when the agent should wait, RefusedError
        when the central refuses the uploads, RevokedError when it refuses the token;
        OutboxError when the outbox cannot be read or written.
        """
        try:
            report = self.uploader.send_batch()
        except RevokedError as err:
            self._record_error(str(err))
            self._set_revoked(str(err))
            raise
        except RefusedError as err:
            self._record_error(str(err))
            self._set_refused(err)
            raise
        except RetryLaterError as err:
            self._record_error(str(err))
            raise
        except CentralError as err:  # TLS, a garbled answer: keep trying
            self._record_error(str(err))
            raise RetryLaterError(str(err)) from err
        self.backoff.reset()
        if report is not None and report.answered:
            self._set_refused(None)
        return report

    def retry_delay(self, err: RetryLaterError | RefusedError) -> float:
        """The wait after a failed step: the backoff, at most a few minutes for a refusal."""
        if isinstance(err, RefusedError):
            return min(self.backoff.next_delay(), REFUSED_CAP_S)
        return self.backoff.next_delay(err.retry_after_s)

    def heartbeat(self) -> dict[str, Any]:
        """This minute's heartbeat; also proves the outbox writable (storage "error" if not)."""
        self._write_meta(OutboxMeta.HEARTBEAT, self._now().isoformat())
        try:
            stats = self._last_stats = self.outbox.stats()
            outbox = outbox_range(self.outbox)
            # This agent's refusal, even when the outbox could not take it down.
            state = replace(read_state(self.outbox), refused=self.refused)
            printer = self.outbox.get_meta(OutboxMeta.PRINTER)
        except OutboxError as err:  # still worth a heartbeat: the fleet view shows the storage
            log.error("%s", err)
            self.write_failed = True
            stats, outbox, printer = self._last_stats, None, None
            state = SyncState(None, None, None, None, self.refused)
        storage, free = read_storage(self.settings.data_dir, write_failed=self.write_failed)
        return build_heartbeat(
            version=__version__,
            stats=stats,
            state=state,
            free_disk_bytes=free,
            printer=printer,
            now=self._now(),
            outbox=outbox,
            storage=storage,
        )

    def heartbeat_step(self) -> None:
        """Send the heartbeat and pull the config (logged, never fatal; a refusal of either is
        kept for `status`)."""
        what = "the heartbeat"
        try:
            self._send_heartbeat(self.heartbeat())
            what = "the config request"
            self.pull_config()
            self._set_beat_refused(what, None)
        except RevokedError as err:
            self._set_revoked(str(err))
        except AnswerError as err:
            log.warning("%s", err)
        except RefusedError as err:
            self._set_beat_refused(what, err)
        except CentralError as err:
            log.info("heartbeat or config pull not done: %s", err)
        except OSError as err:
            if err.errno in STORAGE_ERRNOS:
                log.error(
                    "the central's config cannot be written (%s); the kiosk keeps the one it "
                    "has. Free space in the data directory or make it writable.",
                    err,
                )
            else:
                log.exception("the heartbeat failed; trying again at the next one")
        except Exception:
            log.exception("the heartbeat failed; trying again at the next one")

    def _send_heartbeat(self, beat: dict[str, Any]) -> None:
        try:
            self.client.heartbeat(beat)
        except RefusedError as err:
            if err.status != 422:
                raise
            # A central older than the outbox, refusal and storage fields: send what it knows.
            log.warning("the central refused the heartbeat (%s); sending its older fields", err)
            self.client.heartbeat(base_heartbeat(beat))

    def pull_config(self) -> bool:
        """Fetch the kiosk's config if it changed; True when a new one was written.

        Raises CentralError when the central cannot be asked, AnswerError when its answer is
        not a config of this kiosk's site (the config in use is kept).
        """
        config, etag = self.client.config(self.outbox.get_meta(OutboxMeta.CONFIG_ETAG))
        if config is None:
            return False
        config = check_kiosk_config(config, self.credentials.site)
        save_central_config(self.settings.data_dir, config)
        self._write_meta(OutboxMeta.CONFIG_ETAG, etag or "")
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

    def _round_failed(self, err: Exception) -> float:
        """Log what broke one round (with its traceback when unexpected); the wait before the
        next."""
        if isinstance(err, OutboxError):  # the disk, not the code: a sentence is enough
            self.write_failed = True
            self._record_error(str(err))
        else:
            log.error("the sync agent's round failed; trying again after a pause", exc_info=err)
            self._record_error(f"the sync agent failed: {type(err).__name__}: {err}")
        return self.backoff.next_delay()

    # --- loops -----------------------------------------------------------------------------

    def _upload_round(self) -> float:
        """One upload step; the wait before the next."""
        try:
            report = self.upload_step()
        except (RetryLaterError, RefusedError) as err:
            return self.retry_delay(err)
        except RevokedError:
            return 0.0
        if report is None or report.events < self.uploader.batch_size:
            return self.settings.poll_s  # caught up: look again shortly
        return 0.0

    def run(self) -> None:
        """Upload forever (until stop): the service's main loop. Never raises: each round's
        failure is logged and the round tried again after the backoff."""
        next_beat = 0.0
        while not self._stop.is_set():
            try:
                if time.monotonic() >= next_beat:
                    self.heartbeat_step()
                    next_beat = time.monotonic() + self.settings.heartbeat_s
                if self.revoked:
                    if not self._stop.wait(REVOKED_RECHECK_S) and self._reenrolled():
                        next_beat = 0.0
                    continue
                wait = self._upload_round()
            except Exception as err:
                wait = self._round_failed(err)
            self._stop.wait(wait)

    def drain(
        self, progress: Callable[[int], None] | None = None, give_up_after_s: float = 120.0
    ) -> int:
        """Send until nothing is pending (retrying while the central is away or refuses, for
        at most `give_up_after_s` without progress); returns how many events are left.

        Raises RevokedError when the token is refused, OutboxError when the outbox cannot be
        read at the end.
        """
        last_progress = time.monotonic()
        while not self._stop.is_set():
            try:
                report = self.upload_step()
            except (RetryLaterError, RefusedError) as err:
                wait = self.retry_delay(err)
            except RevokedError:
                raise
            except Exception as err:
                wait = self._round_failed(err)
            else:
                if report is None:
                    break
                last_progress = time.monotonic()
                if progress:
                    progress(report.sent + report.quarantined)
                continue
            if time.monotonic() - last_progress > give_up_after_s:
                break
            self._stop.wait(wait)
        return self.outbox.stats().pending

"""The kiosk's upkeep beside the visitors: the hidden admin screen's figures and the outbox's
retention, both run on the outbox writer's thread."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from kiosk import __version__
from kiosk.config import KioskConfig
from kiosk.outbox import OutboxMeta
from kiosk.outbox_writer import OutboxWriter

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AdminStatus:
    """The figures of the hidden admin screen."""

    kiosk_id: str
    site: str
    version: str
    backlog: int  # waiting to upload: pending + held (OutboxStats.backlog)
    quarantined: int
    oldest_pending: datetime | None
    last_sync: str | None
    free_disk_bytes: int
    outbox_path: str
    timezone: ZoneInfo  # the station's, for the times shown
    storage_failing: bool = False  # the last write to the outbox failed


class Maintenance:
    """Reads the admin figures and applies the retention on the writer's thread; `config` gives
    the config the kiosk runs with now."""

    def __init__(self, writer: OutboxWriter, config: Callable[[], KioskConfig]) -> None:
        self._writer = writer
        self._config = config

    def read_admin_status(self, callback: Callable[[AdminStatus], None]) -> None:
        """Read the admin figures on the writer thread; callback gets them on the UI thread."""
        outbox, config, storage = self._writer.outbox, self._config(), self._writer.storage

        def read() -> AdminStatus:
            stats = outbox.stats()
            return AdminStatus(
                kiosk_id=config.kiosk.kiosk_id,
                site=config.kiosk.site,
                version=__version__,
                backlog=stats.backlog,
                quarantined=stats.quarantined,
                oldest_pending=stats.oldest_pending,
                last_sync=outbox.get_meta(OutboxMeta.LAST_UPLOAD),
                free_disk_bytes=shutil.disk_usage(outbox.path.parent).free,
                outbox_path=str(outbox.path),
                storage_failing=storage.failing,
                timezone=config.kiosk.timezone,
            )

        self._writer.read_then(read, callback, "read the admin status")

    def apply_retention(self) -> None:
        """Retention: delete sent events past their days; release check-ins held by a crash."""
        outbox, retention_days = self._writer.outbox, self._config().outbox.retention_days

        def run() -> None:
            purged = outbox.purge_sent(older_than=timedelta(days=retention_days))
            released = outbox.release_stale_holds()
            if purged or released:
                log.info(
                    "retention: %d sent events deleted, %d held check-ins released",
                    purged,
                    released,
                )

        self._writer.run_soon(run, "apply the outbox retention")

"""The kiosk's durable outbox: every event is appended to SQLite before the screen says thank
you, and the sync agent (another process) reads pending events and marks them sent beside it.

WAL with synchronous=FULL: a committed append survives a power cut. A busy timeout lets the kiosk
and the sync agent take turns. Within a process, one Outbox object may be shared by threads:
every statement and transaction holds the object's lock, so they take turns too (a transaction
is never interleaved with another thread's statements). Each process opens its own.

Beside the events, a small `meta` table holds the values the kiosk and the sync agent tell each
other; `OutboxMeta` names each key, who writes it and who reads it.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Any

import sqlite_utils

from kiosk import schema
from kiosk.outbox_file import (  # the errors are part of the outbox's interface: re-exported
    NotAnOutboxError as NotAnOutboxError,
)
from kiosk.outbox_file import (
    OutboxError,
    check_header,
    check_schema,
    diagnose,
    make_new_outbox,
    not_an_outbox,
    unreadable,
)
from kiosk.outbox_file import (
    SchemaTooNewError as SchemaTooNewError,
)
from kiosk.tickets import TicketCounter, TicketRange, format_ticket, next_number

DEFAULT_DATA_DIR = Path("/var/lib/hymy")  # the kiosk's and the sync agent's, on a Pi
OUTBOX_FILE = "outbox.sqlite"  # in the data directory, shared by the kiosk and the sync agent
ID_CHUNK = 500  # ids per statement, well under SQLite's variable limit
WRITE_ADVICE = "Nothing was changed; check the disk's free space and that it is writable."


class OutboxMeta(StrEnum):
    """The keys of the outbox's meta table: the one list of what the kiosk and the sync agent
    tell each other through it. Each says who writes it and who reads it; a value is text."""

    # Written once by the migration to schema 2 (kiosk.schema); read by Outbox.outbox_id for
    # the uploader (each event's outbox_id), the heartbeat and `hymy-sync status`.
    OUTBOX_ID = "outbox_id"  # a random UUID: this outbox's name at the central
    # Written once with OUTBOX_ID; read by Outbox.first_seq (heartbeat, `hymy-sync status`).
    FIRST_SEQ = "outbox_first_seq"  # from this seq on, every event reaches the central with it
    # Written by the sync agent's uploader with each batch the central stored (in mark_sent's
    # transaction); read by the kiosk's admin screen and sync.status (status, heartbeat).
    LAST_UPLOAD = "last_upload_at"  # ISO time
    # Written by the kiosk whenever its printer's state changes (a hymy_domain PrinterState);
    # read by the sync agent for the heartbeat.
    PRINTER = "printer_status"
    # Written by the sync agent when an upload fails, read by sync.status.
    LAST_ERROR = "sync_last_error"  # the error in words
    LAST_ERROR_AT = "sync_last_error_at"  # ISO time
    # Written by the sync agent (the refusal's message while the central refuses the token,
    # "" once it starts again); read by sync.status.
    REVOKED = "sync_revoked"
    # Written by the sync agent: JSON of a sync.status.Refusal while the central refuses the
    # uploads ("" once it takes them again); read by the agent at start and sync.status.
    REFUSED = "sync_refused"
    # The same for the heartbeat or the config request (uploads may still flow, but the fleet
    # view no longer sees the kiosk's health, or its config goes stale).
    BEAT_REFUSED = "sync_beat_refused"
    # Written by the sync agent with each config it saves; read by the agent (If-None-Match).
    CONFIG_ETAG = "config_etag"
    # Written by the sync agent every heartbeat: proves the outbox writable (storage "error"
    # when it fails); read by no program, kept for a person looking into the file.
    HEARTBEAT = "sync_heartbeat_at"  # ISO time


class DuplicateEventError(OutboxError):
    """An event with this id is stored already; nothing was changed."""


@dataclass(frozen=True)
class StoredEvent:
    seq: int
    id: str
    payload: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True)
class OutboxStats:
    """How many events are in each state. `pending` ones the sync agent may send now; `held`
    check-ins wait for their ticket to print, then become pending."""

    pending: int
    held: int
    sent: int
    quarantined: int
    oldest_pending: datetime | None
    last_sent: datetime | None

    @property
    def backlog(self) -> int:
        """The events still to reach the central: pending and held (quarantined ones are kept
        apart, and are not sent until requeued). The heartbeat's `backlog`, the admin screen's
        figure and the central's count of what a kiosk still holds."""
        return self.pending + self.held


def _when(timestamp: float | None) -> datetime | None:
    return None if timestamp is None else datetime.fromtimestamp(timestamp, UTC)


def _payload(text: str) -> dict[str, Any]:
    """A stored payload; {} when it is not a JSON object (the sync agent quarantines such an
    event instead of failing on it again and again)."""
    try:
        value = json.loads(text)
    except (TypeError, ValueError, RecursionError):
        return {}
    return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class QuarantineGroup:
    """Quarantined events that share one reason: how many, and the ids of the oldest few."""

    error: str
    count: int
    ids: tuple[str, ...]


class Outbox:
    """The outbox file. Open with `Outbox.open(path)`; close it, or use it as a context manager.

    Completeness (schema 2): `outbox_id` names this outbox at the central, each event's `seq` is
    its number in it (never reused), and from `first_seq` to `last_seq()` every event reaches
    the central.
    """

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self._conn = connection
        self.db = sqlite_utils.Database(connection)
        self._lock = threading.RLock()

    @classmethod
    def open(cls, path: Path, *, busy_timeout_ms: int = 5000) -> Outbox:
        """Open and migrate the outbox at path; make a new one (and its folder) if there is none.

        A new outbox is made under a temporary name in the same folder, migrated, fsynced and
        then linked into place, so the file at `path` is always a whole outbox, and the kiosk
        and the sync agent starting at once make one between them. A file there that is not an
        outbox is refused and left as it is: never replaced by a new, empty one.

        Raises NotAnOutboxError for a file that is not an outbox (garbage, 0 bytes, another
        database), SchemaTooNewError for one of a newer version, OutboxError when it cannot be
        opened or made.
        """
        try:
            missing = not path.exists()
        except OSError as err:
            raise OutboxError(
                f"Cannot look for the outbox {path}: {err}. Check that the kiosk's user may "
                "read the data directory."
            ) from err
        if missing:
            make_new_outbox(cls, path, busy_timeout_ms)
        check_header(path)
        try:
            # mode=rw: SQLite must never make a new, empty file here (only make_new_outbox does).
            connection = sqlite3.connect(
                f"{path.resolve().as_uri()}?mode=rw",
                uri=True,
                isolation_level=None,  # autocommit: every transaction is begun and ended below
                check_same_thread=False,
                timeout=busy_timeout_ms / 1000,
            )
        except (OSError, sqlite3.Error) as err:
            raise OutboxError(
                f"Cannot open the outbox {path}: {diagnose(path.parent) or err}. Check that the "
                "data directory exists, is writable by the kiosk's user and that the disk is not "
                "full."
            ) from err
        try:
            connection.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            check_schema(path, connection)  # before anything below writes to the file
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = FULL")
            connection.execute("PRAGMA foreign_keys = ON")
            outbox = cls(path, connection)
            outbox._migrate()
        except OutboxError:
            connection.close()
            raise
        except sqlite3.DatabaseError as err:
            connection.close()
            if unreadable(err):
                raise not_an_outbox(path, f"SQLite cannot read it ({err})") from err
            raise OutboxError(
                f"Cannot open the outbox {path}: {diagnose(path.parent) or err}. Check that the "
                "data directory is writable by the kiosk's user and that the disk is not full."
            ) from err
        return outbox

    def _migrate(self) -> None:
        """Bring the file to schema.LATEST. One that is there already needs no write lock, so
        opening it works while another process holds the lock (`hymy-sync status` beside a
        busy kiosk, the agent starting while the disk is slow)."""
        if self._read("PRAGMA user_version")[0][0] == schema.LATEST:
            return
        with self._transaction():
            version = self._conn.execute("PRAGMA user_version").fetchone()[0]
            for number in range(version, schema.LATEST):
                schema.MIGRATIONS[number](self.db)
                self._conn.execute(f"PRAGMA user_version = {number + 1}")

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once (BEGIN IMMEDIATE) so it never fails half-way on a
        lock; committed (and fsynced) on success, rolled back on any error."""
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as err:
                raise OutboxError(f"The outbox {self.path} cannot be written: {err}.") from err
            # SQLite has rolled back by itself after some errors (a full disk, a read-only
            # file): a second ROLLBACK would hide the real error behind "no transaction".
            try:
                yield self._conn
            except BaseException as err:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                if isinstance(err, sqlite3.Error) and not isinstance(err, sqlite3.IntegrityError):
                    # A statement failed (the disk filled up mid-write, the file turned
                    # read-only): nothing of the transaction was kept.
                    raise OutboxError(
                        f"The outbox {self.path} could not be written: {err}. {WRITE_ADVICE}"
                    ) from err
                raise
            try:
                self._conn.execute("COMMIT")
            except sqlite3.Error as err:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise OutboxError(
                    f"The outbox {self.path} could not commit: {err}. {WRITE_ADVICE}"
                ) from err

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row | tuple]:
        with self._lock:
            try:
                return self._conn.execute(sql, params).fetchall()
            except sqlite3.Error as err:
                raise OutboxError(f"The outbox {self.path} cannot be read: {err}.") from err

    # --- appending -----------------------------------------------------------------------

    def _insert(self, conn: sqlite3.Connection, event: Mapping[str, Any], state: str) -> None:
        if not event.get("id") or not event.get("type"):
            raise OutboxError("An event needs an 'id' and a 'type'; it was not stored.")
        try:
            conn.execute(
                "INSERT INTO events (id, type, state, payload, created_at) VALUES (?, ?, ?, ?, ?)",
                (
                    event["id"],
                    event["type"],
                    state,
                    json.dumps(event, ensure_ascii=False, separators=(",", ":")),
                    time.time(),
                ),
            )
        except sqlite3.IntegrityError as err:
            raise DuplicateEventError(f"The event {event['id']} is stored already.") from err

    def append(self, event: Mapping[str, Any]) -> None:
        """Store one event; it is on disk (committed and fsynced) when this returns.

        Raises DuplicateEventError for an id stored before, OutboxError on any other failure.
        """
        self.append_all([event])

    def append_all(self, events: Sequence[Mapping[str, Any]]) -> None:
        """Store events together (one visit's answers), all or none, on disk when this returns.

        Raises DuplicateEventError for an id stored before, OutboxError on any other failure.
        """
        try:
            with self._transaction() as conn:
                for event in events:
                    self._insert(conn, event, "pending")
        except sqlite3.Error as err:
            what = "The event was" if len(events) == 1 else "The events were"
            raise OutboxError(f"{what} not stored in {self.path}: {err}.") from err

    def check_in(
        self,
        *,
        ticket_range: TicketRange,
        build_event: Callable[[str], dict[str, Any]],
        today: date,
        hold: bool = False,
    ) -> dict[str, Any]:
        """Take the next queue number of the range and store the check-in with it, in one
        transaction; returns the event. With hold=True the event waits (state 'held', unseen by
        pending()) until `release` says whether its ticket printed.

        Raises OutboxError when nothing could be stored (then no number was used either).
        """
        try:
            with self._transaction() as conn:
                row = conn.execute(
                    "SELECT day, last_number FROM ticket_counters WHERE range_key = ?",
                    (ticket_range.key,),
                ).fetchone()
                counter = TicketCounter(date.fromisoformat(row[0]), row[1]) if row else None
                number = next_number(ticket_range, counter, today)
                event = build_event(format_ticket(ticket_range.prefix, number))
                self._insert(conn, event, "held" if hold else "pending")
                conn.execute(
                    "INSERT INTO ticket_counters (range_key, day, last_number) VALUES (?, ?, ?) "
                    "ON CONFLICT(range_key) DO UPDATE SET day = excluded.day, "
                    "last_number = excluded.last_number",
                    (ticket_range.key, today.isoformat(), number),
                )
        except sqlite3.Error as err:
            raise OutboxError(f"The check-in was not stored in {self.path}: {err}.") from err
        return event

    def release(self, event_id: str, *, printed: bool) -> None:
        """A held check-in becomes pending, with `printed` set.

        Raises OutboxError when no held event has that id.
        """
        with self._transaction() as conn:
            row = conn.execute(
                "SELECT payload FROM events WHERE id = ? AND state = 'held'", (event_id,)
            ).fetchone()
            if row is None:
                raise OutboxError(f"No held check-in {event_id} in the outbox.")
            payload = json.loads(row[0])
            payload["printed"] = bool(printed)
            conn.execute(
                "UPDATE events SET state = 'pending', payload = ? WHERE id = ?",
                (json.dumps(payload, ensure_ascii=False, separators=(",", ":")), event_id),
            )

    def release_stale_holds(self, older_than: timedelta = timedelta(minutes=1)) -> int:
        """Check-ins held longer than this (the app died while printing) go out printed=false."""
        cutoff = time.time() - older_than.total_seconds()
        stale = self._read(
            "SELECT id FROM events WHERE state = 'held' AND created_at < ?", (cutoff,)
        )
        for (event_id,) in stale:
            self.release(event_id, printed=False)
        return len(stale)

    # --- for the sync agent --------------------------------------------------------------

    def pending(self, limit: int = 500, *, after_seq: int = 0) -> list[StoredEvent]:
        """The oldest pending events, in the order they were appended (only those appended
        after `after_seq`: the sync agent reads on while a batch is on its way)."""
        rows = self._read(
            "SELECT seq, id, payload, created_at FROM events WHERE state = 'pending' "
            "AND seq > ? ORDER BY seq LIMIT ?",
            (after_seq, limit),
        )
        return [
            StoredEvent(seq, id_, _payload(payload), _when(created))
            for seq, id_, payload, created in rows
        ]

    def _update_ids(
        self,
        sql: str,
        ids: Sequence[str],
        *params: Any,
        meta: Mapping[OutboxMeta, str] | None = None,
    ) -> int:
        changed = 0
        with self._transaction() as conn:
            for start in range(0, len(ids), ID_CHUNK):
                chunk = list(ids[start : start + ID_CHUNK])
                marks = ",".join("?" * len(chunk))
                changed += conn.execute(sql.format(marks=marks), (*params, *chunk)).rowcount
            for key, value in (meta or {}).items():
                self._put_meta(conn, key, value)
        return changed

    def mark_sent(
        self,
        ids: Sequence[str],
        *,
        at: datetime | None = None,
        meta: Mapping[OutboxMeta, str] | None = None,
    ) -> int:
        """Pending events the central stored, and any `meta` values to set in the same
        transaction; returns how many events changed."""
        moment = (at or datetime.now(UTC)).timestamp()
        return self._update_ids(
            # "+state": look rows up by id; with hundreds of ids SQLite would otherwise walk
            # every pending row of the state index (ten times slower with a large backlog).
            "UPDATE events SET state = 'sent', sent_at = ? WHERE +state = 'pending' "
            "AND id IN ({marks})",
            ids,
            moment,
            meta=meta,
        )

    def quarantine(self, errors: Mapping[str, str]) -> int:
        """Events the central refused (id -> its reason): kept, never sent again."""
        changed = 0
        with self._transaction() as conn:
            for event_id, error in errors.items():
                changed += conn.execute(
                    "UPDATE events SET state = 'quarantined', error = ? "
                    "WHERE id = ? AND state IN ('pending', 'held')",
                    (error, event_id),
                ).rowcount
        return changed

    def requeue(self, ids: Sequence[str] | None = None) -> int:
        """Quarantined events (all, or those of `ids`) become pending again, their error
        cleared, so the sync agent sends them once their cause is fixed; returns how many."""
        if ids is None:
            with self._transaction() as conn:
                return conn.execute(
                    "UPDATE events SET state = 'pending', error = NULL WHERE state = 'quarantined'"
                ).rowcount
        return self._update_ids(
            "UPDATE events SET state = 'pending', error = NULL WHERE state = 'quarantined' "
            "AND id IN ({marks})",
            list(dict.fromkeys(ids)),
        )

    def quarantine_summary(self, ids_per_reason: int = 5) -> list[QuarantineGroup]:
        """The quarantined events by reason, the oldest reason first."""
        groups = self._read(
            "SELECT coalesce(error, ''), count(*) FROM events WHERE state = 'quarantined' "
            "GROUP BY 1 ORDER BY min(seq)"
        )
        firsts: dict[str, list[str]] = {}
        for error, event_id in self._read(
            "SELECT error, id FROM (SELECT coalesce(error, '') AS error, id, row_number() OVER "
            "(PARTITION BY coalesce(error, '') ORDER BY seq) AS n FROM events "
            "WHERE state = 'quarantined') WHERE n <= ?",
            (ids_per_reason,),
        ):
            firsts.setdefault(error, []).append(event_id)
        return [
            QuarantineGroup(error, count, tuple(firsts.get(error, ()))) for error, count in groups
        ]

    def quarantined(self, limit: int = 100) -> list[tuple[StoredEvent, str]]:
        rows = self._read(
            "SELECT seq, id, payload, created_at, error FROM events "
            "WHERE state = 'quarantined' ORDER BY seq LIMIT ?",
            (limit,),
        )
        return [
            (StoredEvent(seq, id_, _payload(p), _when(c)), error or "")
            for seq, id_, p, c, error in rows
        ]

    def purge_sent(
        self, *, older_than: timedelta = timedelta(days=30), now: datetime | None = None
    ) -> int:
        """Delete events sent longer ago than older_than; nothing unsent is ever deleted."""
        cutoff = (now or datetime.now(UTC)).timestamp() - older_than.total_seconds()
        with self._transaction() as conn:
            return conn.execute(
                "DELETE FROM events WHERE state = 'sent' AND sent_at < ?", (cutoff,)
            ).rowcount

    def stats(self) -> OutboxStats:
        rows = dict(
            (state, (count, oldest, newest_sent))
            for state, count, oldest, newest_sent in self._read(
                "SELECT state, count(*), min(created_at), max(sent_at) FROM events GROUP BY state"
            )
        )

        def count(state: str) -> int:
            return rows.get(state, (0, None, None))[0]

        return OutboxStats(
            pending=count("pending"),
            held=count("held"),
            sent=count("sent"),
            quarantined=count("quarantined"),
            oldest_pending=_when(rows.get("pending", (0, None, None))[1]),
            last_sent=_when(rows.get("sent", (0, None, None))[2]),
        )

    @cached_property
    def outbox_id(self) -> str:
        """This outbox's random UUID, made when it was created (or migrated to schema 2).

        Raises OutboxError when the file has none (it is not an outbox of this Hymy).
        """
        return self._required_meta(OutboxMeta.OUTBOX_ID)

    @cached_property
    def first_seq(self) -> int:
        """The first seq that reaches the central with this outbox's id: 1 for an outbox made
        at schema 2, the oldest unsent event's for one migrated from schema 1."""
        value = self._required_meta(OutboxMeta.FIRST_SEQ)
        try:
            return int(value)
        except ValueError:
            raise OutboxError(
                f"The outbox {self.path} has a broken {OutboxMeta.FIRST_SEQ} ({value!r}); "
                "restore the file from a backup or ask Hymy's developers."
            ) from None

    def last_seq(self) -> int:
        """The highest seq ever assigned (0 when none); deleting sent events does not lower it."""
        with self._lock:
            try:
                return schema.last_seq(self.db)
            except sqlite3.Error as err:
                raise OutboxError(f"The outbox {self.path} cannot be read: {err}.") from err

    def _required_meta(self, key: OutboxMeta) -> str:
        value = self.get_meta(key)
        if not value:
            raise OutboxError(
                f"The outbox {self.path} has no {key}: it was not made by this Hymy's outbox. "
                "Restore the file from a backup or move it aside so the kiosk starts a new one."
            )
        return value

    def get_meta(self, key: OutboxMeta) -> str | None:
        rows = self._read("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def set_meta(self, key: OutboxMeta, value: str) -> None:
        with self._transaction() as conn:
            self._put_meta(conn, key, value)

    @staticmethod
    def _put_meta(conn: sqlite3.Connection, key: OutboxMeta, value: str) -> None:
        conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def integrity_check(self) -> str:
        return self._read("PRAGMA integrity_check")[0][0]

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

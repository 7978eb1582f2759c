"""``SQLiteStore``: the embedded default conversation store, one SQLite file in WAL mode.

Why these settings: WAL lets readers run while one writer commits, and ``BEGIN IMMEDIATE``
takes the write lock up front so two writers queue on SQLite's busy timeout instead of
failing half-way. Each thread (and each process, after a fork) gets its own connection,
as SQLite requires. ``synchronous=NORMAL`` keeps every committed turn across a crash of
the process (the WAL is written before ``append`` returns) at a few tens of microseconds
per turn; ``synchronous="FULL"`` also survives power loss at the price of an fsync per turn.
``secure_delete`` overwrites pruned and erased turns instead of leaving them in free pages, and a
``wal_checkpoint(TRUNCATE)`` after each such delete empties the ``-wal`` file. The file is
created readable and writable by its owner only (0600), whatever the umask; SQLite gives its
``-wal`` and ``-shm`` files the same mode.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import sqlite3
import threading
import time
import weakref
from datetime import datetime
from pathlib import Path

from ..errors import StoreError
from ..schema import Turn
from .base import ConversationStore, StoredTurn, row_of

APPLICATION_ID = 0x454E4C55  # "ENLU": marks the file as an empathy-nlu conversation store
SCHEMA_VERSION = 2  # 2: the language column (a file of version 1 gets it on open)
SYNCHRONOUS = ("NORMAL", "FULL", "EXTRA")
FILE_MODE = 0o600  # conversations are personal data: the owner only

_SCHEMA = """
CREATE TABLE IF NOT EXISTS turns (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id TEXT NOT NULL,
    ts          REAL NOT NULL,     -- epoch seconds: ordering and retention
    timestamp   TEXT NOT NULL,     -- ISO 8601 with the offset the turn came with
    channel     TEXT,
    speaker     TEXT NOT NULL,
    text        TEXT NOT NULL,
    intent      TEXT,
    prediction  TEXT,              -- Prediction.to_dict() as JSON
    meta        TEXT NOT NULL,     -- channel metadata as JSON
    language    TEXT               -- ISO 639-1 code of the turn (given or detected), or NULL
);
CREATE INDEX IF NOT EXISTS turns_by_customer ON turns (customer_id, ts, id);
CREATE INDEX IF NOT EXISTS turns_by_time ON turns (ts);
"""
_COLUMNS = "id, customer_id, timestamp, channel, speaker, text, intent, prediction, meta, language"


class _Connection(sqlite3.Connection):
    """A connection the store can hold weakly: when its thread ends, it is closed and forgotten."""


def _store_error(exc: sqlite3.Error, path: Path, action: str) -> StoreError:
    message = str(exc)
    if "not a database" in message or "malformed" in message:
        return StoreError(
            f"{path} is corrupt or not an SQLite file ({message}); restore it from a backup or "
            "point --store at another file.",
            "E607",
        )
    if "locked" in message or "busy" in message:
        return StoreError(
            f"{path} stayed locked by other writers while trying to {action} ({message}); "
            "raise the store's timeout or reduce concurrent writers.",
            "E603",
        )
    return StoreError(f"cannot {action} in {path}: {message}.", "E601")


class SQLiteStore(ConversationStore):
    """Conversation store in one SQLite file (created if missing); safe across threads and processes.

    ``timeout``: seconds a writer waits for another writer's lock before ``StoreError`` E603.
    ``synchronous``: ``"NORMAL"`` (durable across process crashes) or ``"FULL"`` (also power loss).
    ``privacy``: ``PrivacyParams`` (or the ``privacy`` config dict) whose patterns are masked too.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        mask_personal_data: bool = True,
        timeout: float = 30.0,
        synchronous: str = "NORMAL",
        privacy=None,
    ) -> None:
        super().__init__(mask_personal_data, privacy)
        self.path = Path(path)
        self.timeout = timeout
        self.synchronous = synchronous
        if str(synchronous).upper() not in SYNCHRONOUS:
            raise StoreError(f"synchronous must be one of {list(SYNCHRONOUS)}, got {synchronous!r}.", "E605")
        self._local = threading.local()
        self._connections: weakref.WeakSet[sqlite3.Connection] = weakref.WeakSet()
        self._lock = threading.Lock()
        self._closed = False
        self._connection()  # open now: a bad path or a foreign file fails here, not on first turn

    # -- connections -------------------------------------------------------------------------------
    def _connection(self) -> sqlite3.Connection:
        if self._closed:
            raise StoreError(f"the store {self.path} is closed; open a new SQLiteStore.", "E609")
        conn = getattr(self._local, "conn", None)
        if conn is None or self._local.pid != os.getpid():  # a forked child never reuses a connection
            conn = self._connect()
            self._local.conn, self._local.pid = conn, os.getpid()
            with self._lock:
                self._connections.add(conn)
        return conn

    def _connect(self) -> sqlite3.Connection:
        if self.path.parent and not self.path.parent.is_dir():
            raise StoreError(
                f"cannot create the store {self.path}: {self.path.parent} does not exist.", "E601"
            )
        self._create_private()
        try:
            conn = sqlite3.connect(
                self.path,
                timeout=self.timeout,
                isolation_level=None,
                check_same_thread=False,
                factory=_Connection,
            )
            conn.execute(f"PRAGMA synchronous={self.synchronous.upper()}")
            conn.execute("PRAGMA secure_delete=ON")
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                self._retry(lambda: conn.execute("PRAGMA journal_mode=WAL"), conn, "enable WAL mode")
            self._check_or_create_schema(conn)
        except sqlite3.Error as exc:
            raise _store_error(exc, self.path, "open the store") from exc
        return conn

    def _create_private(self) -> None:
        """Create the store file with mode 0600 before SQLite opens it (SQLite would use 0644 less
        the umask; a umask only removes bits); an existing file keeps the mode its owner gave it."""
        try:
            fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_RDWR, FILE_MODE)
        except FileExistsError:
            return
        except OSError as exc:
            raise StoreError(f"cannot create the store {self.path}: {exc.strerror}.", "E601") from exc
        os.close(fd)

    def _check_or_create_schema(self, conn: sqlite3.Connection) -> None:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        if app_id == APPLICATION_ID:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path} has store schema {version}; this empathy-nlu reads {SCHEMA_VERSION}. "
                    "Upgrade empathy-nlu.",
                    "E602",
                )
            if version < SCHEMA_VERSION:
                self._write(self._migrate, conn, "upgrade the store's schema")
            return

        def create(c: sqlite3.Connection) -> None:
            if c.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID:
                return  # another connection created it while we waited for the lock
            if app_id != 0 or c.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                raise StoreError(
                    f"{self.path} is an SQLite database of another application; use another file.", "E602"
                )
            for statement in filter(str.strip, _SCHEMA.split(";")):
                c.execute(statement)
            c.execute(f"PRAGMA application_id={APPLICATION_ID}")
            c.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

        self._write(create, conn, "create the store")

    @staticmethod
    def _migrate(conn: sqlite3.Connection) -> None:
        """Version 1 -> 2: add the language column (existing turns keep NULL); in the write
        transaction, so of several processes opening the file together, one adds it."""
        if conn.execute("PRAGMA user_version").fetchone()[0] >= SCHEMA_VERSION:
            return
        columns = {row[1] for row in conn.execute("PRAGMA table_info(turns)")}
        if "language" not in columns:
            conn.execute("ALTER TABLE turns ADD COLUMN language TEXT")
        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    # -- transactions ------------------------------------------------------------------------------
    def _retry(self, fn, conn, action: str):
        """``fn()`` retried with jittered backoff while SQLite says busy/locked, up to ``timeout``."""
        deadline = time.monotonic() + self.timeout
        delay = 0.001
        while True:
            try:
                return fn()
            except sqlite3.OperationalError as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                busy = "locked" in str(exc) or "busy" in str(exc)
                if not busy or time.monotonic() >= deadline:
                    raise _store_error(exc, self.path, action) from exc
                time.sleep(delay * (1 + random.random()))
                delay = min(delay * 2, 0.1)
            except sqlite3.Error as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise _store_error(exc, self.path, action) from exc

    def _write(self, fn, conn: sqlite3.Connection | None = None, action: str = "write a turn"):
        """Run ``fn(conn)`` in one ``BEGIN IMMEDIATE`` transaction: all of it is committed, or none."""
        conn = conn or self._connection()

        def transaction():
            conn.execute("BEGIN IMMEDIATE")
            try:
                result = fn(conn)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            return result

        return self._retry(transaction, conn, action)

    # -- ConversationStore ---------------------------------------------------------------------------
    def _insert(self, record: StoredTurn) -> int:
        row = row_of(record)
        sql = (
            "INSERT INTO turns"
            " (customer_id, ts, timestamp, channel, speaker, text, intent, prediction, meta, language)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        )
        return self._write(lambda c: c.execute(sql, row).lastrowid)

    def _select(self, customer_id: str, limit: int) -> list[StoredTurn]:
        sql = f"SELECT {_COLUMNS} FROM turns WHERE customer_id = ? ORDER BY ts DESC, id DESC LIMIT ?"
        conn = self._connection()
        rows = self._retry(lambda: conn.execute(sql, (customer_id, limit)).fetchall(), conn, "read history")
        return [self._row_to_turn(row) for row in reversed(rows)]

    def _delete_before(self, epoch_seconds: float) -> int:
        return self._delete_leaving_no_trace("ts < ?", (epoch_seconds,), "prune")

    def _delete_customer(self, customer_id: str) -> int:
        return self._delete_leaving_no_trace("customer_id = ?", (customer_id,), "erase a customer")

    def _delete_leaving_no_trace(self, where: str, args: tuple, action: str) -> int:
        """Delete the matching turns, then checkpoint: secure_delete zeroes their pages, and the
        checkpoint copies the zeroed pages into the main file and truncates the WAL that still held
        the old ones, so the deleted text leaves both files (retention and erasure are promises)."""
        sql = f"DELETE FROM turns WHERE {where}"
        deleted = self._write(lambda c: c.execute(sql, args).rowcount, action=action)
        if deleted:
            self._checkpoint(action)
        return deleted

    def _checkpoint(self, action: str) -> None:
        """``wal_checkpoint(TRUNCATE)``, retried while another connection's read keeps it from
        finishing (SQLite reports that as busy=1, not as an error), up to ``timeout``."""
        conn = self._connection()
        deadline = time.monotonic() + self.timeout

        def checkpoint() -> int:
            return conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]

        while True:
            busy = self._retry(checkpoint, conn, action)
            if not busy or time.monotonic() >= deadline:
                return
            time.sleep(0.01 * (1 + random.random()))

    def count(self, customer_id: str | None = None) -> int:
        """How many turns are stored (for one customer, or in all)."""
        conn = self._connection()
        if customer_id is None:
            query, args = "SELECT count(*) FROM turns", ()
        else:
            query, args = "SELECT count(*) FROM turns WHERE customer_id = ?", (customer_id,)
        return self._retry(lambda: conn.execute(query, args).fetchone()[0], conn, "count turns")

    def _ping(self) -> None:
        conn = self._connection()
        conn.execute("SELECT 1").fetchone()

    def close(self) -> None:
        with self._lock:
            connections, self._connections = list(self._connections), weakref.WeakSet()
            self._closed = True
        for conn in connections:
            with contextlib.suppress(sqlite3.Error):  # a connection of a thread that died
                conn.close()

    @staticmethod
    def _row_to_turn(row) -> StoredTurn:
        id_, customer_id, timestamp, channel, speaker, text, intent, prediction, meta, language = row
        turn = Turn(text, speaker, channel, datetime.fromisoformat(timestamp), intent, language)
        return StoredTurn(
            customer_id, turn, json.loads(prediction) if prediction else None, json.loads(meta), id_
        )

    def __repr__(self) -> str:
        return f"SQLiteStore({str(self.path)!r}, mask_personal_data={self.mask_personal_data})"

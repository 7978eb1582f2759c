"""``PostgresStore``: the conversation store on a PostgreSQL server, for service replicas sharing one history.

Why this shape: the same ``turns`` table and the same order as ``SQLiteStore`` (by (ts, id), the last
``limit`` returned oldest first), so a deployment can move from a file to a server without a customer's
history changing. Connections come from one ``psycopg_pool.ConnectionPool`` per process (thread-safe;
a forked child opens its own instead of talking over its parent's sockets), in autocommit mode, so every
insert is committed before ``append`` returns. The schema is created once, under a transaction-level
advisory lock, so replicas starting together do not race, and a database written by a newer
empathy-nlu is refused (E615). psycopg is imported when a store is opened, never by ``import
empathy_nlu``: the SQLite default needs none of it. Passwords never appear in a message or a repr.
"""

from __future__ import annotations

import math
import os
import re
import threading
import weakref
from datetime import datetime
from typing import Any

from ..errors import StoreError
from ..schema import Turn
from .base import ConversationStore, StoredTurn, row_of

SCHEMA_VERSION = 2  # 2: the language column (a database of version 1 gets it on open)
LOCK_KEY = 0x454E4C55  # "ENLU": the advisory lock that serializes schema creation across processes
PING_TIMEOUT = 5.0  # seconds: a readiness check answers soon, whatever the store's timeout

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS empathy_nlu_meta (key text PRIMARY KEY, value text NOT NULL)",
    """CREATE TABLE turns (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        customer_id text NOT NULL,
        ts          double precision NOT NULL,  -- epoch seconds: ordering and retention
        "timestamp" text NOT NULL,              -- ISO 8601 with the offset the turn came with
        channel     text,
        speaker     text NOT NULL,
        text        text NOT NULL,
        intent      text,
        prediction  jsonb,                      -- Prediction.to_dict()
        meta        jsonb NOT NULL,             -- channel metadata
        language    text                        -- ISO 639-1 code of the turn (given or detected)
    )""",
    "CREATE INDEX turns_by_customer ON turns (customer_id, ts, id)",
    "CREATE INDEX turns_by_time ON turns (ts)",
)
_COLUMNS = 'id, customer_id, "timestamp", channel, speaker, text, intent, prediction, meta, language'
_INSERT = (
    'INSERT INTO turns (customer_id, ts, "timestamp", channel, speaker, text, intent, prediction, meta,'
    " language) VALUES (%s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s::jsonb, %s) RETURNING id"
)
_MIGRATIONS = {  # from version -> statements to the next
    1: ("ALTER TABLE turns ADD COLUMN IF NOT EXISTS language text",),
}
_CONNECTION_STATES = ("08", "28", "3D", "57P")  # connection, login, no such database, server shutdown

_OPEN_STORES: weakref.WeakSet[PostgresStore] = weakref.WeakSet()


def _reset_locks_in_child() -> None:
    """A lock held by another thread at fork time stays held in the child forever: give each a new one."""
    for store in list(_OPEN_STORES):
        store._lock = threading.Lock()


os.register_at_fork(after_in_child=_reset_locks_in_child)


def redact(url: str) -> str:
    """``url`` with its password replaced by ``***`` (``user:***@host``, ``password=***``)."""
    url = re.sub(r"(://[^/?#:@]*:)[^/?#]*@", r"\1***@", url)
    return re.sub(r"(?i)(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&]+)", r"\1***", url)


def _import_psycopg():
    try:
        import psycopg
        import psycopg_pool
    except ImportError as exc:
        raise StoreError(
            f"the PostgreSQL store needs psycopg and psycopg-pool ({exc}); "
            "pip install 'empathy-nlu[service]'.",
            "E611",
        ) from exc
    return psycopg, psycopg_pool


def _check_options(url, min_size, max_size, timeout) -> None:
    def is_int(value) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    if not isinstance(url, str) or not url.strip():
        raise StoreError(f"url must be a non-empty str, got {type(url).__name__}.", "E616")
    if not (is_int(min_size) and is_int(max_size) and 0 <= min_size <= max_size and max_size >= 1):
        raise StoreError(
            f"pool sizes must be ints with 0 <= min_size <= max_size and max_size >= 1, "
            f"got min_size={min_size!r}, max_size={max_size!r}.",
            "E616",
        )
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0 < timeout < math.inf:
        raise StoreError(f"timeout must be a number of seconds > 0, got {timeout!r}.", "E616")


class PostgresStore(ConversationStore):
    """Conversation store in a PostgreSQL database (its ``turns`` table is created if missing).

    ``url``: ``postgresql://user:password@host:port/database`` (or a libpq conninfo string).
    ``min_size`` / ``max_size``: connections this process keeps open / may open at most.
    ``timeout``: seconds to connect, and to wait for a free pooled connection before E613.
    ``privacy``: ``PrivacyParams`` (or the ``privacy`` config dict) whose patterns are masked too.
    """

    def __init__(
        self,
        url: str,
        *,
        mask_personal_data: bool = True,
        privacy=None,
        min_size: int = 1,
        max_size: int = 10,
        timeout: float = 30.0,
    ) -> None:
        super().__init__(mask_personal_data, privacy)
        _check_options(url, min_size, max_size, timeout)
        self._psycopg, self._pool_module = _import_psycopg()
        self.url = redact(url)
        self._conninfo, self._secret = url, self._password(url)
        self.min_size, self.max_size, self.timeout = min_size, max_size, float(timeout)
        self._lock = threading.Lock()
        self._pool: Any = None
        self._pid: int | None = None
        self._closed = False
        self._create_schema()  # one direct connection first: a clear E610 now, not a pool timeout later
        _OPEN_STORES.add(self)
        self._current_pool()

    # -- connections -------------------------------------------------------------------------------
    def _password(self, url: str) -> str | None:
        try:
            return self._psycopg.conninfo.conninfo_to_dict(url).get("password") or None
        except self._psycopg.Error as exc:
            raise StoreError(
                f"{self.url!r} is not a PostgreSQL URL ({self._scrub(str(exc), url)}); "
                "pass postgresql://user:password@host:port/database.",
                "E616",
            ) from exc

    def _scrub(self, message: str, url: str | None = None) -> str:
        """A message fit to show: the password removed, whatever quoted it."""
        message = redact(message.strip())
        for secret in (getattr(self, "_secret", None), url):
            if secret:
                message = message.replace(secret, "***")
        return message

    def _connect(self):
        try:
            return self._psycopg.connect(
                self._conninfo, autocommit=True, connect_timeout=max(2, math.ceil(self.timeout))
            )
        except self._psycopg.Error as exc:
            raise StoreError(
                f"cannot connect to PostgreSQL at {self.url} ({self._scrub(str(exc))}); check that the "
                "server runs and is reachable, and the URL's host, port, user, password and database.",
                "E610",
            ) from exc

    def _current_pool(self):
        """This process's pool: a forked child opens a new one and never uses (or closes) its parent's,
        whose sockets it shares; psycopg leaves connections of another process open when collected."""
        with self._lock:
            if self._closed:
                raise StoreError(f"the store {self.url} is closed; open a new PostgresStore.", "E609")
            if self._pool is None or self._pid != os.getpid():
                pool_class = self._pool_module.ConnectionPool
                self._pool = pool_class(
                    self._conninfo,
                    min_size=self.min_size,
                    max_size=self.max_size,
                    timeout=self.timeout,
                    kwargs={"autocommit": True},
                    check=pool_class.check_connection,  # a connection the server dropped is replaced
                    open=False,
                    name="empathy-nlu-store",
                )
                self._pool.open(wait=False)
                self._pid = os.getpid()
            return self._pool

    def _run(self, action: str, fn, timeout: float | None = None):
        """``fn(connection)`` on a pooled connection; psycopg's errors become ``StoreError``s."""
        pool = self._current_pool()
        try:
            with pool.connection(timeout=timeout) as conn:
                return fn(conn)
        except self._psycopg.Error as exc:
            raise self._error(exc, action) from exc

    def _error(self, exc: Exception, action: str) -> StoreError:
        message, state = self._scrub(str(exc)), getattr(exc, "sqlstate", None) or ""
        if isinstance(exc, self._pool_module.PoolTimeout):
            return StoreError(
                f"no connection to {self.url} became free within {self.timeout:g} s to {action} "
                f"({message}); raise max_size or timeout, or check that the server accepts connections.",
                "E613",
            )
        lost = not state or state.startswith(_CONNECTION_STATES)
        if isinstance(exc, self._psycopg.OperationalError) and lost:
            return StoreError(
                f"cannot {action}: the PostgreSQL server at {self.url} is unreachable or dropped the "
                f"connection ({message}); check that it runs and accepts connections.",
                "E610",
            )
        if isinstance(exc, self._psycopg.DataError):  # e.g. a NUL character, which PostgreSQL text refuses
            return StoreError(f"PostgreSQL cannot store this value ({message}); remove it first.", "E605")
        return StoreError(
            f"PostgreSQL failed to {action} at {self.url} ({message}); "
            "check the database user's rights and the server log.",
            "E612",
        )

    # -- schema ------------------------------------------------------------------------------------
    def _create_schema(self) -> None:
        with self._connect() as conn:
            try:
                version = self._schema_version(conn)
                if version is None or version < SCHEMA_VERSION:
                    with conn.transaction():
                        conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
                        version = self._schema_version(conn)  # another process may have won the lock
                        if version is None:
                            version = self._create_tables(conn)
                        version = self._migrate(conn, version)
            except self._psycopg.Error as exc:
                raise self._error(exc, "create the store's tables") from exc
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"the database at {self.url} has store schema {version}; this empathy-nlu reads "
                f"{SCHEMA_VERSION}. Upgrade empathy-nlu.",
                "E615",
            )

    @staticmethod
    def _table_exists(conn, name: str) -> bool:
        """Asked of pg_tables with this statement's snapshot: ``to_regclass`` may answer from a cache
        that still says "missing" after another process created the table while we waited for the lock."""
        sql = "SELECT 1 FROM pg_tables WHERE tablename = %s AND schemaname = ANY(current_schemas(false))"
        return conn.execute(sql, (name,)).fetchone() is not None

    def _schema_version(self, conn) -> int | None:
        if not self._table_exists(conn, "empathy_nlu_meta"):
            return None
        row = conn.execute("SELECT value FROM empathy_nlu_meta WHERE key = 'schema_version'").fetchone()
        return None if row is None else int(row[0])

    @staticmethod
    def _migrate(conn, version: int) -> int:
        """Bring a database of an older schema up to ``SCHEMA_VERSION`` (under the advisory lock)."""
        while version < SCHEMA_VERSION:
            for statement in _MIGRATIONS[version]:
                conn.execute(statement)
            version += 1
            conn.execute(
                "UPDATE empathy_nlu_meta SET value = %s WHERE key = 'schema_version'", (str(version),)
            )
        return version

    def _create_tables(self, conn) -> int:
        if self._table_exists(conn, "turns"):
            raise StoreError(
                f"the database at {self.url} has a turns table of another application; "
                "use another database (or schema).",
                "E615",
            )
        for statement in _SCHEMA:
            conn.execute(statement)
        conn.execute(
            "INSERT INTO empathy_nlu_meta (key, value) VALUES ('schema_version', %s)", (str(SCHEMA_VERSION),)
        )
        return SCHEMA_VERSION

    # -- ConversationStore ---------------------------------------------------------------------------
    def _insert(self, record: StoredTurn) -> int:
        row = row_of(record)
        return self._run("write a turn", lambda c: c.execute(_INSERT, row).fetchone()[0])

    def _select(self, customer_id: str, limit: int) -> list[StoredTurn]:
        sql = f"SELECT {_COLUMNS} FROM turns WHERE customer_id = %s ORDER BY ts DESC, id DESC LIMIT %s"
        rows = self._run("read history", lambda c: c.execute(sql, (customer_id, limit)).fetchall())
        return [_row_to_turn(row) for row in reversed(rows)]

    def _delete_before(self, epoch_seconds: float) -> int:
        return self._delete("ts < %s", epoch_seconds, "prune")

    def _delete_customer(self, customer_id: str) -> int:
        """The rows are gone for every reader when this returns; PostgreSQL reclaims their space at the
        next (auto)vacuum, and its WAL and backups keep them as long as the operator keeps those."""
        return self._delete("customer_id = %s", customer_id, "erase a customer")

    def _delete(self, where: str, value, action: str) -> int:
        return self._run(action, lambda c: c.execute(f"DELETE FROM turns WHERE {where}", (value,)).rowcount)

    def count(self, customer_id: str | None = None) -> int:
        """How many turns are stored (for one customer, or in all)."""
        if customer_id is None:
            query, args = "SELECT count(*) FROM turns", ()
        else:
            query, args = "SELECT count(*) FROM turns WHERE customer_id = %s", (customer_id,)
        return self._run("count turns", lambda c: c.execute(query, args).fetchone()[0])

    def _ping(self) -> None:
        self._run("ping", lambda c: c.execute("SELECT 1").fetchone(), timeout=min(self.timeout, PING_TIMEOUT))

    def close(self) -> None:
        with self._lock:
            pool, self._pool, self._closed = self._pool, None, True
        if pool is not None and self._pid == os.getpid():  # a child leaves its parent's pool alone
            pool.close()

    def __repr__(self) -> str:
        return f"PostgresStore({self.url!r}, mask_personal_data={self.mask_personal_data})"


def _row_to_turn(row) -> StoredTurn:
    id_, customer_id, timestamp, channel, speaker, text, intent, prediction, meta, language = row
    turn = Turn(text, speaker, channel, datetime.fromisoformat(timestamp), intent, language)
    return StoredTurn(customer_id, turn, prediction, meta, id_)

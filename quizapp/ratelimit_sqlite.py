"""A `limits` storage in a SQLite file, so the workers of one machine share their counts without Redis.

`limits` ships memory (one count per worker), Redis, Memcached and MongoDB storages; the one-machine
deployment installs none of those servers. Importing this module registers the `sqlite` scheme with
`limits.storage.storage_from_string`: `sqlite:////abs/path/ratelimit.sqlite` (SQLAlchemy's spelling).
Fixed-window counters only (the app's only strategy). docs/decisions/0003-rate-limit-storage-sqlite.md
says why and what it costs.
"""
from __future__ import annotations

import os
import sqlite3
import threading
import time

from limits.storage import Storage

SCHEME = "sqlite"
PREFIX = f"{SCHEME}:///"
# Expired windows are deleted at most this often per process: a count is read by its expiry anyway.
PURGE_EVERY = 60.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS counters (
    key TEXT PRIMARY KEY,
    count INTEGER NOT NULL,
    expires_at REAL NOT NULL
) WITHOUT ROWID
"""

# One statement, in a transaction that took the write lock first: a window that ended starts again at
# `amount`, a live one adds to its count. RETURNING gives the new count without a second read.
INCREMENT = """
INSERT INTO counters (key, count, expires_at) VALUES (:key, :amount, :now + :expiry)
ON CONFLICT (key) DO UPDATE SET
    count = CASE WHEN expires_at <= :now THEN :amount ELSE count + :amount END,
    expires_at = CASE WHEN expires_at <= :now THEN :now + :expiry ELSE expires_at END
RETURNING count
"""


class SQLiteStorage(Storage):
    """Fixed-window counters in one SQLite file shared by every process that opens it."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, busy_timeout_ms: int = 2000,
                 **options: float | str | bool) -> None:
        if not uri or not uri.startswith(PREFIX) or uri == PREFIX:
            raise ValueError(f"expected {PREFIX}<path to a file>, not {uri!r}")
        self.path = uri[len(PREFIX):]
        self.busy_timeout_ms = busy_timeout_ms
        # One connection per process, opened on first use: gunicorn forks workers after the app may have
        # been created, and a SQLite connection must not cross a fork. Statements are microseconds, so a
        # lock around the connection costs less than a connection per thread (or per gevent greenlet).
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        self._pid = 0
        self._purged_at = 0.0
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None or self._pid != os.getpid():
            os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
            # Autocommit mode: each transaction below is begun explicitly.
            connection = sqlite3.connect(self.path, timeout=self.busy_timeout_ms / 1000, isolation_level=None,
                                         check_same_thread=False)
            self._prepare(connection)
            connection.execute("PRAGMA synchronous = NORMAL")  # a count lost to a power cut does not matter
            self._connection, self._pid = connection, os.getpid()
        return self._connection

    def _prepare(self, connection: sqlite3.Connection) -> None:
        """Put a new file in WAL mode (readers never wait for the writer) and give it its table.

        Switching to WAL needs the file to itself and SQLite answers "database is locked" at once rather
        than waiting out the busy timeout, so the workers that start together and all open a new file
        take turns here; a worker that gave up would count in its own memory and let extra requests by.
        """
        deadline = time.monotonic() + self.busy_timeout_ms / 1000
        while True:
            try:
                if connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    connection.execute("PRAGMA journal_mode = WAL")
                connection.execute(SCHEMA)
                return
            except sqlite3.OperationalError as error:
                if error.sqlite_errorcode != sqlite3.SQLITE_BUSY or time.monotonic() >= deadline:
                    raise
                time.sleep(0.005)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        with self._lock:
            connection = self._connect()
            # BEGIN IMMEDIATE takes the write lock before reading, so two processes never both see count n.
            connection.execute("BEGIN IMMEDIATE")
            try:
                count = connection.execute(INCREMENT, {"key": key, "amount": amount, "now": now,
                                                       "expiry": expiry}).fetchone()[0]
                if now - self._purged_at >= PURGE_EVERY:
                    connection.execute("DELETE FROM counters WHERE expires_at <= ?", (now,))
                    self._purged_at = now
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
        return int(count)

    def get(self, key: str) -> int:
        row = self._read("SELECT count FROM counters WHERE key = ? AND expires_at > ?", key)
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._read("SELECT expires_at FROM counters WHERE key = ? AND expires_at > ?", key)
        return float(row[0]) if row else time.time()

    def _read(self, sql: str, key: str) -> tuple[float, ...] | None:
        with self._lock:
            return self._connect().execute(sql, (key, time.time())).fetchone()  # type: ignore[no-any-return]

    def check(self) -> bool:
        with self._lock:
            return self._connect().execute("SELECT 1").fetchone() == (1,)

    def reset(self) -> int | None:
        with self._lock:
            return self._connect().execute("DELETE FROM counters").rowcount

    def clear(self, key: str) -> None:
        with self._lock:
            self._connect().execute("DELETE FROM counters WHERE key = ?", (key,))

"""For the tests and the benchmark (bench/checks.py): record the SQL statements that reach the database, at the driver's cursor.

Counted there, not with SQLAlchemy's events, because an answer to a remembered round runs straight on the
driver (quizapp/play/driver.py) and SQLAlchemy never sees it. An app built with driver_options(url) as its
SQLALCHEMY_ENGINE_OPTIONS gets the recording cursors below; they record only inside
`with Statements() as seen:`.
Transaction control (BEGIN, COMMIT, ROLLBACK) and a new connection's PRAGMAs are left out: they are not
queries a page makes.
"""
from __future__ import annotations

import sqlite3
from typing import Any

import psycopg

from quizapp.config import DEFAULTS

NOT_QUERIES = ("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA", "SAVEPOINT", "RELEASE")

_recording: list[Statements] = []


class Statements:
    """Use as `with Statements() as seen:`; then `seen.statements` (whitespace folded) and `seen.count`."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)

    def __enter__(self) -> Statements:
        _recording.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        _recording.remove(self)


def _record(sql: object) -> None:
    folded = " ".join(str(sql).split())
    if _recording and not folded.upper().startswith(NOT_QUERIES):
        for seen in _recording:
            seen.statements.append(folded)


class RecordingSQLiteCursor(sqlite3.Cursor):
    def execute(self, sql: str, *args: Any) -> Any:
        _record(sql)
        return super().execute(sql, *args)

    def executemany(self, sql: str, *args: Any) -> Any:
        _record(sql)
        return super().executemany(sql, *args)


class RecordingSQLiteConnection(sqlite3.Connection):
    def cursor(self, factory: Any = RecordingSQLiteCursor) -> Any:  # type: ignore[override]
        return super().cursor(factory)

    # The driver's own shortcuts run their cursor's execute in C, past the recording one.
    def execute(self, sql: str, *args: Any) -> Any:  # type: ignore[override]
        return self.cursor().execute(sql, *args)

    def executemany(self, sql: str, *args: Any) -> Any:  # type: ignore[override]
        return self.cursor().executemany(sql, *args)


class RecordingPostgresCursor(psycopg.Cursor[Any]):
    def execute(self, query: Any, *args: Any, **kwargs: Any) -> Any:
        _record(query)
        return super().execute(query, *args, **kwargs)

    def executemany(self, query: Any, *args: Any, **kwargs: Any) -> Any:
        _record(query)
        return super().executemany(query, *args, **kwargs)


def driver_options(url: str) -> dict[str, Any]:
    """The app's engine options, with connections whose cursors record."""
    if url.startswith("sqlite"):
        connect_args: dict[str, Any] = {"factory": RecordingSQLiteConnection}
    else:
        connect_args = {"cursor_factory": RecordingPostgresCursor}
    return {**DEFAULTS["SQLALCHEMY_ENGINE_OPTIONS"], "connect_args": connect_args}

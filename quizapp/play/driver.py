"""SQLAlchemy statements compiled once, then run straight on the database driver.

Why, with the figures, and which SQLAlchemy internals this relies on (pinned, and tested by
tests/play/test_driver_internals.py): docs/decisions/0002-answer-on-the-driver.md. SQLAlchemy's event hooks
don't see these statements: a test counting statements must count them at the driver.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql import ClauseElement


@dataclass(frozen=True)
class DriverStatement:
    """A statement's SQL for one dialect and how to bind a dict of values to it."""

    sql: str
    names: tuple[str, ...]  # in the order of the placeholders (positional drivers) or once each (named)
    processors: tuple[Callable[[Any], Any] | None, ...]
    positional: bool

    @classmethod
    def compile(cls, statement: ClauseElement, dialect: Dialect) -> DriverStatement:
        compiled: Any = statement.compile(dialect=dialect)
        names = tuple(compiled.positiontup) if dialect.positional else tuple(compiled.binds)
        processors = tuple(compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names)
        return cls(str(compiled), names, processors, dialect.positional)

    def parameters(self, values: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        bound = [values[name] if process is None else process(values[name])
                 for name, process in zip(self.names, self.processors, strict=True)]
        return bound if self.positional else dict(zip(self.names, bound, strict=True))


class DriverTransaction:
    """One transaction on the driver, committed by commit() and otherwise rolled back.

    If the request's session has already begun a transaction (it read something first), the statements run in
    that one, on its connection, and commit() commits the session: a second transaction would wait for the
    first one's lock on SQLite. Otherwise it takes a connection of its own from the engine's pool, which rolls
    back what was not committed as the connection goes back. On SQLite that one begins IMMEDIATE: the
    connections run in the driver's autocommit mode (see configure_sqlite_connection) and a writer takes the
    write lock up front, as the app's other writes do.

    `one_statement` promises that the transaction is a single statement. On PostgreSQL it is then sent in
    autocommit: the server commits it as it runs it, one round trip instead of three (BEGIN, the statement,
    COMMIT), and the row locks it takes (its foreign keys lock the round and the statements it refers to) are
    held for the statement alone, not for two more round trips. commit() then has nothing left to do.
    """

    def __init__(self, engine: Engine, session: Session | None = None, *, one_statement: bool = False) -> None:
        self.dialect = engine.dialect
        self.session = session if session is not None and session.in_transaction() else None
        self.committed = False
        self.autocommit = False
        if self.session is not None:
            self.pooled: PoolProxiedConnection = self.session.connection().connection
            self.driver: Any = self.pooled.driver_connection
            return
        self.pooled = engine.raw_connection()
        self.driver = self.pooled.driver_connection
        try:
            if one_statement and self.dialect.name == "postgresql":
                self.driver.autocommit = self.autocommit = True
            elif self.dialect.name == "sqlite":
                self._run("BEGIN IMMEDIATE", ())  # raises when the lock was not to be had (busy)
        except BaseException:
            self.pooled.close()  # no `with` block holds it yet: give it back
            raise

    def run(self, statement: DriverStatement, values: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """Run the statement; the first row it returned, or None."""
        if self.autocommit and self.committed:
            raise RuntimeError("a one-statement transaction ran a second statement")
        row = self._run(statement.sql, statement.parameters(values))
        self.committed = self.autocommit  # the server committed it with the statement
        return row

    def commit(self) -> None:
        if self.autocommit:
            return
        self.committed = True
        if self.session is not None:
            self.session.commit()
            return
        try:
            self.driver.commit()
        except self.dialect.loaded_dbapi.Error as error:
            raise self._wrapped(error, "COMMIT", ()) from error

    def __enter__(self) -> DriverTransaction:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if self.session is not None:
            if not self.committed:
                self.session.rollback()
            return
        if self.autocommit and self.pooled.is_valid:
            try:
                self.driver.autocommit = False  # as the pool's other users expect it
            except Exception as error:  # a connection in a state no one expects is not handed out again
                self.pooled.invalidate(error)
        self.pooled.close()  # back to the pool, whose reset on return rolls back what was not committed

    def _run(self, sql: str, parameters: Sequence[Any] | dict[str, Any]) -> tuple[Any, ...] | None:
        cursor = self.driver.cursor()
        try:
            cursor.execute(sql, parameters)
            return cursor.fetchone() if cursor.description else None
        except self.dialect.loaded_dbapi.Error as error:
            raise self._wrapped(error, sql, parameters, cursor) from error
        finally:
            cursor.close()

    def _wrapped(self, error: Exception, sql: str, parameters: Any, cursor: Any = None) -> DBAPIError:
        """The driver's error as SQLAlchemy raises it; a connection the server dropped is not handed out again."""
        disconnected = self.dialect.is_disconnect(error, self.driver, cursor)
        if disconnected:
            self.pooled.invalidate(error)
        return DBAPIError.instance(sql, parameters, error, self.dialect.loaded_dbapi.Error,
                                   connection_invalidated=disconnected, dialect=self.dialect)

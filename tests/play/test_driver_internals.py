"""The SQLAlchemy internals quizapp/play/driver.py relies on, pinned in pyproject.toml (docs/decisions/0002).

The answer statement is compiled with SQLAlchemy and run on the driver, using a compiled statement's
`positiontup` and `binds` and `DBAPIError.instance`. None of those is public API: these tests fail when an
upgrade changes them, before the answer path does.
"""
from __future__ import annotations

import sqlite3
import tomllib
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import psycopg
import pytest
from packaging.requirements import Requirement
from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    bindparam,
    create_engine,
    event,
    func,
    insert,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from quizapp.extensions import configure_sqlite_connection
from quizapp.play.driver import DriverStatement, DriverTransaction

# The minor versions whose internals these tests have passed on; widen the pin only with a run on the new one.
TESTED_MINORS = {"2.1"}

table = Table("t", MetaData(), Column("a", Integer, primary_key=True), Column("at", DateTime(timezone=True)),
              Column("name", String(20)), UniqueConstraint("name"))
WHEN = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


def sqlalchemy_requirement() -> Requirement:
    project = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text("utf-8"))["project"]
    [requirement] = [Requirement(r) for r in project["dependencies"] if Requirement(r).name.lower() == "sqlalchemy"]
    return requirement


def test_sqlalchemy_is_pinned_to_the_tested_minor_versions_and_installed_at_one():
    specifier = sqlalchemy_requirement().specifier
    for candidate in ("1.4.54", "2.0.0", "2.0.99", "2.1.0", "2.1.99", "2.2.0", "3.0.0"):
        minor = ".".join(candidate.split(".")[:2])
        assert specifier.contains(candidate) is (minor in TESTED_MINORS), candidate
    assert ".".join(version("sqlalchemy").split(".")[:2]) in TESTED_MINORS


def repeated_binds():  # type: ignore[no-untyped-def]
    # "name" twice: a positional driver takes one value per placeholder, in order.
    return select(table.c.a).where(table.c.name == bindparam("name"), table.c.at < bindparam("at"),
                                   table.c.name != bindparam("name"))


def test_a_positional_dialect_binds_every_placeholder_in_order_through_its_processors():
    compiled = DriverStatement.compile(repeated_binds(), sqlite.dialect())
    assert compiled.positional and compiled.sql.count("?") == 3
    assert compiled.names == ("name", "at", "name")
    # SQLite stores a datetime as text: the DateTime type's bind processor must have run.
    assert compiled.parameters({"name": "x", "at": WHEN}) == ["x", "2026-11-27 10:00:00.000000", "x"]


def test_a_named_dialect_binds_each_name_once():
    compiled = DriverStatement.compile(repeated_binds(), postgresql.psycopg.dialect())
    assert not compiled.positional and "%(name)s" in compiled.sql
    assert compiled.parameters({"name": "x", "at": WHEN}) == {"name": "x", "at": WHEN}


@pytest.fixture
def engine():  # type: ignore[no-untyped-def]
    engine = create_engine("sqlite://")
    event.listen(engine, "connect", lambda connection, _record: configure_sqlite_connection(connection, 1000))
    table.metadata.create_all(engine)
    yield engine
    engine.dispose()


def test_a_driver_error_is_raised_as_sqlalchemys_so_the_apps_handlers_apply(engine):
    statement = DriverStatement.compile(insert(table).values(name=bindparam("name")), engine.dialect)
    with DriverTransaction(engine, None) as transaction:
        transaction.run(statement, {"name": "once"})
        transaction.commit()
    with DriverTransaction(engine, None) as transaction, pytest.raises(IntegrityError) as raised:
        transaction.run(statement, {"name": "once"})
    assert isinstance(raised.value.orig, sqlite3.IntegrityError)
    assert raised.value.statement == statement.sql and raised.value.params == ["once"]


@pytest.fixture
def postgresql_engine():  # type: ignore[no-untyped-def]
    from tests.conftest import POSTGRES_URL

    if not POSTGRES_URL:
        pytest.skip("PostgreSQL only: TEST_DATABASE_URL is not set")
    # One connection: the one a transaction gives back is the next one handed out.
    engine = create_engine(POSTGRES_URL, pool_size=1, max_overflow=0)
    table.metadata.drop_all(engine)
    table.metadata.create_all(engine)
    yield engine
    table.metadata.drop_all(engine)
    engine.dispose()


def count_rows(engine) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as other:
        return int(other.scalar(select(func.count()).select_from(table)))


def test_one_statement_on_postgresql_commits_as_it_runs_and_gives_the_connection_back_as_it_was(postgresql_engine):
    engine = postgresql_engine
    statement = DriverStatement.compile(insert(table).values(name=bindparam("name")).returning(table.c.a),
                                        engine.dialect)
    with DriverTransaction(engine, None, one_statement=True) as transaction:
        assert transaction.run(statement, {"name": "once"}) is not None
        committed_by_then = transaction.driver.info.transaction_status
    # Nothing was left open on the server for a COMMIT to finish: the statement was its own transaction.
    assert committed_by_then == psycopg.pq.TransactionStatus.IDLE
    assert count_rows(engine) == 1
    # A refused statement leaves nothing, and the connection goes back out of autocommit either way.
    with DriverTransaction(engine, None, one_statement=True) as transaction, pytest.raises(IntegrityError):
        transaction.run(statement, {"name": "once"})
    pooled = engine.raw_connection()
    try:
        assert pooled.driver_connection.autocommit is False
    finally:
        pooled.close()
    # Without the promise, the statements wait for commit(): a transaction left uncommitted stores nothing.
    with DriverTransaction(engine, None) as transaction:
        transaction.run(statement, {"name": "twice"})
        assert transaction.driver.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS
    assert count_rows(engine) == 1


def test_inside_a_transaction_the_session_began_the_statement_waits_for_its_commit_even_if_it_is_the_only_one(
        postgresql_engine):
    """A round read first (SQLite's write lock, or a re-read on PostgreSQL) began the session's transaction: the
    answer runs inside it, never in autocommit, and commit() commits the session."""
    engine = postgresql_engine
    statement = DriverStatement.compile(insert(table).values(name=bindparam("name")), engine.dialect)
    with Session(engine) as session:
        session.execute(select(table.c.a))  # the session's transaction has begun
        with DriverTransaction(engine, session, one_statement=True) as transaction:
            transaction.run(statement, {"name": "read first"})
            assert transaction.driver.autocommit is False
            assert transaction.driver.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS
            transaction.commit()
        assert not session.in_transaction()
    assert count_rows(engine) == 1

"""The answer's one write: an INSERT that stores nothing unless the round is still as the answer saw it.

The answer's values are selected from the round's row only while its times and creation time are those of
the snapshot the answer was checked against, and the unique (round, player) key makes a second answer store
nothing (ON CONFLICT DO NOTHING). So one statement refuses a duplicate, a round closed early or extended, a
deleted round whose id SQLite gave out again, and a session that was ended (by a logout or a password change:
the account's session generation moved on), without a read before it. It runs straight on the driver
(quizapp/play/driver.py; docs/decisions says why).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache

from sqlalchemy import Executable, Insert, Integer, bindparam, exists, func, insert, select, true
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import Session

from quizapp.models import Answer, Mark, Round, User
from quizapp.play.driver import DriverStatement, DriverTransaction
from quizapp.snapshots import RoundSnapshot

ANSWER_COLUMNS = ("round_id", "player_id", "option_id", "points", "max_points", "created_at")


@dataclass(frozen=True)
class Statements:
    """The answer's INSERT, and on PostgreSQL the answer with its marks in one statement (a round trip fewer)."""

    answer: Executable
    answer_with_marks: Executable | None


@cache
def _statements(dialect: str) -> Statements:
    answers, rounds, users = Answer.__table__, Round.__table__, User.__table__
    dialect_insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    bound = [bindparam(name, type_=answers.c[name].type) for name in ANSWER_COLUMNS]
    # SQLite needs the WHERE here anyway: it tells its parser the ON CONFLICT belongs to the INSERT.
    guarded = select(*bound).where(
        rounds.c.id == bindparam("round_id"),
        rounds.c.created_at == bindparam("round_created_at"),
        rounds.c.published,
        rounds.c.opens_at.is_not_distinct_from(bindparam("opens_at")),
        rounds.c.closes_at.is_not_distinct_from(bindparam("closes_at")),
        # The session is still one of the account's: not from before a logout or a password change.
        exists().where(users.c.id == bindparam("player_id"), users.c.session_generation == bindparam("generation")),
    )
    answer = (
        dialect_insert(answers)
        .from_select(ANSWER_COLUMNS, guarded)
        .on_conflict_do_nothing(index_elements=["round_id", "player_id"])
        .returning(answers.c.id)
    )
    if dialect != "postgresql":
        return Statements(answer, None)
    # The marks are selected from what the answer's INSERT returned: none when it stored nothing.
    new_answer = answer.cte("new_answer")
    marked = func.unnest(bindparam("marked", type_=ARRAY(Integer))).table_valued("statement_id").render_derived("marked")
    with_marks = (
        insert(Mark.__table__)
        .from_select(["answer_id", "statement_id"], select(new_answer.c.id, marked.c.statement_id)
                     .select_from(new_answer.join(marked, true())))
        .returning(Mark.__table__.c.answer_id)
    )
    return Statements(answer, with_marks)


@lru_cache(maxsize=64)
def _marks_insert(count: int) -> Insert:
    """One multi-row INSERT of `count` marks (not a statement per mark), bound by _numbered_marks."""
    rows = [{"answer_id": bindparam("answer_id"), "statement_id": bindparam(f"statement_{i}")} for i in range(count)]
    return insert(Mark.__table__).values(rows)


def _numbered_marks(answer_id: int, marked: list[int]) -> dict[str, int]:
    return {"answer_id": answer_id} | {f"statement_{i}": statement_id for i, statement_id in enumerate(marked)}


class Compiled:
    """The statements compiled for one dialect and driver, once per process."""

    def __init__(self, dialect: Dialect) -> None:
        statements = _statements(dialect.name)
        self.dialect = dialect
        self.answer = DriverStatement.compile(statements.answer, dialect)
        together = statements.answer_with_marks
        self.answer_with_marks = None if together is None else DriverStatement.compile(together, dialect)
        self._marks: dict[int, DriverStatement] = {}

    def marks(self, count: int) -> DriverStatement:
        statement = self._marks.get(count)
        if statement is None:
            statement = self._marks[count] = DriverStatement.compile(_marks_insert(count), self.dialect)
        return statement


_compiled: dict[tuple[str, str], Compiled] = {}


def _compiled_for(dialect: Dialect) -> Compiled:
    key = (dialect.name, dialect.driver)
    compiled = _compiled.get(key)
    if compiled is None:
        compiled = _compiled[key] = Compiled(dialect)
    return compiled


def insert_answer(engine: Engine, session: Session | None, round_: RoundSnapshot, values: dict[str, object], marked: list[int]) -> int | None:
    """Store the answer and its marks in one transaction; its id, or None when nothing was stored (the player
    had answered, or the round in the database is no longer the snapshot). A foreign key that refuses the write
    (the player's account is gone, a statement was replaced) raises IntegrityError, with nothing stored."""
    compiled = _compiled_for(engine.dialect)
    params = values | {"round_created_at": round_.created_at, "opens_at": round_.opens_at,
                       "closes_at": round_.closes_at}
    together = compiled.answer_with_marks is not None  # PostgreSQL: the answer and its marks in one statement
    with DriverTransaction(engine, session, one_statement=together or not marked) as transaction:
        if marked and together:
            row = transaction.run(compiled.answer_with_marks, params | {"marked": marked})
        else:
            row = transaction.run(compiled.answer, params)
            if row is not None and marked:
                transaction.run(compiled.marks(len(marked)), _numbered_marks(row[0], marked))
        if row is None:
            return None
        transaction.commit()
    return int(row[0])

"""Storing an answer: validated, scored, and made final by the unique constraint."""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache, cached_property, lru_cache
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import Executable, Insert, Integer, Select, bindparam, func, insert, select, true
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import Conflict

from quizapp.cache import kept_rounds
from quizapp.extensions import db
from quizapp.models import Answer, Mark, Option, Round, RoundRules, Statement, User, utcnow
from quizapp.play.driver import DriverStatement, DriverTransaction
from quizapp.queries import PlayerAnswer
from quizapp.rules.lifecycle import RoundStatus, as_utc
from quizapp.rules.scoring import is_valid_facts_marks, score_facts, score_poll


@dataclass(frozen=True)
class Item:
    """A statement or an option, as the answer path checks, scores and confirms it."""

    id: int
    text: str
    is_false: bool = False
    is_correct: bool = False


@dataclass(frozen=True)
class AnswerableRound(RoundRules):
    """The columns of a round that an answer is checked against, scored by and confirmed with.

    Read in one Core query with no ORM objects to build: answers are the busiest writes, and the full
    Round (series, intro, explanations) is loaded only when a page needs it.
    """

    id: int
    curator_id: int
    kind: str
    published: bool
    opens_at: datetime | None
    closes_at: datetime | None
    results_visibility: str
    created_at: datetime
    statements: tuple[Item, ...]
    options: tuple[Item, ...]

    @cached_property
    def content_key(self) -> str:
        """A digest of the statements and options: a key whose hash is worked out once per remembered round."""
        items = tuple((item.id, item.text, item.is_false, item.is_correct) for item in self.statements + self.options)
        return hashlib.sha256(repr(items).encode()).hexdigest()


@cache
def _answerable_query() -> Select[Any]:
    rounds, statements, options = Round.__table__, Statement.__table__, Option.__table__
    # A round has statements or options, never both, so joining both multiplies no rows.
    return (
        select(
            rounds.c.id, rounds.c.curator_id, rounds.c.kind, rounds.c.published, rounds.c.opens_at,
            rounds.c.closes_at, rounds.c.results_visibility, rounds.c.created_at,
            rounds.c.answer_count,
            statements.c.id.label("statement_id"), statements.c.text.label("statement_text"), statements.c.is_false,
            options.c.id.label("option_id"), options.c.text.label("option_text"), options.c.is_correct,
        )
        .outerjoin(statements, statements.c.round_id == rounds.c.id)
        .outerjoin(options, options.c.round_id == rounds.c.id)
        .where(rounds.c.id == bindparam("round_id"))
        .order_by(statements.c.position, options.c.position)
    )


def answerable_round(round_id: int) -> AnswerableRound | None:
    """Load what answering the round needs, in one query; None if there is no such round.

    A published round with answers is also kept in this process's memory for remembered_round.
    """
    rows = db.session.execute(_answerable_query(), {"round_id": round_id}).all()
    kept = kept_rounds()
    if not rows:
        kept.discard(round_id)
        return None
    first = rows[0]
    round_ = AnswerableRound(
        id=first.id, curator_id=first.curator_id, kind=first.kind, published=first.published,
        # As aware UTC, as utcnow() gives: the status checks on every answer then compare them as they are.
        opens_at=first.opens_at and as_utc(first.opens_at), closes_at=first.closes_at and as_utc(first.closes_at),
        results_visibility=first.results_visibility, created_at=as_utc(first.created_at),
        statements=tuple(Item(row.statement_id, row.statement_text, is_false=row.is_false)
                         for row in rows if row.statement_id is not None),
        options=tuple(Item(row.option_id, row.option_text, is_correct=row.is_correct)
                      for row in rows if row.option_id is not None),
    )
    if round_.published and first.answer_count > 0:
        kept.put(round_id, round_)
    else:
        kept.discard(round_id)
    return round_


def remembered_round(round_id: int, at: datetime) -> AnswerableRound | None:
    """The round as this process last read it, if it had answers then and its remembered times make it open at `at`.

    Once a round has answers the editor locks what answers are checked and scored against; only its times can
    still change (closed early, extended), or it can be deleted. So an answer to a remembered round is stored with
    `remembered=True`: the insert writes nothing unless the round in the database is still this one with these
    times, and the caller then decides again on a fresh answerable_round.
    """
    round_: AnswerableRound | None = kept_rounds().get(round_id)
    if round_ is None or round_.status(at) is not RoundStatus.OPEN:
        return None
    return round_


class AnswerRejected(ValueError):
    """The answer's shape is wrong; the message is for the player."""


class RoundChanged(Exception):
    """Nothing was stored for a remembered round: its times changed, it is gone, or the player had answered."""


@dataclass(frozen=True)
class Stored:
    answer: PlayerAnswer | None
    created: bool


def parse_ids(values: Sequence[str]) -> list[int]:
    """Turn submitted ids into ints, refusing anything that is not a small positive number."""
    ids = []
    for value in values:
        if not value.isascii() or not value.isdigit() or len(value) > 12:
            raise AnswerRejected(_("That statement is not part of this round."))
        ids.append(int(value))
    return ids


def facts_problem(round_: RoundRules, marked: list[int]) -> str | None:
    """Explain what is wrong with the marks, or return None."""
    false_count = round_.false_count
    problem = is_valid_facts_marks([s.id for s in round_.statements], marked, false_count)
    if problem == "unknown":
        return _("That statement is not part of this round.")
    if problem == "duplicate":
        return _("Mark each statement at most once.")
    if problem == "count":
        return ngettext(
            "Mark exactly %(num)d statement as false; you marked %(marked)d.",
            "Mark exactly %(num)d statements as false; you marked %(marked)d.",
            false_count,
            marked=len(set(marked)),
        )
    return None


def store_facts_answer(round_: AnswerableRound, player_id: int, marked: list[int], at: datetime | None = None, *,
                       remembered: bool = False) -> Stored:
    """Score and store the player's marks; a second answer, racing or not, stores nothing."""
    problem = facts_problem(round_, marked)
    if problem:
        raise AnswerRejected(problem)
    false_ids = {s.id for s in round_.statements if s.is_false}
    values = {
        "round_id": round_.id,
        "player_id": player_id,
        "option_id": None,
        "points": score_facts(false_ids, marked),
        "max_points": len(false_ids),
        "created_at": at or utcnow(),
    }
    return _store(round_, values, sorted(set(marked)), remembered)


def store_poll_answer(round_: AnswerableRound, player_id: int, option_id: int, at: datetime | None = None, *,
                      remembered: bool = False) -> Stored:
    """Store the player's vote; a second vote stores nothing."""
    if option_id not in {option.id for option in round_.options}:
        raise AnswerRejected(_("Choose one of the options."))
    correct = next((option.id for option in round_.options if option.is_correct), None)
    values = {
        "round_id": round_.id,
        "player_id": player_id,
        "option_id": option_id,
        "points": score_poll(correct, option_id),
        "max_points": 1 if correct is not None else 0,
        "created_at": at or utcnow(),
    }
    return _store(round_, values, [], remembered)


ANSWER_COLUMNS = ("round_id", "player_id", "option_id", "points", "max_points", "created_at")


@dataclass(frozen=True)
class Writes:
    """The answer path's writes, built once per dialect so a request only binds its values."""

    insert_answer: Executable
    insert_remembered: Executable
    # PostgreSQL only: the answer and its marks in one statement, a round trip fewer (None elsewhere).
    insert_with_marks: Executable | None = None
    insert_remembered_with_marks: Executable | None = None


@cache
def _writes(dialect: str) -> Writes:
    answers, marks, rounds = Answer.__table__, Mark.__table__, Round.__table__
    dialect_insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    # The answer's values, selected from the round only while its times are those the process remembers. Its
    # creation time tells a new round apart from a deleted one whose id SQLite gave out again.
    # SQLite needs the WHERE here anyway: it tells its parser the ON CONFLICT belongs to the INSERT.
    bound = [bindparam(name, type_=answers.c[name].type) for name in ANSWER_COLUMNS]
    guarded = select(*bound).where(
        rounds.c.id == bindparam("round_id"),
        rounds.c.created_at == bindparam("round_created_at"),
        rounds.c.published,
        rounds.c.opens_at.is_not_distinct_from(bindparam("opens_at")),
        rounds.c.closes_at.is_not_distinct_from(bindparam("closes_at")),
    )
    insert_answer = (
        dialect_insert(answers)
        .values(dict(zip(ANSWER_COLUMNS, bound, strict=True)))
        .on_conflict_do_nothing(index_elements=["round_id", "player_id"])
        .returning(answers.c.id)
    )
    insert_remembered = (
        dialect_insert(answers)
        .from_select(ANSWER_COLUMNS, guarded)
        .on_conflict_do_nothing(index_elements=["round_id", "player_id"])
        .returning(answers.c.id)
    )
    if dialect != "postgresql":
        return Writes(insert_answer, insert_remembered)

    def with_marks(insert_one: Executable) -> Executable:
        # The marks are selected from what the answer's INSERT returned: none when it stored nothing.
        new_answer = insert_one.cte("new_answer")  # type: ignore[attr-defined]
        marked = func.unnest(bindparam("marked", type_=ARRAY(Integer))).table_valued("statement_id").render_derived("marked")
        return (
            insert(marks)
            .from_select(["answer_id", "statement_id"], select(new_answer.c.id, marked.c.statement_id)
                         .select_from(new_answer.join(marked, true())))
            .returning(marks.c.answer_id)
        )

    return Writes(insert_answer, insert_remembered, with_marks(insert_answer), with_marks(insert_remembered))


def _store(round_: AnswerableRound, values: dict[str, object], marked: list[int], remembered: bool) -> Stored:
    """Insert the answer unless the player already has one; the unique (round, player) key decides, not a read."""
    if remembered:
        return _store_remembered(round_, values, marked)
    writes = _writes(db.engine.dialect.name)
    connection = db.session.connection()
    try:
        if marked and writes.insert_with_marks is not None:
            answer_id = connection.execute(writes.insert_with_marks, values | {"marked": marked}).scalar()
        else:
            answer_id = connection.execute(writes.insert_answer, values).scalar()
            if answer_id is not None and marked:
                connection.execute(_marks_insert(len(marked)), _numbered_marks(answer_id, marked))
        if answer_id is None:
            db.session.rollback()
            return Stored(answer=None, created=False)
        db.session.commit()
    except IntegrityError as error:
        # A foreign key refused the write: the player's account is gone (their signed cookie outlived it),
        # or an edit racing the round's first answer deleted a marked statement.
        db.session.rollback()
        if db.session.get(User, values["player_id"]) is None:
            raise AnswerRejected(_("Join first: pick a nickname, then send your answer.")) from error
        raise Conflict() from error
    return _stored(answer_id, values, marked)


def _store_remembered(round_: AnswerableRound, values: dict[str, object], marked: list[int]) -> Stored:
    """Insert an answer to a round nothing was read for, straight through the driver (see quizapp/play/driver.py).

    Nothing is written unless the round row still has the remembered times; if nothing is, or a key refuses
    the write, RoundChanged sends the answer back to be decided on a fresh read, which tells the cases apart.
    """
    engine = db.engine
    writes = _driver_writes(engine.dialect)
    params = values | {"round_created_at": round_.created_at, "opens_at": round_.opens_at,
                       "closes_at": round_.closes_at}
    try:
        with DriverTransaction(engine) as transaction:
            if marked and writes.answer_with_marks is not None:
                row = transaction.run(writes.answer_with_marks, params | {"marked": marked})
            else:
                row = transaction.run(writes.answer, params)
                if row is not None and marked:
                    transaction.run(writes.marks(len(marked)), _numbered_marks(row[0], marked))
            if row is None:
                raise RoundChanged()
            transaction.commit()
    except IntegrityError as error:
        raise RoundChanged() from error
    return _stored(row[0], values, marked)


def _stored(answer_id: int, values: dict[str, object], marked: list[int]) -> Stored:
    # Built from what was written, for the confirmation: no second read.
    answer = PlayerAnswer(answer_id, values["option_id"], values["points"], values["max_points"], frozenset(marked))  # type: ignore[arg-type]
    return Stored(answer=answer, created=True)


class DriverWrites:
    """The remembered round's writes, compiled for one dialect."""

    def __init__(self, dialect: Dialect) -> None:
        writes = _writes(dialect.name)
        self.dialect = dialect
        self.answer = DriverStatement.compile(writes.insert_remembered, dialect)
        # PostgreSQL: the answer and its marks in one statement. SQLite: None, and the marks follow in a second one.
        together = writes.insert_remembered_with_marks
        self.answer_with_marks = None if together is None else DriverStatement.compile(together, dialect)
        self._marks: dict[int, DriverStatement] = {}

    def marks(self, count: int) -> DriverStatement:
        """_marks_insert(count), compiled."""
        statement = self._marks.get(count)
        if statement is None:
            statement = self._marks[count] = DriverStatement.compile(_marks_insert(count), self.dialect)
        return statement


_driver_writes_by_driver: dict[tuple[str, str], DriverWrites] = {}


def _driver_writes(dialect: Dialect) -> DriverWrites:
    key = (dialect.name, dialect.driver)
    writes = _driver_writes_by_driver.get(key)
    if writes is None:
        writes = _driver_writes_by_driver[key] = DriverWrites(dialect)
    return writes


@lru_cache(maxsize=64)
def _marks_insert(count: int) -> Insert:
    """One multi-row INSERT of `count` marks (not a statement per mark), bound by _numbered_marks."""
    rows = [{"answer_id": bindparam("answer_id"), "statement_id": bindparam(f"statement_{i}")} for i in range(count)]
    return insert(Mark.__table__).values(rows)


def _numbered_marks(answer_id: int, marked: list[int]) -> dict[str, int]:
    return {"answer_id": answer_id} | {f"statement_{i}": statement_id for i, statement_id in enumerate(marked)}

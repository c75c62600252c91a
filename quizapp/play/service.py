"""Storing an answer: validated, scored, and made final by the unique constraint."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import Executable, Select, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import Conflict

from quizapp.extensions import db
from quizapp.models import Answer, Mark, Option, Round, RoundRules, Statement, User, utcnow
from quizapp.queries import PlayerAnswer
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
    statements: tuple[Item, ...]
    options: tuple[Item, ...]


@cache
def _answerable_query() -> Select[Any]:
    rounds, statements, options = Round.__table__, Statement.__table__, Option.__table__
    # A round has statements or options, never both, so joining both multiplies no rows.
    return (
        select(
            rounds.c.id, rounds.c.curator_id, rounds.c.kind, rounds.c.published, rounds.c.opens_at,
            rounds.c.closes_at, rounds.c.results_visibility,
            statements.c.id, statements.c.text, statements.c.is_false,
            options.c.id, options.c.text, options.c.is_correct,
        )
        .outerjoin(statements, statements.c.round_id == rounds.c.id)
        .outerjoin(options, options.c.round_id == rounds.c.id)
        .where(rounds.c.id == bindparam("round_id"))
        .order_by(statements.c.position, options.c.position)
    )


def answerable_round(round_id: int) -> AnswerableRound | None:
    """Load what answering the round needs, in one query; None if there is no such round."""
    rows = db.session.execute(_answerable_query(), {"round_id": round_id}).all()
    if not rows:
        return None
    first = rows[0]
    return AnswerableRound(
        *first[:7],
        statements=tuple(Item(row[7], row[8], is_false=row[9]) for row in rows if row[7] is not None),
        options=tuple(Item(row[10], row[11], is_correct=row[12]) for row in rows if row[10] is not None),
    )


class AnswerRejected(ValueError):
    """The answer's shape is wrong; the message is for the player."""


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


def store_facts_answer(round_: AnswerableRound, player_id: int, marked: list[int], at: datetime | None = None) -> Stored:
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
    return _store(round_, values, sorted(set(marked)))


def store_poll_answer(round_: AnswerableRound, player_id: int, option_id: int, at: datetime | None = None) -> Stored:
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
    return _store(round_, values, [])


@cache
def _statements(dialect: str) -> tuple[Executable, Executable, Executable]:
    """The answer path's three writes, built once per dialect so a request only binds its values."""
    answers, marks, rounds = Answer.__table__, Mark.__table__, Round.__table__
    insert_answer = (
        (postgresql_insert if dialect == "postgresql" else sqlite_insert)(answers)
        .on_conflict_do_nothing(index_elements=["round_id", "player_id"])
        .returning(answers.c.id)
    )
    count_answer = (
        update(rounds).where(rounds.c.id == bindparam("counted_round")).values(answer_count=rounds.c.answer_count + 1)
    )
    return insert_answer, insert(marks), count_answer


def _store(round_: AnswerableRound, values: dict[str, object], marked: list[int]) -> Stored:
    """Insert the answer unless the player already has one; the unique (round, player) key decides, not a read."""
    connection = db.session.connection()
    insert_answer, insert_marks, count_answer = _statements(connection.dialect.name)
    try:
        answer_id = connection.execute(insert_answer, values).scalar()
        if answer_id is None:
            db.session.rollback()
            return Stored(answer=None, created=False)
        if marked:
            connection.execute(insert_marks, [{"answer_id": answer_id, "statement_id": i} for i in marked])
        connection.execute(count_answer, {"counted_round": round_.id})
        db.session.commit()
    except IntegrityError as error:
        # A foreign key refused the write: the player's account is gone (their signed cookie outlived it),
        # or an edit racing the round's first answer deleted a marked statement.
        db.session.rollback()
        if db.session.get(User, values["player_id"]) is None:
            raise AnswerRejected(_("Join first: pick a nickname, then send your answer.")) from error
        raise Conflict() from error
    # Built from what was written, for the confirmation: no second read.
    answer = PlayerAnswer(answer_id, values["option_id"], values["points"], values["max_points"], frozenset(marked))  # type: ignore[arg-type]
    return Stored(answer=answer, created=True)

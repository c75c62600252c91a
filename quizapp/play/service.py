"""Storing an answer: validated, scored, and made final by the unique constraint."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import insert, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import Conflict

from quizapp.extensions import begin_write, db
from quizapp.models import Answer, Mark, Round, User, utcnow
from quizapp.rules.scoring import is_valid_facts_marks, score_facts, score_poll


class AnswerRejected(ValueError):
    """The answer's shape is wrong; the message is for the player."""


@dataclass(frozen=True)
class Stored:
    answer: Answer | None
    created: bool


def parse_ids(values: Sequence[str]) -> list[int]:
    """Turn submitted ids into ints, refusing anything that is not a small positive number."""
    ids = []
    for value in values:
        if not value.isascii() or not value.isdigit() or len(value) > 12:
            raise AnswerRejected(_("That statement is not part of this round."))
        ids.append(int(value))
    return ids


def facts_problem(round_: Round, marked: list[int]) -> str | None:
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


def store_facts_answer(round_: Round, player: User, marked: list[int], at: datetime | None = None) -> Stored:
    """Score and store the player's marks; a second answer, racing or not, stores nothing."""
    problem = facts_problem(round_, marked)
    if problem:
        raise AnswerRejected(problem)
    false_ids = {s.id for s in round_.statements if s.is_false}
    values = {
        "round_id": round_.id,
        "player_id": player.id,
        "option_id": None,
        "points": score_facts(false_ids, marked),
        "max_points": len(false_ids),
        "created_at": at or utcnow(),
    }
    return _store(round_, values, sorted(set(marked)))


def store_poll_answer(round_: Round, player: User, option_id: int, at: datetime | None = None) -> Stored:
    """Store the player's vote; a second vote stores nothing."""
    if option_id not in {option.id for option in round_.options}:
        raise AnswerRejected(_("Choose one of the options."))
    correct = next((option.id for option in round_.options if option.is_correct), None)
    values = {
        "round_id": round_.id,
        "player_id": player.id,
        "option_id": option_id,
        "points": score_poll(correct, option_id),
        "max_points": 1 if correct is not None else 0,
        "created_at": at or utcnow(),
    }
    return _store(round_, values, [])


def _store(round_: Round, values: dict[str, object], marked: list[int]) -> Stored:
    """Insert the answer unless the player already has one; the unique (round, player) key decides, not a read."""
    begin_write()
    dialect = db.session.get_bind().dialect.name
    insert_answer = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(Answer)
    statement = (
        insert_answer.values(**values)
        .on_conflict_do_nothing(index_elements=["round_id", "player_id"])
        .returning(Answer.id)
    )
    try:
        answer_id = db.session.execute(statement).scalar()
        if answer_id is None:
            db.session.rollback()
            return Stored(answer=None, created=False)
        if marked:
            db.session.execute(insert(Mark), [{"answer_id": answer_id, "statement_id": i} for i in marked])
        db.session.execute(update(Round).where(Round.id == round_.id).values(answer_count=Round.answer_count + 1))
        db.session.commit()
    except IntegrityError as error:
        # Only a statement deleted by an edit racing the round's first answer gets here.
        db.session.rollback()
        raise Conflict() from error
    # Built from what was written, for the confirmation: no second read.
    answer = Answer(id=answer_id, **values)
    answer.marks = [Mark(answer_id=answer_id, statement_id=i) for i in marked]
    return Stored(answer=answer, created=True)

"""Read-only queries shared by pages: a player's answer, a round's tallies, standings, fingerprints.

Rounds themselves are read by quizapp.snapshots.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import DateTime, Select, bindparam, case, func, select
from sqlalchemy.orm import selectinload

from quizapp.extensions import db
from quizapp.models import Answer, Mark, Round, Statement, User, counted_answers
from quizapp.rules.lifecycle import RoundStatus
from quizapp.rules.ranking import Ranked, Standing, rank_standings
from quizapp.snapshots import RoundSnapshot, status_clause


@dataclass(frozen=True)
class PlayerAnswer:
    """A player's answer as pages show it: what they marked or chose, and their points (shown after the close)."""

    id: int
    option_id: int | None
    points: int
    max_points: int
    marked_ids: frozenset[int]


def player_answer(round_id: int, player_id: int) -> PlayerAnswer | None:
    """The player's answer to the round with its marks, in one query and without ORM objects."""
    answers, marks = Answer.__table__, Mark.__table__
    query = (
        select(answers.c.id, answers.c.option_id, answers.c.points, answers.c.max_points, marks.c.statement_id)
        .outerjoin(marks, marks.c.answer_id == answers.c.id)
        .where(answers.c.round_id == round_id, answers.c.player_id == player_id)
    )
    rows = db.session.execute(query).all()
    if not rows:
        return None
    first = rows[0]
    marked = frozenset(row.statement_id for row in rows if row.statement_id is not None)
    return PlayerAnswer(first.id, first.option_id, first.points, first.max_points, marked)


def answered_round_ids(player_id: int | None, round_ids: Sequence[int]) -> frozenset[int]:
    """Which of these rounds the player has answered, in one query (none for a visitor)."""
    if player_id is None or not round_ids:
        return frozenset()
    answers = Answer.__table__
    query = select(answers.c.round_id).where(answers.c.player_id == player_id, answers.c.round_id.in_(round_ids))
    return frozenset(db.session.scalars(query))


def statement_mark_counts(round_id: int) -> dict[int, int]:
    """How many players marked each statement of the round as false."""
    query = (
        select(Mark.statement_id, func.count())
        .join(Statement, Statement.id == Mark.statement_id)
        .where(Statement.round_id == round_id)
        .group_by(Mark.statement_id)
    )
    return {statement_id: count for statement_id, count in db.session.execute(query)}


def option_vote_counts(round_id: int) -> dict[int, int]:
    """How many players chose each option of the poll."""
    query = select(Answer.option_id, func.count()).where(Answer.round_id == round_id).group_by(Answer.option_id)
    return {option_id: count for option_id, count in db.session.execute(query) if option_id is not None}


def points_histogram(round_id: int) -> dict[int, int]:
    """How many players scored each number of points in the round."""
    query = select(Answer.points, func.count()).where(Answer.round_id == round_id).group_by(Answer.points)
    return {points: count for points, count in db.session.execute(query)}


def _standings(where: Sequence, limit: int | None = None) -> list[Standing]:  # type: ignore[type-arg]
    perfect = func.sum(case((Answer.points == Answer.max_points, 1), else_=0))
    query = (
        select(
            User.id,
            User.username,
            func.sum(Answer.points),
            func.count(Answer.id),
            perfect,
            func.sum(Answer.max_points),
        )
        .join(Answer, Answer.player_id == User.id)
        .join(Round, Round.id == Answer.round_id)
        .where(Answer.max_points > 0, *where)
        .group_by(User.id, User.username)
        .order_by(func.sum(Answer.points).desc(), User.id)
    )
    if limit is not None:
        query = query.limit(limit)
    return [
        Standing(player_id=pid, name=name, points=int(points), rounds=int(rounds), perfect=int(perf), max_points=int(maxp))
        for pid, name, points, rounds, perf, maxp in db.session.execute(query)
    ]


def round_leaderboard(round_id: int) -> list[Ranked]:
    """Every player of one round, ranked."""
    return rank_standings(_standings([Answer.round_id == round_id]))


def overall_leaderboard(now: datetime) -> list[Ranked]:
    """Every player across all closed scored rounds, ranked."""
    return rank_standings(_standings([status_clause(RoundStatus.CLOSED, now)]))


def series_leaderboard(series_id: int, now: datetime) -> list[Ranked]:
    """Players across the closed rounds of one series, ranked."""
    return rank_standings(_standings([status_clause(RoundStatus.CLOSED, now), Round.series_id == series_id]))


def round_answers(round_id: int) -> Sequence[Answer]:
    """Every answer of the round with its player and marks, oldest first."""
    query = (
        select(Answer)
        .where(Answer.round_id == round_id)
        .options(selectinload(Answer.marks), selectinload(Answer.player))
        .order_by(Answer.created_at, Answer.id)
    )
    return db.session.scalars(query).all()


# Answers are judged by when they arrived (rules/lifecycle.py), so one that arrived before a close can still
# commit after it, within a worker's request timeout (30 s, gunicorn_conf.py). Ten minutes after its close a
# round's answers no longer change.
LATE_ANSWERS = timedelta(minutes=10)


@cache
def _fingerprint_query() -> Select[Any]:
    # Built once: asked on every overall leaderboard page, before anything kept can be served.
    conditions = [status_clause(RoundStatus.CLOSED, bindparam("now", type_=DateTime(timezone=True)))]
    # Only the rounds that closed lately are counted: summing every closed round's tally took 12 ms on
    # PostgreSQL for 300 rounds; CASE spares the others' lookup.
    recent = Round.closes_at > bindparam("late_after", type_=DateTime(timezone=True))
    return select(
        func.count(Round.id), func.coalesce(func.sum(case((recent, counted_answers(Round.id)), else_=0)), 0),
        func.max(Round.closes_at), func.max(Round.id),
    ).where(*conditions)


def fingerprint_of(rounds: Sequence[RoundSnapshot], now: datetime) -> tuple[object, ...]:
    """The fingerprint of the closed ones among rounds already read (a series page's), without a query."""
    closed = [round_ for round_ in rounds if round_.status(now) is RoundStatus.CLOSED]
    return (len(closed), sum(round_.answer_count for round_ in closed),
            max((round_.closes_at for round_ in closed if round_.closes_at), default=None),
            max((round_.id for round_ in closed), default=None))


def closed_rounds_fingerprint(now: datetime) -> tuple[object, ...]:
    """A cheap fingerprint of all closed rounds: it changes whenever the overall leaderboard would. A round
    closing, one deleted, an answer that arrived before a close and committed after it."""
    params = {"now": now, "late_after": now - LATE_ANSWERS}
    return tuple(db.session.execute(_fingerprint_query(), params).one())


def shared_answer(round_id: int, answer_id: int) -> tuple[PlayerAnswer, str] | None:
    """An answer to the round with its player's name, as a shared result shows it; None if it is not the round's."""
    answers, marks = Answer.__table__, Mark.__table__
    query = (
        select(answers.c.option_id, answers.c.points, answers.c.max_points, marks.c.statement_id, User.username)
        .join(User, User.id == answers.c.player_id)
        .outerjoin(marks, marks.c.answer_id == answers.c.id)
        .where(answers.c.id == answer_id, answers.c.round_id == round_id)
    )
    rows = db.session.execute(query).all()
    if not rows:
        return None
    first = rows[0]
    marked = frozenset(row.statement_id for row in rows if row.statement_id is not None)
    return PlayerAnswer(answer_id, first.option_id, first.points, first.max_points, marked), first.username

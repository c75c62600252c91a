"""Read-only queries shared by pages: round lists, answers, aggregates, standings."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, and_, bindparam, case, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from quizapp.extensions import db
from quizapp.models import Answer, Mark, Option, Round, RoundRules, Series, Statement, User
from quizapp.paging import Page, page_of
from quizapp.rules.lifecycle import RoundStatus, as_utc, round_status
from quizapp.rules.ranking import Ranked, Standing, rank_standings


def _open_clause(now: datetime):  # type: ignore[no-untyped-def]
    return and_(
        Round.published.is_(True),
        or_(Round.opens_at.is_(None), Round.opens_at <= now),
        Round.closes_at > now,
    )


def closed_clause(now: datetime):  # type: ignore[no-untyped-def]
    """SQL condition for rounds that have closed by now."""
    return and_(Round.published.is_(True), Round.closes_at <= now)


def open_rounds(now: datetime, page: int = 1) -> Page[Round]:
    """A page of the rounds taking answers now, closing soonest first."""
    return page_of(select(Round).where(_open_clause(now)).order_by(Round.closes_at, Round.id), page)


def upcoming_rounds(now: datetime, page: int = 1) -> Page[Round]:
    """A page of the published rounds that have not opened yet, opening soonest first."""
    query = select(Round).where(Round.published.is_(True), Round.opens_at > now).order_by(Round.opens_at, Round.id)
    return page_of(query, page)


def recently_closed_rounds(now: datetime, limit: int = 10) -> Sequence[Round]:
    """The latest closed rounds, newest first."""
    query = select(Round).where(closed_clause(now)).order_by(Round.closes_at.desc(), Round.id.desc()).limit(limit)
    return db.session.scalars(query).all()


def round_with_items(round_id: int) -> Round | None:
    """Load a round with its statements or options and its series in one query."""
    # A round has statements or options, never both, so joining both multiplies no rows.
    query = (
        select(Round)
        .where(Round.id == round_id)
        .options(joinedload(Round.statements), joinedload(Round.options), joinedload(Round.series))
    )
    return db.session.scalars(query).unique().one_or_none()


@dataclass(frozen=True)
class SeriesView:
    id: int
    title: str


@dataclass(frozen=True)
class StatementView:
    id: int
    text: str
    is_false: bool
    explanation: str


@dataclass(frozen=True)
class OptionView:
    id: int
    text: str
    is_correct: bool


@dataclass(frozen=True)
class RoundView(RoundRules):
    """A round as its read-only pages show it (the reveal, results.json, its leaderboard), with no ORM objects.

    These are the pages a shared link brings everybody to: building a Round, its series and its statements
    in the session costs more than the query itself, and nothing here is changed or lazily loaded.
    """

    id: int
    curator_id: int
    series: SeriesView | None
    kind: str
    title: str
    intro: str
    published: bool
    opens_at: datetime | None
    closes_at: datetime | None
    results_visibility: str
    answer_count: int
    statements: tuple[StatementView, ...]
    options: tuple[OptionView, ...]


@cache
def _round_view_query() -> Select[Any]:
    rounds, series, statements, options = Round.__table__, Series.__table__, Statement.__table__, Option.__table__
    # As in round_with_items: statements or options, never both, so the joins multiply no rows.
    return (
        select(
            rounds.c.id, rounds.c.curator_id, rounds.c.kind, rounds.c.title, rounds.c.intro, rounds.c.published,
            rounds.c.opens_at, rounds.c.closes_at, rounds.c.results_visibility, rounds.c.answer_count,
            series.c.id.label("series_id"), series.c.title.label("series_title"),
            statements.c.id.label("statement_id"), statements.c.text.label("statement_text"), statements.c.is_false,
            statements.c.explanation,
            options.c.id.label("option_id"), options.c.text.label("option_text"), options.c.is_correct,
        )
        .outerjoin(series, series.c.id == rounds.c.series_id)
        .outerjoin(statements, statements.c.round_id == rounds.c.id)
        .outerjoin(options, options.c.round_id == rounds.c.id)
        .where(rounds.c.id == bindparam("round_id"))
        .order_by(statements.c.position, statements.c.id, options.c.position, options.c.id)
    )


def round_view(round_id: int) -> RoundView | None:
    """The round with its series and its statements or options, in one query and without ORM objects."""
    rows = db.session.execute(_round_view_query(), {"round_id": round_id}).all()
    if not rows:
        return None
    first = rows[0]
    return RoundView(
        id=first.id, curator_id=first.curator_id,
        series=SeriesView(first.series_id, first.series_title) if first.series_id is not None else None,
        kind=first.kind, title=first.title, intro=first.intro, published=first.published,
        opens_at=first.opens_at, closes_at=first.closes_at, results_visibility=first.results_visibility,
        answer_count=first.answer_count,
        statements=tuple(StatementView(row.statement_id, row.statement_text, row.is_false, row.explanation)
                         for row in rows if row.statement_id is not None),
        options=tuple(OptionView(row.option_id, row.option_text, row.is_correct)
                      for row in rows if row.option_id is not None),
    )


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
    return rank_standings(_standings([closed_clause(now)]))


def series_leaderboard(series_id: int, now: datetime) -> list[Ranked]:
    """Players across the closed rounds of one series, ranked."""
    return rank_standings(_standings([closed_clause(now), Round.series_id == series_id]))


def round_answers(round_id: int) -> Sequence[Answer]:
    """Every answer of the round with its player and marks, oldest first."""
    query = (
        select(Answer)
        .where(Answer.round_id == round_id)
        .options(selectinload(Answer.marks), selectinload(Answer.player))
        .order_by(Answer.created_at, Answer.id)
    )
    return db.session.scalars(query).all()


def closed_rounds_version(now: datetime) -> tuple[object, ...]:
    """A cheap fingerprint of the closed rounds: it changes whenever a leaderboard over them would."""
    query = select(
        func.count(Round.id), func.coalesce(func.sum(Round.answer_count), 0), func.max(Round.closes_at), func.max(Round.id)
    ).where(closed_clause(now))
    return tuple(db.session.execute(query).one())


@dataclass(frozen=True)
class ListedRound:
    """A published round as a list of rounds shows it, with what its closed-rounds fingerprint needs."""

    id: int
    title: str
    opens_at: datetime | None
    closes_at: datetime | None
    answer_count: int

    def status(self, now: datetime) -> RoundStatus:
        return round_status(True, self.opens_at, self.closes_at, now)

    def closed_by(self, now: datetime) -> bool:
        """closed_clause, in Python: what the leaderboards over closed rounds count."""
        return self.closes_at is not None and as_utc(self.closes_at) <= now


@cache
def _series_query() -> Select[Any]:
    series, rounds = Series.__table__, Round.__table__
    return (
        select(
            series.c.id, series.c.title, rounds.c.id.label("round_id"), rounds.c.title.label("round_title"),
            rounds.c.opens_at, rounds.c.closes_at, rounds.c.answer_count,
        )
        .outerjoin(rounds, and_(rounds.c.series_id == series.c.id, rounds.c.published.is_(True)))
        .where(series.c.id == bindparam("series_id"))
        .order_by(rounds.c.opens_at, rounds.c.id)
    )


def series_with_rounds(series_id: int) -> tuple[SeriesView, list[ListedRound]] | None:
    """The series and its published rounds, opening first, in one query; None if there is no such series."""
    rows = db.session.execute(_series_query(), {"series_id": series_id}).all()
    if not rows:
        return None
    rounds = [
        ListedRound(row.round_id, row.round_title, row.opens_at, row.closes_at, row.answer_count)
        for row in rows if row.round_id is not None
    ]
    return SeriesView(rows[0].id, rows[0].title), rounds


def closed_version(rounds: Sequence[ListedRound], now: datetime) -> tuple[object, ...]:
    """closed_rounds_version over rounds already read: the same four figures, with no query of its own."""
    closed = [round_ for round_ in rounds if round_.closed_by(now)]
    return (
        len(closed),
        sum(round_.answer_count for round_ in closed),
        max((as_utc(round_.closes_at) for round_ in closed if round_.closes_at is not None), default=None),
        max((round_.id for round_ in closed), default=None),
    )

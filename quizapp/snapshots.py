"""A round as every page reads it: one frozen snapshot from one loader.

The ORM model (quizapp.models.Round) is for writing: the editor, the import, the command line. Everything that
only reads a round (the home page, the round page, the answer, the reveal, results.json, leaderboards, the
dashboard's list) reads a RoundSnapshot: the round, its host's name, its series, and its statements or options,
in one Core query with no ORM objects to build. Lists read the same type without statements or options.
What the fields mean (status, false count, points, who sees the tally) lives in quizapp.rules.rounds.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, func, not_, or_, select, true

from quizapp.extensions import db
from quizapp.models import AnswerTally, Option, Round, Series, Statement, User, counted_answers, utcnow
from quizapp.paging import PER_PAGE, Page
from quizapp.rules import rounds as rules
from quizapp.rules.lifecycle import RoundStatus, as_utc


@dataclass(frozen=True)
class SeriesRef:
    id: int
    title: str


@dataclass(frozen=True)
class StatementSnapshot:
    id: int
    text: str
    is_false: bool
    explanation: str


@dataclass(frozen=True)
class OptionSnapshot:
    id: int
    text: str
    is_correct: bool


@dataclass(frozen=True)
class RoundSnapshot:
    """A round as it was read; its times are aware UTC. Lists leave statements and options empty."""

    id: int
    curator_id: int
    host_name: str
    series: SeriesRef | None
    kind: str
    title: str
    intro: str
    published: bool
    opens_at: datetime | None
    closes_at: datetime | None
    results_visibility: str
    answer_count: int
    created_at: datetime
    statements: tuple[StatementSnapshot, ...] = ()
    options: tuple[OptionSnapshot, ...] = ()

    # The rules' answers as attributes, for templates; each is the function of quizapp.rules.rounds.
    def status(self, now: datetime | None = None) -> RoundStatus:
        return rules.status(self, now or utcnow())

    @property
    def is_facts(self) -> bool:
        return rules.is_facts(self)

    @property
    def false_count(self) -> int:
        return rules.false_count(self)

    @property
    def is_quiz(self) -> bool:
        return rules.is_quiz(self)

    @property
    def is_scored(self) -> bool:
        return rules.is_scored(self)

    @property
    def max_points(self) -> int:
        return rules.max_points(self)


def status_clause(status: RoundStatus, now: datetime | ColumnElement[Any]) -> ColumnElement[bool]:
    """The SQL condition for rounds in that status at now (a time, or a bound parameter for one):
    rules.lifecycle.round_status, written as SQL."""
    rounds = Round.__table__
    published = rounds.c.published.is_(True)
    started = or_(rounds.c.opens_at.is_(None), rounds.c.opens_at <= now)
    ended = and_(rounds.c.closes_at.is_not(None), rounds.c.closes_at <= now)
    if status is RoundStatus.DRAFT:
        return not_(published)
    if status is RoundStatus.SCHEDULED:
        return and_(published, not_(started))
    if status is RoundStatus.OPEN:
        return and_(published, started, not_(ended))
    return and_(published, started, ended)


def _round_columns() -> list[Any]:
    rounds, series, users = Round.__table__, Series.__table__, User.__table__
    return [
        rounds.c.id, rounds.c.curator_id, users.c.username.label("host_name"), series.c.id.label("series_id"),
        series.c.title.label("series_title"), rounds.c.kind, rounds.c.title, rounds.c.intro, rounds.c.published,
        rounds.c.opens_at, rounds.c.closes_at, rounds.c.results_visibility, rounds.c.created_at,
    ]


def _rounds_without_count() -> Select[Any]:
    rounds, series, users = Round.__table__, Series.__table__, User.__table__
    return (
        select(*_round_columns())
        .join(users, users.c.id == rounds.c.curator_id)
        .outerjoin(series, series.c.id == rounds.c.series_id)
    )


@cache
def _rounds_query() -> Select[Any]:
    return _rounds_without_count().add_columns(counted_answers(Round.__table__.c.id).label("answer_count"))


@cache
def _round_query() -> Select[Any]:
    rounds, statements, options = Round.__table__, Statement.__table__, Option.__table__
    tally = AnswerTally.__table__
    # Summed once and joined to every row: as a column it would be summed again for each statement.
    counted = (select(func.coalesce(func.sum(tally.c.answers), 0).label("answer_count"))
               .where(tally.c.round_id == bindparam("round_id")).subquery("counted"))
    # A round has statements or options, never both, so joining both multiplies no rows.
    return (
        _rounds_without_count()
        .join(counted, true())
        .add_columns(
            counted.c.answer_count,
            statements.c.id.label("statement_id"), statements.c.text.label("statement_text"), statements.c.is_false,
            statements.c.explanation,
            options.c.id.label("option_id"), options.c.text.label("option_text"), options.c.is_correct,
        )
        .outerjoin(statements, statements.c.round_id == rounds.c.id)
        .outerjoin(options, options.c.round_id == rounds.c.id)
        .where(rounds.c.id == bindparam("round_id"))
        .order_by(statements.c.position, statements.c.id, options.c.position, options.c.id)
    )


def _snapshot(row: Any, statements: tuple[StatementSnapshot, ...] = (),
              options: tuple[OptionSnapshot, ...] = ()) -> RoundSnapshot:
    return RoundSnapshot(
        id=row.id, curator_id=row.curator_id, host_name=row.host_name,
        series=SeriesRef(row.series_id, row.series_title) if row.series_id is not None else None,
        kind=row.kind, title=row.title, intro=row.intro, published=row.published,
        # As aware UTC, as utcnow() gives: status checks on every answer compare them as they are.
        opens_at=row.opens_at and as_utc(row.opens_at), closes_at=row.closes_at and as_utc(row.closes_at),
        results_visibility=row.results_visibility, answer_count=row.answer_count,
        created_at=as_utc(row.created_at), statements=statements, options=options,
    )


def load_round(round_id: int) -> RoundSnapshot | None:
    """The round with its host, series and statements or options, in one query; None if there is none."""
    rows = db.session.execute(_round_query(), {"round_id": round_id}).all()
    if not rows:
        return None
    statements = tuple(StatementSnapshot(row.statement_id, row.statement_text, row.is_false, row.explanation)
                       for row in rows if row.statement_id is not None)
    options = tuple(OptionSnapshot(row.option_id, row.option_text, row.is_correct)
                    for row in rows if row.option_id is not None)
    return _snapshot(rows[0], statements, options)


def load_rounds(*conditions: ColumnElement[bool], order_by: Sequence[Any], limit: int | None = None,
                offset: int = 0) -> list[RoundSnapshot]:
    """Rounds matching the conditions, without statements or options, in one query."""
    query = _rounds_query().where(*conditions).order_by(*order_by).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return [_snapshot(row) for row in db.session.execute(query)]


@cache
def _series_query() -> Select[Any]:
    rounds = Round.__table__
    return (
        _rounds_query()
        .where(rounds.c.series_id == bindparam("series_id"), rounds.c.published.is_(True))
        .order_by(rounds.c.opens_at, rounds.c.id)
    )


def series_rounds(series_id: int) -> list[RoundSnapshot]:
    """The published rounds of a series, opening first (each names the series), in one query built once."""
    return [_snapshot(row) for row in db.session.execute(_series_query(), {"series_id": series_id})]


def rounds_page(*conditions: ColumnElement[bool], order_by: Sequence[Any], page: int,
                per_page: int = PER_PAGE) -> Page[RoundSnapshot]:
    """One page of the rounds matching the conditions; a page past the end shows the last one."""
    total = db.session.scalar(select(func.count()).select_from(Round).where(*conditions)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    items = load_rounds(*conditions, order_by=order_by, limit=per_page, offset=(page - 1) * per_page)
    return Page(items=items, page=page, pages=pages)


def rounds_in(status: RoundStatus, now: datetime, page: int = 1, per_page: int = PER_PAGE) -> Page[RoundSnapshot]:
    """A page of the published rounds in that status at now, as the home page lists them: the next to change
    first (closing soonest, opening soonest), and the closed ones newest first."""
    rounds = Round.__table__
    order: dict[RoundStatus, list[Any]] = {
        RoundStatus.OPEN: [rounds.c.closes_at, rounds.c.id],
        RoundStatus.SCHEDULED: [rounds.c.opens_at, rounds.c.id],
        RoundStatus.CLOSED: [rounds.c.closes_at.desc(), rounds.c.id.desc()],
    }
    return rounds_page(status_clause(status, now), order_by=order[status], page=page, per_page=per_page)

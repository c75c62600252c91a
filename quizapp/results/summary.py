"""A closed round's aggregates, gathered in a fixed number of queries for the page and the JSON."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import format_decimal

from quizapp import queries
from quizapp.models import Option, Round, Statement
from quizapp.rules.percent import tenths
from quizapp.rules.ranking import Ranked
from quizapp.rules.reveal import FactsSummary, StatementStat, summarise_facts


def percent_text(value: int) -> str:
    """Tenths of a percent in the viewer's locale, one decimal always (18.5 in English, 18,5 in Russian)."""
    return format_decimal(Decimal(value) / 10, format="0.0")


@dataclass(frozen=True)
class StatementResult:
    statement: Statement
    stat: StatementStat

    @property
    def percent(self) -> str:
        return percent_text(self.stat.tenths)


@dataclass(frozen=True)
class OptionResult:
    option: Option
    votes: int
    tenths: int

    @property
    def percent(self) -> str:
        return percent_text(self.tenths)


@dataclass(frozen=True)
class RoundResults:
    round: Round
    players: int
    statements: list[StatementResult]
    facts: FactsSummary | None
    options: list[OptionResult]
    leaderboard: list[Ranked]


def facts_results(round_: Round) -> tuple[list[StatementResult], FactsSummary]:
    """Per-statement counts and the round's summary."""
    counts = queries.statement_mark_counts(round_.id)
    histogram = queries.points_histogram(round_.id)
    players = sum(histogram.values())
    points = [value for value, count in sorted(histogram.items()) for _ in range(count)]
    summary = summarise_facts([(s.id, s.is_false) for s in round_.statements], counts, points)
    rows = [
        StatementResult(
            statement=s,
            stat=StatementStat(statement_id=s.id, is_false=s.is_false, marked_false=counts.get(s.id, 0), players=players),
        )
        for s in round_.statements
    ]
    return rows, summary


def poll_results(round_: Round) -> list[OptionResult]:
    """Votes per option with percentages that add up to exactly 100.0."""
    votes = queries.option_vote_counts(round_.id)
    counts = [votes.get(option.id, 0) for option in round_.options]
    return [
        OptionResult(option=option, votes=count, tenths=share)
        for option, count, share in zip(round_.options, counts, tenths(counts), strict=True)
    ]


def round_results(round_: Round) -> RoundResults:
    """Everything the reveal page and results.json show for a closed round."""
    if round_.is_facts:
        statements, facts = facts_results(round_)
        options: list[OptionResult] = []
        players = facts.players
    else:
        statements, facts = [], None
        options = poll_results(round_)
        players = sum(row.votes for row in options)
    leaderboard = queries.round_leaderboard(round_.id) if round_.is_scored else []
    return RoundResults(round_, players, statements, facts, options, leaderboard)

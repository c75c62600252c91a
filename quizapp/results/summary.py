"""A closed round's aggregates, gathered in a fixed number of queries for the page and the JSON."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from quizapp import queries
from quizapp.cache import cached
from quizapp.models import Option, Round, Statement
from quizapp.queries import OptionView, RoundView, StatementView
from quizapp.rules.lifecycle import RoundStatus
from quizapp.rules.percent import tenths
from quizapp.rules.ranking import Ranked
from quizapp.rules.reveal import FactsSummary, StatementStat, summarise_facts
from quizapp.web import number_text

# The round page and the live tallies pass the ORM round; the read-only pages of a closed round its light view.
AnyRound = Round | RoundView


def percent_text(value: int) -> str:
    """Tenths of a percent in the viewer's locale, one decimal always (18.5 in English, 18,5 in Russian)."""
    return number_text(Decimal(value) / 10, format="0.0")


@dataclass(frozen=True)
class StatementResult:
    statement: Statement | StatementView
    stat: StatementStat

    @property
    def percent(self) -> str:
        return percent_text(self.stat.tenths)


@dataclass(frozen=True)
class OptionResult:
    option: Option | OptionView
    votes: int
    tenths: int

    @property
    def percent(self) -> str:
        return percent_text(self.tenths)


@dataclass(frozen=True)
class RoundResults:
    round: AnyRound
    players: int
    statements: list[StatementResult]
    facts: FactsSummary | None
    options: list[OptionResult]
    leaderboard: list[Ranked]


@dataclass(frozen=True)
class Tallies:
    """What players did in a round, without the round's own text: safe to keep once the round has closed."""

    mark_counts: dict[int, int]
    histogram: dict[int, int]
    votes: dict[int, int]
    leaderboard: list[Ranked]
    facts: FactsSummary | None  # kept with the counts: summarising walks every player's points


def count_round(round_: AnyRound) -> Tallies:
    """Count the round's answers in a fixed number of queries."""
    mark_counts = queries.statement_mark_counts(round_.id) if round_.is_facts else {}
    histogram = queries.points_histogram(round_.id) if round_.is_facts else {}
    facts = None
    if round_.is_facts:
        points = [value for value, count in sorted(histogram.items()) for _ in range(count)]
        facts = summarise_facts([(s.id, s.is_false) for s in round_.statements], mark_counts, points)
    return Tallies(
        mark_counts=mark_counts,
        histogram=histogram,
        votes={} if round_.is_facts else queries.option_vote_counts(round_.id),
        leaderboard=queries.round_leaderboard(round_.id) if round_.is_scored else [],
        facts=facts,
    )


def round_tallies(round_: AnyRound) -> Tallies:
    """The round's tallies; a closed round's are counted once per process, not per request."""
    if round_.status() is not RoundStatus.CLOSED:
        return count_round(round_)
    # After the close only an answer that arrived before it and committed late can change the counts,
    # and that also moves answer_count.
    key = ("tallies", round_.id, round_.closes_at_utc, round_.answer_count)
    return cached(key, lambda: count_round(round_))


def facts_results(round_: AnyRound, tallies: Tallies) -> tuple[list[StatementResult], FactsSummary]:
    """Per-statement counts and the round's summary."""
    counts, summary = tallies.mark_counts, tallies.facts
    assert summary is not None, "a facts round's tallies carry its summary"
    players = sum(tallies.histogram.values())
    rows = [
        StatementResult(
            statement=s,
            stat=StatementStat(statement_id=s.id, is_false=s.is_false, marked_false=counts.get(s.id, 0), players=players),
        )
        for s in round_.statements
    ]
    return rows, summary


def poll_results(round_: AnyRound, tallies: Tallies) -> list[OptionResult]:
    """Votes per option with percentages that add up to exactly 100.0."""
    counts = [tallies.votes.get(option.id, 0) for option in round_.options]
    return [
        OptionResult(option=option, votes=count, tenths=share)
        for option, count, share in zip(round_.options, counts, tenths(counts), strict=True)
    ]


def round_results(round_: AnyRound) -> RoundResults:
    """Everything the reveal page and results.json show for a closed round."""
    tallies = round_tallies(round_)
    if round_.is_facts:
        statements, facts = facts_results(round_, tallies)
        options: list[OptionResult] = []
        players = facts.players
    else:
        statements, facts = [], None
        options = poll_results(round_, tallies)
        players = sum(row.votes for row in options)
    return RoundResults(round_, players, statements, facts, options, tallies.leaderboard)

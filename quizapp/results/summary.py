"""A closed round's aggregates, gathered in a fixed number of queries for the page and the JSON."""
from __future__ import annotations

from dataclasses import dataclass

from quizapp import queries, versions
from quizapp.cache import cached
from quizapp.models import utcnow
from quizapp.rules import rounds as rules
from quizapp.rules.percent import tenths
from quizapp.rules.ranking import Ranked
from quizapp.rules.reveal import FactsSummary, StatementStat, summarise_facts
from quizapp.snapshots import OptionSnapshot, RoundSnapshot, StatementSnapshot
from quizapp.web import percent_from_tenths


@dataclass(frozen=True)
class StatementResult:
    statement: StatementSnapshot
    stat: StatementStat

    @property
    def percent(self) -> str:
        return percent_from_tenths(self.stat.tenths)


@dataclass(frozen=True)
class OptionResult:
    option: OptionSnapshot
    votes: int
    tenths: int

    @property
    def percent(self) -> str:
        return percent_from_tenths(self.tenths)


@dataclass(frozen=True)
class RoundResults:
    round: RoundSnapshot
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


def count_round(round_: RoundSnapshot) -> Tallies:
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


def round_tallies(round_: RoundSnapshot) -> Tallies:
    """The round's tallies; a closed round's are counted once per process, not per request."""
    if not rules.results_public(round_, utcnow()):
        return count_round(round_)
    return cached(versions.tallies_key(round_), lambda: count_round(round_))


def facts_results(round_: RoundSnapshot, tallies: Tallies) -> tuple[list[StatementResult], FactsSummary]:
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


def poll_results(round_: RoundSnapshot, tallies: Tallies) -> list[OptionResult]:
    """Votes per option with percentages that add up to exactly 100.0."""
    counts = [tallies.votes.get(option.id, 0) for option in round_.options]
    return [
        OptionResult(option=option, votes=count, tenths=share)
        for option, count, share in zip(round_.options, counts, tenths(counts), strict=True)
    ]


def round_results(round_: RoundSnapshot) -> RoundResults:
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

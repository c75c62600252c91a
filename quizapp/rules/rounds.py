"""What a round's fields mean: its kind, its points, who sees its tally and when, and when it is locked.

Pure functions over anything shaped like a round (the frozen snapshot pages read, or the ORM model the editor
writes), so both ask the same questions and get the same answers.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from quizapp.rules.lifecycle import RoundStatus, round_status


class RoundKind(StrEnum):
    FACTS = "facts"
    POLL = "poll"


class ResultsVisibility(StrEnum):
    """When voters of an opinion poll see its tally: right after voting, or only at the reveal."""

    AFTER_VOTE = "after_vote"
    AFTER_CLOSE = "after_close"


class StatementLike(Protocol):
    @property
    def is_false(self) -> bool: ...


class OptionLike(Protocol):
    @property
    def is_correct(self) -> bool: ...


class HostedLike(Protocol):
    @property
    def curator_id(self) -> int: ...


class RoundLike(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def published(self) -> bool: ...
    @property
    def opens_at(self) -> datetime | None: ...
    @property
    def closes_at(self) -> datetime | None: ...
    @property
    def results_visibility(self) -> str: ...
    @property
    def answer_count(self) -> int: ...
    @property
    def statements(self) -> Sequence[StatementLike]: ...
    @property
    def options(self) -> Sequence[OptionLike]: ...


def status(round_: RoundLike, now: datetime) -> RoundStatus:
    """Where the round stands at now (see rules.lifecycle.round_status)."""
    return round_status(round_.published, round_.opens_at, round_.closes_at, now)


def is_facts(round_: RoundLike) -> bool:
    return round_.kind == RoundKind.FACTS


def false_count(round_: RoundLike) -> int:
    """How many statements are false: how many marks a player must make."""
    return sum(1 for statement in round_.statements if statement.is_false)


def is_quiz(round_: RoundLike) -> bool:
    """A poll with a correct option: scored, and its results hidden until the close."""
    return round_.kind == RoundKind.POLL and any(option.is_correct for option in round_.options)


def is_scored(round_: RoundLike) -> bool:
    """Facts rounds and quiz polls score points and appear on leaderboards; opinion polls do not."""
    return is_facts(round_) or is_quiz(round_)


def max_points(round_: RoundLike) -> int:
    """One point per false statement, one for a quiz poll's correct option, none for an opinion poll."""
    if is_facts(round_):
        return false_count(round_)
    return 1 if is_quiz(round_) else 0


def shows_tally_after_vote(round_: RoundLike) -> bool:
    """An opinion poll whose curator lets voters see the tally right after voting, before the close."""
    return (
        round_.kind == RoundKind.POLL
        and not is_quiz(round_)
        and round_.results_visibility == ResultsVisibility.AFTER_VOTE
    )


def results_visibility_for(quiz: bool, chosen: str | None) -> ResultsVisibility:
    """What a poll stores as its visibility: a quiz keeps its results until the close, whatever was chosen."""
    if quiz:
        return ResultsVisibility.AFTER_CLOSE
    return ResultsVisibility(chosen) if chosen in set(ResultsVisibility) else ResultsVisibility.AFTER_VOTE


def voter_sees_tally(round_: RoundLike, now: datetime, *, has_answered: bool) -> bool:
    """Whether the tally shows beside a player's own vote: only on a poll that shows it after the vote, once voted.

    A facts round's tally and a quiz poll's never show before the close (see results_public).
    """
    live = status(round_, now) in (RoundStatus.OPEN, RoundStatus.CLOSED)
    return has_answered and live and shows_tally_after_vote(round_)


def results_public(round_: RoundLike, now: datetime) -> bool:
    """The reveal, results.json and the round's leaderboard are public from the close on, and never before."""
    return status(round_, now) is RoundStatus.CLOSED


def is_locked(round_: RoundLike, now: datetime) -> bool:
    """Statements, truth marks and options are fixed once anyone has answered, and for good once it has closed."""
    return round_.answer_count > 0 or status(round_, now) is RoundStatus.CLOSED


def hosts(round_: HostedLike) -> frozenset[int]:
    """Who hosts the round: its curator (co-hosts join here once they exist)."""
    return frozenset({round_.curator_id})


def may_answer(round_: HostedLike, player_id: int) -> bool:
    """Nobody answers a round they host: they know its answer key, and would top its leaderboard."""
    return player_id not in hosts(round_)

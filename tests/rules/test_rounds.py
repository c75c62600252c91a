"""What a round's fields mean, asked of plain values: the same answers for the snapshot and the ORM model."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from quizapp.rules import rounds
from quizapp.rules.lifecycle import RoundStatus
from quizapp.rules.rounds import ResultsVisibility, RoundKind

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Item:
    is_false: bool = False
    is_correct: bool = False


@dataclass(frozen=True)
class Shape:
    kind: str = RoundKind.FACTS
    published: bool = True
    opens_at: datetime | None = NOW - HOUR
    closes_at: datetime | None = NOW + HOUR
    results_visibility: str = ResultsVisibility.AFTER_CLOSE
    answer_count: int = 0
    statements: tuple[Item, ...] = field(default=(Item(True), Item(False), Item(False), Item(True)))
    options: tuple[Item, ...] = ()


def poll(correct: int | None = None, results: str = ResultsVisibility.AFTER_VOTE, **times: object) -> Shape:
    options = tuple(Item(is_correct=i == correct) for i in range(3))
    return Shape(kind=RoundKind.POLL, statements=(), options=options, results_visibility=results, **times)  # type: ignore[arg-type]


CLOSED = {"opens_at": NOW - 2 * HOUR, "closes_at": NOW - HOUR}
SCHEDULED = {"opens_at": NOW + HOUR, "closes_at": NOW + 2 * HOUR}


def test_a_facts_round_counts_its_false_statements_and_scores_one_point_each():
    round_ = Shape()
    assert rounds.is_facts(round_) and not rounds.is_quiz(round_)
    assert rounds.false_count(round_) == 2
    assert rounds.is_scored(round_)
    assert rounds.max_points(round_) == 2


def test_a_poll_with_a_correct_option_is_a_scored_quiz_worth_one_point():
    quiz = poll(correct=1)
    assert rounds.is_quiz(quiz) and rounds.is_scored(quiz) and rounds.max_points(quiz) == 1
    assert rounds.false_count(quiz) == 0


def test_an_opinion_poll_scores_nothing_and_is_on_no_leaderboard():
    opinion = poll()
    assert not rounds.is_quiz(opinion) and not rounds.is_scored(opinion) and rounds.max_points(opinion) == 0


@pytest.mark.parametrize(
    ("round_", "shows"),
    [
        (poll(), True),
        (poll(results=ResultsVisibility.AFTER_CLOSE), False),
        # A quiz keeps its results until the close, whatever the curator chose: voters would learn the answer.
        (poll(correct=0), False),
        (poll(correct=0, results=ResultsVisibility.AFTER_CLOSE), False),
        # A facts round never shows a tally before the close, even if its stored visibility said so.
        (Shape(results_visibility=ResultsVisibility.AFTER_VOTE), False),
    ],
)
def test_only_an_opinion_poll_asking_for_it_shows_its_tally_after_the_vote(round_, shows):
    assert rounds.shows_tally_after_vote(round_) is shows
    assert rounds.voter_sees_tally(round_, NOW, has_answered=True) is shows


def test_the_tally_after_the_vote_is_for_voters_only_and_never_before_the_round_opens():
    assert not rounds.voter_sees_tally(poll(), NOW, has_answered=False)
    assert not rounds.voter_sees_tally(poll(**SCHEDULED), NOW, has_answered=True)
    assert rounds.voter_sees_tally(poll(**CLOSED), NOW, has_answered=True)
    assert not rounds.voter_sees_tally(poll(published=False), NOW, has_answered=True)


@pytest.mark.parametrize(
    ("times", "public"),
    [({}, False), (SCHEDULED, False), (CLOSED, True), ({"closes_at": NOW}, True), ({"closes_at": NOW + timedelta(microseconds=1)}, False)],
)
def test_results_are_public_from_the_close_on_and_never_before(times, public):
    assert rounds.results_public(Shape(**times), NOW) is public
    assert rounds.results_public(poll(correct=1, **times), NOW) is public


def test_a_draft_is_never_public_even_after_its_closing_time():
    assert not rounds.results_public(Shape(published=False, **CLOSED), NOW)
    assert rounds.status(Shape(published=False, **CLOSED), NOW) is RoundStatus.DRAFT


@pytest.mark.parametrize(
    ("answers", "times", "locked"),
    [(0, {}, False), (1, {}, True), (0, CLOSED, True), (0, SCHEDULED, False), (3, CLOSED, True)],
)
def test_a_round_locks_at_its_first_answer_or_at_its_close(answers, times, locked):
    assert rounds.is_locked(Shape(answer_count=answers, **times), NOW) is locked


@pytest.mark.parametrize(
    ("quiz", "chosen", "stored"),
    [
        (True, "after_vote", ResultsVisibility.AFTER_CLOSE),
        (True, None, ResultsVisibility.AFTER_CLOSE),
        (False, "after_close", ResultsVisibility.AFTER_CLOSE),
        (False, "after_vote", ResultsVisibility.AFTER_VOTE),
        (False, None, ResultsVisibility.AFTER_VOTE),
        (False, "sometime", ResultsVisibility.AFTER_VOTE),
    ],
)
def test_a_poll_stores_when_its_results_show_and_a_quiz_always_waits_for_the_close(quiz, chosen, stored):
    assert rounds.results_visibility_for(quiz, chosen) is stored


@dataclass(frozen=True)
class Hosted:
    curator_id: int


def test_nobody_answers_a_round_they_host():
    assert rounds.hosts(Hosted(curator_id=7)) == {7}
    assert not rounds.may_answer(Hosted(curator_id=7), 7)
    assert rounds.may_answer(Hosted(curator_id=7), 8)

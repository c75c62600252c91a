"""Answering a round: one function takes the round as read, the player and their choice, and says what happened.

The view turns each outcome into a response and the rate limiter counts by it; nothing here raises for an
outcome a player can cause.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from quizapp.access import Claim
from quizapp.cache import kept_rounds
from quizapp.extensions import db
from quizapp.models import User
from quizapp.play.writes import insert_answer
from quizapp.queries import PlayerAnswer, player_answer
from quizapp.rules import rounds as rules
from quizapp.rules.lifecycle import RoundStatus
from quizapp.rules.scoring import is_valid_facts_marks, score_facts, score_poll
from quizapp.rules.validity import MAX_STATEMENTS
from quizapp.snapshots import RoundSnapshot, load_round

ID_DIGITS_MAX = 12


class Outcome(StrEnum):
    STORED = "stored"  # the player's answer, now final
    ALREADY_ANSWERED = "already_answered"  # a second answer (a double click, another tab): the first one stands
    NOT_OPEN = "not_open"  # not yet open, or closed by the time the request arrived
    NOT_SIGNED_IN = "not_signed_in"  # no player, or one whose account is gone
    HOST = "host"  # the player hosts the round (rules.rounds.may_answer)
    WRONG_SHAPE = "wrong_shape"  # see Problem
    STALE = "stale"  # the round in the database is no longer the one read: read it again and decide anew


class Problem(StrEnum):
    """What is wrong with an answer's shape."""

    UNKNOWN = "unknown"  # a statement or option that is not part of the round (or not a number at all)
    DUPLICATE = "duplicate"  # a statement marked twice
    COUNT = "count"  # not as many marks as there are false statements
    NO_OPTION = "no_option"  # a poll answer without a choice


@dataclass(frozen=True)
class Choice:
    """What the player sent: the statements they marked false, or the option they chose."""

    marked: tuple[int, ...] = ()
    option: int | None = None
    unreadable: bool = False  # an id that was not a small number in ASCII digits

    @classmethod
    def from_form(cls, marks: Sequence[str], option: str) -> Choice:
        def readable(value: str) -> bool:
            return value.isascii() and value.isdigit() and len(value) <= ID_DIGITS_MAX

        values = [*marks, option] if option else list(marks)
        return cls(
            marked=tuple(int(value) for value in marks if readable(value)),
            option=int(option) if option and readable(option) else None,
            unreadable=not all(readable(value) for value in values),
        )

    def within(self, round_: RoundSnapshot) -> Choice:
        """Only what belongs to the round, each once, in the round's order: marks carried in a link (through
        joining, or back from a refused answer) are ticked again, and anything else in it is dropped."""
        if round_.is_facts:
            return Choice(marked=tuple(s.id for s in round_.statements if s.id in self.marked))
        known = any(option.id == self.option for option in round_.options)
        return Choice(option=self.option if known else None)

    def as_query(self) -> dict[str, object]:
        """The choice as a link's query (url_for's keywords), at most one mark per statement a round can have."""
        return {"marks": sorted(set(self.marked))[:MAX_STATEMENTS], "option": self.option}


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    answer: PlayerAnswer | None = None  # STORED and ALREADY_ANSWERED
    problem: Problem | None = None  # WRONG_SHAPE


def shape_problem(round_: RoundSnapshot, choice: Choice) -> Problem | None:
    """What is wrong with the choice for this round, or None."""
    if choice.unreadable:
        return Problem.UNKNOWN
    if round_.is_facts:
        problem = is_valid_facts_marks([s.id for s in round_.statements], choice.marked, round_.false_count)
        return Problem(problem) if problem else None
    if choice.option is None:
        return Problem.NO_OPTION
    return None if any(option.id == choice.option for option in round_.options) else Problem.UNKNOWN


def _values(round_: RoundSnapshot, player: Claim, choice: Choice, at: datetime) -> dict[str, object]:
    """The answer's row, scored on arrival so leaderboards are one GROUP BY."""
    if round_.is_facts:
        false_ids = {s.id for s in round_.statements if s.is_false}
        option_id, points = None, score_facts(false_ids, choice.marked)
    else:
        correct = next((option.id for option in round_.options if option.is_correct), None)
        option_id, points = choice.option, score_poll(correct, choice.option)  # type: ignore[arg-type]
    return {"round_id": round_.id, "player_id": player.player_id, "generation": player.generation,
            "option_id": option_id, "points": points, "max_points": round_.max_points, "created_at": at}


def answer_round(round_: RoundSnapshot, player: Claim | None, choice: Choice, at: datetime) -> Result:
    """Check, score and store the player's answer to the round as it was read, judged at `at` (its arrival).

    `player` is who the session claims to be; the INSERT stores nothing unless the account still has the
    claim's session generation (a session from before a logout or a password change acts for nobody).
    """
    if round_.status(at) is not RoundStatus.OPEN:
        return Result(Outcome.NOT_OPEN)
    if player is None:
        return Result(Outcome.NOT_SIGNED_IN)
    if not rules.may_answer(round_, player.player_id):
        return Result(Outcome.HOST)
    problem = shape_problem(round_, choice)
    if problem is not None:
        # A player who already answered sees their answer, whatever this second form said.
        return _answered_or(round_, player, Result(Outcome.WRONG_SHAPE, problem=problem))
    values = _values(round_, player, choice, at)
    marked = sorted(set(choice.marked))
    try:
        answer_id = insert_answer(db.engine, request_session(), round_, values, marked)
    except IntegrityError:
        # A foreign key refused it: the player's account is gone (their signed cookie outlived it), or an edit
        # racing the round's first answer replaced the statements.
        return Result(Outcome.STALE) if _account_acts(player) else Result(Outcome.NOT_SIGNED_IN)
    if answer_id is None:
        return _answered_or(round_, player, Result(Outcome.STALE))
    answer = PlayerAnswer(answer_id, values["option_id"], values["points"], values["max_points"],  # type: ignore[arg-type]
                          frozenset(marked))
    return Result(Outcome.STORED, answer)


def _account_acts(player: Claim) -> bool:
    """Whether the claimed account exists and the claim's session is still its current one."""
    user = db.session.get(User, player.player_id)
    return user is not None and user.session_generation == player.generation


def _answered_or(round_: RoundSnapshot, player: Claim, otherwise: Result) -> Result:
    """Why an answer was not stored: the player had answered, their session is over, or else `otherwise`."""
    if not _account_acts(player):
        return Result(Outcome.NOT_SIGNED_IN)
    answered = player_answer(round_.id, player.player_id)
    return Result(Outcome.ALREADY_ANSWERED, answered) if answered else otherwise


def request_session() -> Session | None:
    """The request's database session if it has one already: the answer to a kept round needs none."""
    return db.session() if db.session.registry.has() else None


def kept_round(round_id: int, at: datetime) -> RoundSnapshot | None:
    """The round as this process last read it, if it had answers then and is open at `at` by its times then.

    Once a round has answers the editor locks what answers are checked and scored against; only its times can
    still change (closed early, extended), or it can be deleted, and the answer's INSERT checks those itself
    (quizapp/play/writes.py), so an answer to a kept round reads nothing before it writes.
    """
    round_: RoundSnapshot | None = kept_rounds().get(round_id)
    if round_ is None or round_.status(at) is not RoundStatus.OPEN:
        return None
    return round_


def read_round(round_id: int) -> RoundSnapshot | None:
    """Read the round for an answer, and keep it in this process's memory if it is published and answered."""
    # Through the request's session: on SQLite its transaction takes the write lock at this read, and the answer's
    # INSERT then runs in the same transaction (quizapp.play.driver.DriverTransaction), so nothing changes between.
    round_ = load_round(round_id)
    kept = kept_rounds()
    if round_ is not None and round_.published and round_.answer_count > 0:
        kept.put(round_id, round_)
    else:
        kept.discard(round_id)
    return round_

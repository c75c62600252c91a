"""Test factories: users, rounds, answers, written straight to the database."""
from __future__ import annotations

from datetime import datetime, timedelta
from itertools import count

from quizapp.auth.service import new_user
from quizapp.extensions import db
from quizapp.models import (
    Answer,
    Mark,
    Option,
    Round,
    Series,
    Statement,
    User,
    utcnow,
)
from quizapp.rules.lifecycle import as_utc
from quizapp.rules.rounds import RoundKind
from quizapp.rules.scoring import score_facts, score_poll

_names = count(1)


class Factory:
    def user(self, name: str | None = None, *, password: str | None = "password123", curator: bool = False) -> User:
        user = new_user(name or f"player{next(_names)}", password, curator=curator)
        db.session.commit()
        return user

    def facts_round(
        self,
        statements: list[tuple[str, bool]] | None = None,
        *,
        curator: User | None = None,
        title: str = "Facts about me",
        status: str = "open",
        explanations: list[str] | None = None,
        now: datetime | None = None,
    ) -> Round:
        """A facts round; statements are (text, is_false); status draft, scheduled, open or closed."""
        statements = statements or [("I have a cat", False), ("I climbed Everest", True), ("I speak French", False)]
        explanations = explanations or [""] * len(statements)
        round_ = Round(curator=curator or self.user(curator=True), kind=RoundKind.FACTS, title=title, intro="")
        round_.statements = [
            Statement(position=i, text=text, is_false=is_false, explanation=explanations[i])
            for i, (text, is_false) in enumerate(statements)
        ]
        self._schedule(round_, status, now or utcnow())
        db.session.add(round_)
        db.session.commit()
        return round_

    def poll(
        self,
        options: list[str] | None = None,
        *,
        correct: int | None = None,
        results: str = "after_vote",
        curator: User | None = None,
        title: str = "Which one?",
        status: str = "open",
    ) -> Round:
        """A poll; correct is the index of the correct option for a quiz poll."""
        options = options or ["Red", "Green", "Blue"]
        round_ = Round(
            curator=curator or self.user(curator=True), kind=RoundKind.POLL, title=title, intro="",
            results_visibility=results if correct is None else "after_close",
        )
        round_.options = [Option(position=i, text=text, is_correct=(i == correct)) for i, text in enumerate(options)]
        self._schedule(round_, status, utcnow())
        db.session.add(round_)
        db.session.commit()
        return round_

    def _schedule(self, round_: Round, status: str, now: datetime) -> None:
        round_.published = status != "draft"
        if status == "scheduled":
            round_.opens_at, round_.closes_at = now + timedelta(hours=1), now + timedelta(days=1)
        elif status == "open":
            round_.opens_at, round_.closes_at = now - timedelta(hours=1), now + timedelta(days=1)
        elif status == "closed":
            round_.opens_at, round_.closes_at = now - timedelta(days=2), now - timedelta(days=1)

    def answer(self, round_: Round, player: User, marked: list[int] | None = None, option: int | None = None) -> Answer:
        """Store an answer as the answer view would, whatever the round's status."""
        if round_.kind == RoundKind.FACTS:
            false_ids = {s.id for s in round_.statements if s.is_false}
            answer = Answer(round_id=round_.id, player_id=player.id, points=score_facts(false_ids, marked or []),
                            max_points=len(false_ids), marks=[Mark(statement_id=i) for i in marked or []])
        else:
            correct = next((o.id for o in round_.options if o.is_correct), None)
            answer = Answer(round_id=round_.id, player_id=player.id, option_id=option,
                            points=score_poll(correct, option) if option else 0, max_points=1 if correct else 0)
        db.session.add(answer)
        db.session.commit()  # the database counts it on the round
        return answer

    def series(self, curator: User, title: str, *rounds: Round) -> Series:
        """A series of the curator's holding the given rounds."""
        series = Series(curator_id=curator.id, title=title)
        for round_ in rounds:
            round_.series = series
        db.session.add(series)
        db.session.commit()
        return series

    def close(self, round_: Round) -> None:
        round_.closes_at = utcnow() - timedelta(seconds=1)
        if round_.opens_at and as_utc(round_.opens_at) >= round_.closes_at:
            round_.opens_at = round_.closes_at - timedelta(hours=1)
        db.session.commit()

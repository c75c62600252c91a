"""Demo data: the rounds in demo_rounds.json, moved to now, with a demo curator, players and their answers."""
from __future__ import annotations

import random
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from importlib.resources import files
from typing import Any

from quizapp.auth.service import find_user, new_user
from quizapp.data.rounds_json import format_time, import_rounds, load_document, parse_rounds
from quizapp.extensions import db
from quizapp.models import Answer, Mark, Round, User
from quizapp.rules.scoring import score_facts, score_poll

DEMO_HOST = "demo_host"
DEMO_PLAYERS = 20
DEMO_SEED = 42
DEMO_FILE = "demo_rounds.json"
# demo_rounds.json is written as if seeded at this moment: seeding moves every time in it by now minus this,
# so the open rounds are open and the closed ones closed whenever the demo is made.
DEMO_WRITTEN_FOR = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def demo_document(now: datetime) -> dict[str, Any]:
    """The demo rounds in the import format (two facts rounds, three polls, one in Russian), their times moved to now."""
    document: dict[str, Any] = load_document(files("quizapp").joinpath(DEMO_FILE).read_bytes())
    shift = now - DEMO_WRITTEN_FOR
    for round_ in document["rounds"]:
        for key in ("opens_at", "closes_at"):
            if key in round_:
                round_[key] = format_time(datetime.fromisoformat(round_[key]) + shift)
    return document


def seed_demo(now: datetime) -> tuple[str, list[Round]]:
    """Add the demo curator, players, rounds and answers to the session; return the password and the rounds."""
    password = secrets.token_urlsafe(12)
    host = _demo_user(DEMO_HOST, password, curator=True)
    players = [_demo_user(f"demo_player_{number:02d}") for number in range(1, DEMO_PLAYERS + 1)]
    rounds = import_rounds(parse_rounds(demo_document(now)), host, now)
    db.session.flush()
    open_facts, closed_facts, opinion_poll, quiz_poll, closed_poll = rounds
    # A fixed seed: every demo database shows the same spread, so screenshots and tests agree.
    rng = random.Random(DEMO_SEED)
    _answer_facts(open_facts, players[:5], rng, now - timedelta(hours=1))
    _answer_facts(closed_facts, players, rng, closed_facts.opens_at or now,
                  suspicion=[1, 2, 5, 2, 4, 3, 6, 2])
    _vote(opinion_poll, players[:9], rng, now - timedelta(minutes=50), weights=[2, 5, 2, 1])
    _vote(quiz_poll, players[3:9], rng, now - timedelta(minutes=20), weights=[3, 2, 4, 1])
    _vote(closed_poll, players, rng, closed_poll.opens_at or now, weights=[7, 6, 4, 3])
    return password, rounds


def _demo_user(name: str, password: str | None = None, *, curator: bool = False) -> User:
    """Find or create a demo account: rounds may have been deleted while their players stayed."""
    user = find_user(name)
    if user is None:
        return new_user(name, password, curator=curator)
    if password is not None:
        user.set_password(password)
    user.is_curator = user.is_curator or curator
    return user


def _answer_facts(round_: Round, players: Sequence[User], rng: random.Random, start: datetime,
                  suspicion: Sequence[int] | None = None) -> None:
    """Store each player's marks, picking statements with the given suspicion weights."""
    weights = list(suspicion or [1] * len(round_.statements))
    false_ids = {statement.id for statement in round_.statements if statement.is_false}
    for player in players:
        positions = _weighted_sample(rng, weights, len(false_ids))
        marked = sorted(round_.statements[position].id for position in positions)
        db.session.add(Answer(  # the database counts it on the round
            round_id=round_.id,
            player_id=player.id,
            points=score_facts(false_ids, marked),
            max_points=len(false_ids),
            marks=[Mark(statement_id=statement_id) for statement_id in marked],
            created_at=start + timedelta(minutes=rng.randint(5, 600)),
        ))


def _vote(round_: Round, players: Sequence[User], rng: random.Random, start: datetime, weights: Sequence[int]) -> None:
    """Store one vote per player, options drawn with the given weights."""
    correct = next((option.id for option in round_.options if option.is_correct), None)
    for player in players:
        option_id = rng.choices(round_.options, weights=weights)[0].id
        db.session.add(Answer(  # the database counts it on the round
            round_id=round_.id,
            player_id=player.id,
            option_id=option_id,
            points=score_poll(correct, option_id),
            max_points=1 if correct is not None else 0,
            created_at=start + timedelta(minutes=rng.randint(1, 45)),
        ))


def _weighted_sample(rng: random.Random, weights: Sequence[int], count: int) -> list[int]:
    """Pick count distinct positions, each draw weighted like the suspicion a statement raises."""
    remaining = dict(enumerate(weights))
    picked = []
    for _draw in range(count):
        position = rng.choices(list(remaining), weights=list(remaining.values()))[0]
        picked.append(position)
        del remaining[position]
    return picked

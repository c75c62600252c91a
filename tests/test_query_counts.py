"""Every page runs a fixed number of SQL queries, however many rounds, players and answers there are."""
from __future__ import annotations

import re

import pytest
from werkzeug.datastructures import MultiDict

from quizapp.access import PLAYER_KEY
from quizapp.cache import forget_everything
from quizapp.extensions import db
from quizapp.models import Series
from tests.statements import Statements


def populate(make, players: int, rounds: int):  # type: ignore[no-untyped-def]
    """Closed facts rounds in one series, each answered by every player; one open round answered by all."""
    host = make.user(curator=True)
    series = Series(curator_id=host.id, title=f"Week {rounds}")
    db.session.add(series)
    people = [make.user() for _ in range(players)]
    closed = []
    for _ in range(rounds):
        round_ = make.facts_round(curator=host, status="closed", explanations=["why"] * 3)
        round_.series = series
        for index, person in enumerate(people):
            make.answer(round_, person, [round_.statements[index % 3].id])
        closed.append(round_)
    open_round = make.facts_round(curator=host, status="open")
    for person in people:
        make.answer(open_round, person, [open_round.statements[1].id])
    poll = make.poll(curator=host, status="closed", correct=1)
    for index, person in enumerate(people):
        make.answer(poll, person, option=poll.options[index % 3].id)
    db.session.commit()
    return {
        "open": open_round.id,
        "closed": closed[0].id,
        "poll": poll.id,
        "series": series.id,
        "player": people[0].username,
    }


PAGES = [
    "/",
    "/rounds/{open}",
    "/rounds/{open}/count",
    "/rounds/{closed}/reveal",
    "/rounds/{closed}/results.json",
    "/rounds/{poll}/reveal",
    "/leaderboard",
    "/series/{series}",
]


def queries_per_page(app, make, players: int, rounds: int) -> dict[str, int]:  # type: ignore[no-untyped-def]
    ids = populate(make, players, rounds)
    client = app.test_client()
    with client.session_transaction() as session:
        from quizapp.auth.service import find_user

        session["_user_id"] = str(find_user(ids["player"]).id)
        session[PLAYER_KEY] = [int(session["_user_id"]), 0]
    db.session.rollback()
    counts = {}
    for page in PAGES:
        url = page.format(**ids)
        client.get(url)  # warm-up: the first request also loads the template cache
        with Statements() as counter:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[page] = counter.count
    assert counts["/rounds/{open}"] > 0, "the counter saw no statement at all"
    return counts


@pytest.mark.parametrize("scale", [(2, 1), (12, 4)])
def test_queries_per_page_do_not_grow_with_the_data(app, make, scale):
    small = queries_per_page(app, make, players=1, rounds=1)
    forget_everything(app)  # a new database under the same process
    db.session.remove()
    db.drop_all()
    db.create_all()
    large = queries_per_page(app, make, *scale)
    assert large == small


def test_an_answer_reads_the_round_once_and_never_the_user(app, make):
    """The busiest write: the answer and its marks, no extra statement (the database counts it, and the INSERT
    itself checks the session is current); the round is read once per process."""
    from tests.conftest import Player, csrf_from

    host = make.user(curator=True)
    round_ = make.facts_round(curator=host, status="open")
    for _ in range(30):
        make.answer(round_, make.user(), [round_.statements[0].id])
    false_ids = [s.id for s in round_.statements if s.is_false]
    db.session.commit()

    def answer_as(nickname: str) -> list[str]:
        player = Player(app.test_client())
        player.join(nickname)
        token = csrf_from(player.get(f"/rounds/{round_.id}").get_data(as_text=True))
        with Statements() as counter:
            response = player.client.post(
                f"/rounds/{round_.id}/answer",
                data=MultiDict([("csrf_token", token), *(("marks", i) for i in false_ids)]),
                headers={"HX-Request": "true", "HX-Request-Type": "partial"},
            )
        assert response.status_code == 200
        assert "You answered" in response.get_data(as_text=True)
        work = counter.statements
        # The round's snapshot names its host (a join); the player's own row is never read.
        assert not any(re.match(r'SELECT "?user"?\.', sql) for sql in work), work
        return [sql.split()[0] for sql in work]

    # On PostgreSQL the answer and its marks are one statement (WITH new_answer AS (INSERT …) INSERT …).
    writes = ["WITH"] if db.engine.dialect.name == "postgresql" else ["INSERT", "INSERT"]
    forget_everything(app)  # a process that has not seen the round yet
    assert answer_as("Quentin") == ["SELECT", *writes]
    # The round, answered and so locked, is remembered: the insert itself checks it is unchanged.
    assert answer_as("Rosalind") == writes

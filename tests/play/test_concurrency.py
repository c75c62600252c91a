"""Racing answers: the same player from many workers at once, and many players at once."""
from __future__ import annotations

import threading

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Answer, Mark, Round
from tests.conftest import Player, csrf_from

THREADS = 20
HTMX = {"HX-Request": "true", "HX-Request-Type": "partial"}


def race(clients: list[FlaskClient], url: str, form: list[dict[str, object]]) -> list[int]:
    """Post form[i] from clients[i], all released at the same moment; return the status codes."""
    barrier = threading.Barrier(len(clients), timeout=10)
    statuses: list[int | None] = [None] * len(clients)
    errors: list[BaseException] = []

    def send(i: int) -> None:
        try:
            headers = HTMX if i % 2 == 0 else {}
            barrier.wait()
            statuses[i] = clients[i].post(url, data=form[i], headers=headers).status_code
        except BaseException as error:  # noqa: BLE001  (reported below, never lost in the thread)
            errors.append(error)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert all(status is not None for status in statuses)
    return statuses  # type: ignore[return-value]


def expected_statuses(count: int) -> list[int]:
    # Even threads post with htmx (the fragment, 200), odd ones as a plain form (a 303 redirect).
    return [200 if i % 2 == 0 else 303 for i in range(count)]


def stored(round_id: int) -> tuple[int, int, int]:
    """(answer rows, mark rows, answer_count) of the round, as committed."""
    db.session.rollback()
    answers = db.session.scalar(select(func.count(Answer.id)).where(Answer.round_id == round_id))
    marks = db.session.scalar(select(func.count()).select_from(Mark).join(Answer).where(Answer.round_id == round_id))
    return answers, marks, db.session.get(Round, round_id).answer_count


@pytest.fixture
def facts(make):  # type: ignore[no-untyped-def]
    round_ = make.facts_round(
        [("True one", False), ("False one", True), ("Another truth", False), ("Another lie", True)],
        curator=make.user("author", password=None, curator=True),
    )
    return round_.id, [s.id for s in round_.statements if s.is_false]


def test_same_player_racing_from_twenty_workers_stores_one_answer_and_never_errors(app: Flask, make, facts):
    round_id, false_ids = facts
    make.user("racer", password="racer-password")
    first = Player(app.test_client())
    assert first.login("racer", "racer-password").status_code == 303
    # The page puts the CSRF token in the session; every worker then carries that same session cookie.
    token = csrf_from(first.get(f"/rounds/{round_id}").get_data(as_text=True))
    cookie = first.client.get_cookie("session")
    assert cookie is not None
    clients = []
    for _ in range(THREADS):
        client = app.test_client()
        client.set_cookie("session", cookie.value)
        clients.append(client)
    form = {"csrf_token": token, "marks": [str(i) for i in false_ids]}

    statuses = race(clients, f"/rounds/{round_id}/answer", [form] * THREADS)

    assert statuses == expected_statuses(THREADS)
    assert stored(round_id) == (1, 2, 1)


def test_twenty_players_answering_at_once_are_all_counted(app: Flask, facts, new_player):
    round_id, false_ids = facts
    players = [new_player(f"player{i}") for i in range(THREADS)]
    forms = [
        {"csrf_token": csrf_from(player.get(f"/rounds/{round_id}").get_data(as_text=True)),
         "marks": [str(i) for i in false_ids]}
        for player in players
    ]

    statuses = race([player.client for player in players], f"/rounds/{round_id}/answer", forms)

    assert statuses == expected_statuses(THREADS)
    assert stored(round_id) == (THREADS, 2 * THREADS, THREADS)

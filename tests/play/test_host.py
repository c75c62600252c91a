"""Nobody answers a round they host: the page says so, and the answer path refuses it."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Answer, Round, User
from tests.conftest import Player

STATEMENTS = [("I have a cat", False), ("I climbed Everest", True), ("I speak French", False)]
HOSTS_NOTE = "You host this round"


@pytest.fixture
def host(app, make) -> Player:  # type: ignore[no-untyped-def]
    make.user("host", password="host-password", curator=True)
    player = Player(app.test_client())
    assert player.login("host", "host-password").status_code == 303
    return player


@pytest.fixture
def round_id(make, host) -> int:  # type: ignore[no-untyped-def]
    author = db.session.scalar(select(User).where(User.username == "host"))
    return make.facts_round(STATEMENTS, title="My facts", curator=author).id


def false_ids(round_id: int) -> list[int]:
    round_ = db.session.get(Round, round_id)
    return [s.id for s in round_.statements if s.is_false]


def answers_stored(round_id: int) -> tuple[int, int]:
    """The round's answer rows and its counter, as the database has them now."""
    db.session.rollback()
    rows = db.session.scalar(select(func.count()).select_from(Answer).where(Answer.round_id == round_id))
    return rows, db.session.get(Round, round_id).answer_count


def test_the_host_sees_the_statements_and_no_way_to_answer(host, round_id):
    body = host.get(f"/rounds/{round_id}").get_data(as_text=True)
    assert HOSTS_NOTE in body
    assert "I climbed Everest" in body  # to check them
    assert "Send my answer" not in body
    assert 'type="submit"' not in body.split('id="round-panel"')[1]  # no button to send, not even a disabled one
    assert "hx-post" not in body
    assert all("disabled" in box for box in re.findall(r'<input type="checkbox"[^>]*>', body))


def test_a_player_sees_who_hosts_and_the_form(new_player, round_id):
    body = new_player("alice").get(f"/rounds/{round_id}").get_data(as_text=True)
    assert HOSTS_NOTE not in body
    assert "Hosted by host" in body
    assert "hx-post" in body


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
@pytest.mark.parametrize("others_answered", [False, True], ids=["first", "remembered-round"])
def test_the_host_answering_their_own_round_is_refused_with_the_marks_kept(host, new_player, round_id, htmx,
                                                                           others_answered):
    marks = false_ids(round_id)
    if others_answered:  # the round is then answered from this process's kept copy (play.answering.kept_round)
        assert new_player("alice").answer(round_id, marks).status_code == 303
    stored_before = answers_stored(round_id)
    response = host.answer(round_id, marks, htmx=htmx)
    if htmx:
        assert response.status_code == 403
    else:  # sent back to the round page, the marks in its address, the reason shown there
        assert response.status_code == 303
        response = host.get(response.headers["Location"])
    body = response.get_data(as_text=True)
    assert "hosts don&#39;t answer their own rounds" in body
    assert {int(v) for v in re.findall(r'name="marks" value="(\d+)" checked', body)} == set(marks)
    assert ("<html" in body) is not htmx
    assert answers_stored(round_id) == stored_before

"""A visitor's marks survive joining: they go along in the round page's address and come back ticked, one click
from sending. Whatever in that address is not the round's own is dropped, never an error."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Answer
from tests.conftest import Player, csrf_from

STATEMENTS = [("I have a cat", False), ("I climbed Everest", True), ("I speak French", False), ("I met the Queen", True)]


def text(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


def checked_ids(html: str) -> list[int]:
    return [int(value) for value in re.findall(r'name="marks" value="(\d+)" checked', html)]


def chosen_option(html: str) -> list[int]:
    return [int(value) for value in re.findall(r'name="option" value="(\d+)" checked', html)]


@pytest.fixture
def facts(make):  # type: ignore[no-untyped-def]
    """An open round with two false statements: (round id, ids of the false ones, ids of the true ones)."""
    round_ = make.facts_round(STATEMENTS, title="Four facts")
    return (round_.id, [s.id for s in round_.statements if s.is_false],
            [s.id for s in round_.statements if not s.is_false])


def back_to_round(location: str, sign_in: str) -> str:
    """Where a sign-in page sends the player afterwards: its `next`, checked to be the one asked for."""
    parts = urlsplit(location)
    assert parts.path == sign_in
    return parse_qs(parts.query)["next"][0]


def test_a_visitors_form_leads_to_joining_without_posting_or_setting_a_cookie(facts, visitor):
    round_id, _false_ids, _true_ids = facts
    response = visitor.get(f"/rounds/{round_id}")
    body = text(response)
    assert f'<form class="answer-form" method="get" action="/rounds/{round_id}/join"' in body
    assert "hx-post" not in body and 'name="csrf_token"' not in body
    assert "Pick a nickname to send" in body and "Log in to send" in body
    assert "Set-Cookie" not in response.headers  # a page visitors only read: a front cache may keep it


def test_a_visitors_marks_survive_joining_and_come_back_ticked_one_click_from_sending(facts, visitor):
    round_id, false_ids, _true_ids = facts
    to_join = visitor.get(f"/rounds/{round_id}/join", query_string={"marks": false_ids, "via": "join"})
    assert to_join.status_code == 303
    back = back_to_round(to_join.headers["Location"], "/join")
    assert back == f"/rounds/{round_id}?marks={false_ids[0]}&marks={false_ids[1]}"

    joined = visitor.post_form(to_join.headers["Location"], to_join.headers["Location"], {"nickname": "Gala"})
    assert joined.status_code == 303
    assert joined.headers["Location"] == back
    page = text(visitor.get(back))
    assert checked_ids(page) == false_ids
    assert "Send my answer" in page and 'hx-post="/rounds/' in page

    # One click: the form as it came back, sent.
    sent = visitor.client.post(f"/rounds/{round_id}/answer", data={"csrf_token": csrf_from(page), "marks": false_ids})
    assert sent.status_code == 303
    db.session.rollback()
    [answer] = db.session.scalars(select(Answer).where(Answer.round_id == round_id))
    assert {mark.statement_id for mark in answer.marks} == set(false_ids)


def test_logging_in_takes_the_marks_along_too(app, make, facts):
    round_id, false_ids, _true_ids = facts
    make.user("pat", password="pat-password")
    player = Player(app.test_client())
    to_login = player.get(f"/rounds/{round_id}/join", query_string={"marks": false_ids[:1], "via": "login"})
    back = back_to_round(to_login.headers["Location"], "/login")
    logged_in = player.post_form(to_login.headers["Location"], to_login.headers["Location"],
                                 {"username": "pat", "password": "pat-password"})
    assert logged_in.headers["Location"] == back
    assert checked_ids(text(player.get(back))) == false_ids[:1]


def test_a_visitors_vote_survives_joining(make, visitor):
    poll = make.poll(["Tea", "Coffee", "Water"])
    poll_id, coffee = poll.id, poll.options[1].id
    to_join = visitor.get(f"/rounds/{poll_id}/join", query_string={"option": coffee})
    back = back_to_round(to_join.headers["Location"], "/join")
    assert back == f"/rounds/{poll_id}?option={coffee}"
    visitor.post_form(to_join.headers["Location"], to_join.headers["Location"], {"nickname": "Gala"})
    assert chosen_option(text(visitor.get(back))) == [coffee]


def test_only_the_rounds_own_marks_are_carried_and_ticked(make, facts, visitor, new_player):
    round_id, false_ids, true_ids = facts
    other = make.facts_round([("Elsewhere true", False), ("Elsewhere false", True)], title="Other")
    foreign = other.statements[1].id
    draft = make.facts_round(STATEMENTS, status="draft")
    draft_id, draft_statement = draft.id, draft.statements[0].id
    carried = ["abc", "-1", "１", "9" * 30, str(foreign), str(true_ids[1]), str(true_ids[1]), str(false_ids[0])]
    own = sorted([false_ids[0], true_ids[1]])  # each once; the foreign, the unreadable and an option are dropped
    to_join = visitor.get(f"/rounds/{round_id}/join", query_string={"marks": carried, "option": "7"})
    assert back_to_round(to_join.headers["Location"], "/join") == f"/rounds/{round_id}?marks={own[0]}&marks={own[1]}"
    bob = new_player("bob")
    page = bob.get(f"/rounds/{round_id}", query_string={"marks": carried, "option": "7"})
    assert page.status_code == 200
    assert checked_ids(text(page)) == own

    # Once answered, the page shows the answer, whatever the address carries.
    assert bob.answer(round_id, false_ids).status_code == 303
    page = text(bob.get(f"/rounds/{round_id}", query_string={"marks": true_ids}))
    assert "You answered" in page and checked_ids(page) == []
    # A draft's marks go nowhere: a stranger can't tell a draft from a missing round.
    assert visitor.get(f"/rounds/{draft_id}/join", query_string={"marks": [draft_statement]}).status_code == 404


def test_joining_from_a_round_does_not_tell_the_player_to_pick_a_round(facts, visitor):
    round_id, false_ids, _true_ids = facts
    to_join = visitor.get(f"/rounds/{round_id}/join", query_string={"marks": false_ids, "via": "join"})
    joined = visitor.post_form(to_join.headers["Location"], to_join.headers["Location"], {"nickname": "Roundabout"})
    page = text(visitor.get(joined.headers["Location"]))
    assert "Welcome, Roundabout!" in page
    assert "Pick a round and play" not in page

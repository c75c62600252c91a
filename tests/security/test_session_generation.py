"""A session ends for good when its account logs out or changes its password: a captured cookie acts for nobody."""
from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from quizapp.extensions import db
from quizapp.models import Answer
from tests.conftest import Player, csrf_from
from tests.security.conftest import HTMX

COOKIE = "session"
PASSWORD = {"password": "a long new password", "confirm": "a long new password"}


def captured(app: Flask, player: Player) -> Player:
    """Another browser holding a copy of the player's session cookie, as an attacker who copied it would."""
    cookie = player.client.get_cookie(COOKIE)
    assert cookie is not None
    thief = Player(app.test_client())
    thief.client.set_cookie(COOKIE, cookie.value)
    return thief


def signed_in(player: Player) -> bool:
    """Whether the account page opens for this browser (it sends visitors to log in)."""
    return player.get("/account/password").status_code == 200


def answer_from(player: Player, page: str, round_id: int, marks: list[int]):  # type: ignore[no-untyped-def]
    """Send the answer form of a round page loaded earlier (while the session still acted), as htmx would."""
    data = MultiDict([("csrf_token", csrf_from(page)), *(("marks", mark) for mark in marks)])
    return player.client.post(f"/rounds/{round_id}/answer", data=data, headers=HTMX)


def answers() -> int:
    db.session.rollback()  # the test's own read must see what the requests committed
    return db.session.scalar(select(func.count()).select_from(Answer)) or 0


def test_a_cookie_captured_before_logout_no_longer_opens_the_account(app, new_player):
    player = new_player("leaver")
    thief = captured(app, player)
    assert signed_in(thief)
    assert player.post_form("/", "/logout", {}).status_code == 303
    assert not signed_in(thief)
    assert not signed_in(player)


def test_a_curators_cookie_captured_before_logout_no_longer_opens_the_dashboard(app, curator):
    thief = captured(app, curator)
    assert thief.get("/curator/").status_code == 200
    assert curator.post_form("/", "/logout", {}).status_code == 303
    response = thief.get("/curator/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_guests_cookie_does_not_survive_a_password_change_nor_a_second_one(app, new_player):
    player = new_player("keeper")
    before_first = captured(app, player)
    assert player.post_form("/account/password", "/account/password", PASSWORD).status_code == 303
    assert signed_in(player), "the browser that changed the password stays signed in"
    assert not signed_in(before_first)
    before_second = captured(app, player)
    assert signed_in(before_second)
    assert player.post_form("/account/password", "/account/password", PASSWORD).status_code == 303
    assert signed_in(player)
    assert not signed_in(before_second) and not signed_in(before_first)


def test_a_cookie_ended_by_logout_cannot_answer_and_writes_nothing(app, make, new_player):
    round_ = make.facts_round(status="open")
    false_ids = [s.id for s in round_.statements if s.is_false]
    player = new_player("quitter")
    thief = captured(app, player)
    token_page = thief.get(f"/rounds/{round_.id}")  # the form, while the session still acts
    assert token_page.status_code == 200
    assert player.post_form("/", "/logout", {}).status_code == 303
    response = answer_from(thief, token_page.get_data(as_text=True), round_.id, false_ids)
    assert response.status_code == 422
    assert "Join first" in response.get_data(as_text=True)
    assert answers() == 0


def test_an_answer_checks_the_session_in_its_own_insert_even_for_a_round_the_worker_keeps(app, make, new_player):
    """The kept round's answer reads nothing before it writes: the INSERT itself refuses an ended session."""
    round_ = make.facts_round(status="open")
    false_ids = [s.id for s in round_.statements if s.is_false]
    first = new_player("first")
    assert first.answer(round_.id, false_ids, htmx=True).status_code == 200
    assert first.answer(round_.id, false_ids, htmx=True).status_code == 200  # now the worker keeps the round
    player = new_player("second")
    thief = captured(app, player)
    page = thief.get(f"/rounds/{round_.id}").get_data(as_text=True)
    assert player.post_form("/", "/logout", {}).status_code == 303
    assert answer_from(thief, page, round_.id, false_ids).status_code == 422
    assert answers() == 1

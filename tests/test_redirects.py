"""?next= leads only to a path on this site, and a next that can't be sent never fails the request nor writes."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import User
from quizapp.redirects import local_path

LINE_BREAK_NEXT = "%2F%0D%0A%2F%2Fevil.example"


@pytest.mark.parametrize("target", ["/", "/rounds/7", "/leaderboard?page=2", "/rounds/7?x=%0D%0A"])
def test_paths_on_this_site_are_kept(target):
    assert local_path(target) == target


@pytest.mark.parametrize("target", [
    "", "rounds/7", "//evil.example", "/\\evil.example", "https://evil.example/", "/\r\n//evil.example",
    "/\n/evil.example", "/\t/evil.example", "/ /evil.example", "/x\x00", "/x\x7f", "/\u2028/evil.example",
    "/\u0085x", "/\u200ex",
])
def test_anything_else_is_refused(target):
    assert local_path(target) is None


def test_join_with_a_line_break_in_next_creates_the_account_and_goes_home(make, visitor):
    response = visitor.post_form("/join", f"/join?next={LINE_BREAK_NEXT}", {"nickname": "Newbie"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert "Newbie" in visitor.get("/").get_data(as_text=True)  # signed in as the account just made
    db.session.rollback()
    assert [user.username for user in db.session.scalars(select(User))] == ["Newbie"]


def test_login_with_a_line_break_in_next_goes_home(make, visitor):
    make.user("pat", password="pat-password")
    response = visitor.post_form("/login", f"/login?next={LINE_BREAK_NEXT}", {"username": "pat", "password": "pat-password"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_register_with_a_line_break_in_next_goes_home(visitor):
    response = visitor.post_form("/register", f"/register?next={LINE_BREAK_NEXT}",
                                 {"username": "Newbie", "password": "long enough", "confirm": "long enough"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_switching_language_with_a_line_break_in_next_goes_home(visitor):
    response = visitor.client.post(f"/language?next={LINE_BREAK_NEXT}", data={"lang": "ru"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("url", ["/login", "/join", "/register"])
def test_a_form_does_not_carry_an_unsafe_next_on(visitor, url):
    page = visitor.get(f"{url}?next={LINE_BREAK_NEXT}").get_data(as_text=True)
    assert re.search(r'<form method="post" action="([^"]*)"', page).group(1) == url


def test_a_signed_in_player_visiting_join_with_a_line_break_in_next_goes_home(new_player):
    player = new_player("Pat")
    response = player.get(f"/join?next={LINE_BREAK_NEXT}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_a_raw_byte_outside_utf8_in_the_query_gets_the_400_page(visitor):
    # WSGI carries the raw query as latin-1 text: "\xff" here is the byte 0xFF on the wire.
    response = visitor.client.get("/", environ_overrides={"QUERY_STRING": "q=\xff"})
    assert response.status_code == 400
    assert "Some text was not valid UTF-8." in response.get_data(as_text=True)

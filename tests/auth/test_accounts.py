"""Accounts: play now with a nickname, register, log in and out, keep a guest name, safe redirects."""
from __future__ import annotations

import html
import re
from urllib.parse import quote, urlsplit

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import User
from tests.conftest import Player

TAKEN = "That name is taken. Try another one."
WRONG_LOGIN = "Wrong username or password."


def users() -> list[str]:
    db.session.rollback()
    return list(db.session.scalars(select(User.username).order_by(User.id)))


def user_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(User.id)))


def text(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


def signed_in_as(player: Player) -> str | None:
    """The name the header shows for this client, or None for a visitor."""
    match = re.search(r'<span class="muted">([^<]+)</span>\s*<form class="inline" method="post" action="/logout">',
                      text(player.get("/")))
    return html.unescape(match.group(1)) if match else None


def field_errors(page: str) -> list[str]:
    return [html.unescape(message) for message in re.findall(r'<p class="field-error"[^>]*>([^<]*)</p>', page)]


@pytest.fixture
def player(app) -> Player:  # type: ignore[no-untyped-def]
    return Player(app.test_client())


# --- play now ---------------------------------------------------------------------------------

def test_joining_with_a_nickname_signs_in_a_guest(player):
    response = player.join("Alice")
    assert response.status_code == 303
    assert signed_in_as(player) == "Alice"
    assert "Keep my name" in text(player.get("/"))
    assert users() == ["Alice"]
    db.session.rollback()
    assert db.session.scalar(select(User).where(User.username == "Alice")).is_guest


@pytest.mark.parametrize(
    "lookalike",
    ["alice", "ALICE", "\u0410lice", "\uff21\uff4c\uff49\uff43\uff45", " Alice "],
    ids=["lower", "upper", "cyrillic-A", "full-width", "padded"],
)
def test_a_name_taken_in_another_case_or_a_lookalike_is_refused(app, make, player, lookalike):
    make.user("Alice", password=None)
    response = player.join(lookalike)
    assert response.status_code == 422
    assert TAKEN in field_errors(text(response))
    assert user_count() == 1
    assert signed_in_as(player) is None


@pytest.mark.parametrize(
    ("nickname", "message"),
    [
        ("ab", "Use 3 to 32 characters."),
        ("a" * 33, "Use 3 to 32 characters."),
        ("Ali ce", "Use letters, digits, _ and - only."),
        ("Ali\u200bce", "Use letters, digits, _ and - only."),
        ("\u202eecilA", "Use letters, digits, _ and - only."),
        ("<script>", "Use letters, digits, _ and - only."),
        ("Al\"i'ce&", "Use letters, digits, _ and - only."),
    ],
    ids=["two-chars", "33-chars", "space", "zero-width-space", "rtl-override", "script-tag", "quotes"],
)
def test_invalid_nickname_is_refused_with_a_message_and_echoed_escaped(player, nickname, message):
    response = player.join(nickname)
    body = text(response)
    assert response.status_code == 422
    assert message in field_errors(body)
    assert user_count() == 0
    # Read up to the first raw quote: an unescaped one would cut the echoed value short.
    [echoed] = re.findall(r'<input[^>]*name="nickname"[^>]*value="([^"]*)"', body)
    assert html.unescape(echoed) == nickname
    assert "<" not in echoed and ">" not in echoed
    assert "<script>" not in body


def test_register_log_out_and_log_in_again(player, app):
    response = player.post_form("/register", "/register",
                                {"username": "Boris", "password": "correct horse", "confirm": "correct horse"})
    assert response.status_code == 303
    assert signed_in_as(player) == "Boris"
    assert "Keep my name" not in text(player.get("/"))

    out = player.post_form("/", "/logout", {})
    assert out.status_code == 303
    assert signed_in_as(player) is None

    assert player.login("boris", "correct horse").status_code == 303
    assert signed_in_as(player) == "Boris"


def test_logout_is_post_only(player):
    player.join("Alice")
    response = player.get("/logout")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert signed_in_as(player) == "Alice"


def test_logout_without_csrf_token_is_refused(player):
    player.join("Alice")
    assert player.client.post("/logout").status_code == 400
    assert signed_in_as(player) == "Alice"


def test_wrong_password_and_unknown_user_get_the_same_message(make, app):
    make.user("Boris", password="correct horse")
    wrong_password = Player(app.test_client()).login("Boris", "wrong horse")
    unknown_user = Player(app.test_client()).login("Nobody", "correct horse")
    assert wrong_password.status_code == unknown_user.status_code == 422
    assert field_errors(text(wrong_password)) == field_errors(text(unknown_user)) == [WRONG_LOGIN]


def test_a_guest_who_sets_a_password_can_log_in_from_another_client(app, player):
    player.join("Gina")
    response = player.post_form("/account/password", "/account/password",
                                {"password": "gina-secret", "confirm": "gina-secret"})
    assert response.status_code == 303
    assert "Keep my name" not in text(player.get("/"))

    elsewhere = Player(app.test_client())
    assert elsewhere.login("gina", "gina-secret").status_code == 303
    assert signed_in_as(elsewhere) == "Gina"
    assert user_count() == 1


def test_setting_a_password_needs_matching_entries(player):
    player.join("Gina")
    response = player.post_form("/account/password", "/account/password",
                                {"password": "gina-secret", "confirm": "gina-other"})
    assert response.status_code == 422
    assert "The passwords differ." in field_errors(text(response))
    db.session.rollback()
    assert db.session.scalar(select(User).where(User.username == "Gina")).is_guest


# --- where a sign-in leads --------------------------------------------------------------------

def test_next_leads_to_a_path_on_this_site(player):
    url = "/join?next=" + quote("/rounds/7?tab=1", safe="")
    response = player.post_form(url, url, {"nickname": "Alice"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/rounds/7?tab=1"


OFF_SITE = ["https://evil.com/", "//evil.com", "///evil.com", "/\\evil.com", "\\\\evil.com", "http:/evil.com",
            "javascript:alert(1)", "/\t/evil.com", "evil.com"]


def assert_goes_home(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 303
    location = urlsplit(response.headers["Location"])
    assert (location.scheme, location.netloc, location.path) == ("", "", "/")


@pytest.mark.parametrize("target", OFF_SITE)
def test_next_never_leads_off_site_after_joining(player, target):
    url = "/join?next=" + quote(target, safe="")
    assert_goes_home(player.post_form(url, url, {"nickname": "Alice"}))


@pytest.mark.parametrize("target", ["https://evil.com/", "//evil.com"])
def test_next_never_leads_off_site_after_logging_in(make, player, target):
    make.user("Boris", password="correct horse")
    url = "/login?next=" + quote(target, safe="")
    assert_goes_home(player.post_form(url, url, {"username": "Boris", "password": "correct horse"}))

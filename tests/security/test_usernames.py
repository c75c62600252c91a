"""Usernames through the real forms: lookalikes across scripts, NFKC twins, invisible and control characters."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import User
from tests.conftest import Player, csrf_from
from tests.factories import Factory
from tests.security.conftest import assert_safe, snapshot, text

TAKEN = "That name is taken. Try another one."
INVALID = "Use letters, digits, _ and - only."


def register(app, name: str):  # type: ignore[no-untyped-def]
    return Player(app.test_client()).post_form(
        "/register", "/register", {"username": name, "password": "long enough", "confirm": "long enough"})


def usernames() -> list[str]:
    db.session.rollback()
    return list(db.session.scalars(select(User.username).order_by(User.id)))


TWINS = [
    ("Admin", "\u0410dmin", "cyrillic-capital-A"),
    ("\u0410dmin", "Admin", "latin-after-cyrillic"),
    ("Admin", "\u0391dmin", "greek-capital-alpha"),
    ("admin", "\u0430dm\u0456n", "cyrillic-a-and-i"),
    ("admin", "adm\u0131n", "dotless-i"),
    ("admin", "\uff41\uff44\uff4d\uff49\uff4e", "fullwidth"),
    ("Admin", "ADMIN", "case"),
    ("Fiona", "\ufb01ona", "fi-ligature"),
    ("Strasse", "Stra\u00dfe", "sharp-s"),
    ("Jos\u00e9", "Jose\u0301", "decomposed-accent"),
    ("paypal", "\u0440\u0430\u0443\u0440\u0430l", "mostly-cyrillic"),
]


@pytest.mark.parametrize(("first", "second", "_name"), TWINS, ids=[twin[2] for twin in TWINS])
def test_a_registered_name_blocks_its_lookalikes_and_nfkc_twins(fresh_db, first, second, _name):
    Factory().user(first, password="long enough")
    before = snapshot()
    response = register(fresh_db, second)
    assert response.status_code == 422
    assert TAKEN in text(response)
    assert snapshot() == before


def test_a_guests_nickname_blocks_a_lookalike_registration_and_the_other_way_round(fresh_db):
    assert Player(fresh_db.test_client()).join("Admin").status_code == 303
    assert TAKEN in text(register(fresh_db, "\u0410dmin"))
    assert register(fresh_db, "B\u043eris").status_code == 303  # a Cyrillic о: a name of its own while unique
    response = Player(fresh_db.test_client()).post_form("/join", "/join", {"nickname": "Boris"})
    assert TAKEN in text(response)
    assert usernames() == ["Admin", "B\u043eris"]


def test_names_are_stored_in_their_nfkc_form(fresh_db):
    assert register(fresh_db, "\uff2e\uff49\uff4e\uff41").status_code == 303  # fullwidth Ｎｉｎａ
    assert register(fresh_db, "Jose\u0301").status_code == 303
    assert usernames() == ["Nina", "Jos\u00e9"]


BAD = [
    ("ad\u200bmin", "zero-width-space"),
    ("ad\u200dmin", "zero-width-joiner"),
    ("\ufeffadmin", "byte-order-mark"),
    ("ad\u2060min", "word-joiner"),
    ("\u202eadmin", "right-to-left-override"),
    ("ad\u2066min\u2069", "bidi-isolate"),
    ("ad\u200fmin", "right-to-left-mark"),
    ("ad\x07min", "bell"),
    ("ad\x1bmin", "escape"),
    ("ad\x7fmin", "delete"),
    ("ad\u0085min", "next-line"),
    ("ad\u2028min", "line-separator"),
    ("ad\u3164min", "hangul-filler"),
    ("ad\u034fmin", "combining-grapheme-joiner"),
    ("ad\tmin", "tab"),
    ("ad min", "space"),
]


@pytest.mark.parametrize(("name", "_kind"), BAD, ids=[bad[1] for bad in BAD])
def test_invisible_control_and_bidi_characters_are_refused_at_registration(fresh_db, name, _kind):
    response = register(fresh_db, name)
    assert response.status_code == 422
    assert INVALID in text(response)
    assert_safe(response)
    assert usernames() == []


def test_a_lookalike_is_not_a_way_into_the_account(fresh_db):
    Factory().user("Admin", password="admin-password")
    spoof = Player(fresh_db.test_client())
    response = spoof.login("\u0410dmin", "admin-password")
    assert response.status_code == 422
    assert "Wrong username or password." in text(response)


def test_a_name_logs_in_whatever_its_case_or_width(fresh_db):
    Factory().user("Admin", password="admin-password")
    assert Player(fresh_db.test_client()).login("\uff41\uff44\uff4d\uff49\uff4e", "admin-password").status_code == 303


@pytest.mark.parametrize("body", [b"username=ad%00min", b"username=ad%FFmin", b"username=ad\xc3min"],
                         ids=["nul", "invalid-utf8-escaped", "invalid-utf8-raw"])
def test_nul_and_invalid_utf8_in_a_username_are_refused_before_any_database(fresh_db, body):
    """Refused with 400 before the database sees them (PostgreSQL would raise on a NUL in text)."""
    visitor = Player(fresh_db.test_client())
    page = text(visitor.get("/register"))
    data = b"csrf_token=" + csrf_from(page).encode() + b"&" + body + b"&password=long+enough&confirm=long+enough"
    response = visitor.client.post("/register", data=data, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "Nothing was saved." in text(response)
    assert usernames() == []

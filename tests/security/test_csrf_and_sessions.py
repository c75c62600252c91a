"""CSRF on every state-changing request, and session cookies: flags, lifetime, a fresh session at login, logout."""
from __future__ import annotations

import io
import json
import re
import time
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from types import SimpleNamespace

import pytest
from flask import Flask
from flask_login.utils import encode_cookie
from werkzeug.datastructures import MultiDict

from tests.conftest import Player, csrf_from
from tests.security.conftest import CSRF_MESSAGE, HTMX, World, editor_form, snapshot, text, token

# --- CSRF ------------------------------------------------------------------------------------------


def import_file() -> tuple[io.BytesIO, str]:
    document = {"format": "two-truths/rounds@1", "rounds": [
        {"kind": "poll", "title": "Forged import", "options": [{"text": "a"}, {"text": "b"}]}]}
    return io.BytesIO(json.dumps(document).encode()), "rounds.json"


def post_cases(world: World) -> dict[str, tuple[str, str, list[tuple[str, object]]]]:
    """For every POST route: who posts, where, and a form that would change something if it got through."""
    return {
        "auth.join": ("visitor", "/join", [("nickname", "Forged")]),
        "auth.register": ("visitor", "/register", [("username", "Forged"), ("password", "long enough"),
                                                   ("confirm", "long enough")]),
        "auth.login": ("visitor", "/login", [("username", "pat"), ("password", "pat-password")]),
        "auth.logout": ("pat", "/logout", []),
        "auth.set_password": ("pat", "/account/password", [("password", "new password"), ("confirm", "new password")]),
        "auth.language": ("pat", "/language", [("lang", "ru")]),
        "play.answer": ("pat", f"/rounds/{world.open_facts}/answer", [("marks", str(i)) for i in world.false_ids]),
        "play.dismiss_welcome": ("pat", "/welcome/dismiss", []),
        "rounds.edit": ("host", "/curator/rounds/new/facts", editor_form(title="Forged round")),
        "rounds.edit (existing)": ("host", f"/curator/rounds/{world.open_facts}/edit",
                                   editor_form(title="Forged title", action="save")),
        "rounds.close": ("host", f"/curator/rounds/{world.open_facts}/close", []),
        "rounds.extend": ("host", f"/curator/rounds/{world.open_facts}/extend", [("closes_choice", "1w"), ("tz", "UTC")]),
        "rounds.delete": ("host", f"/curator/rounds/{world.scheduled}/delete", [("confirm", "yes")]),
        "rounds.people": ("host", "/curator/people", [("username", "pat")]),
        "rounds.import_json": ("host", "/curator/import", [("file", import_file())]),
        "announce.manage": ("host", "/curator/channels/", [("target", "site"), ("kind", "telegram"),
                                                           ("secret", "1:FORGED"), ("chat_id", "@forged"),
                                                           ("language", "en")]),
        "announce.remove": ("host", "/curator/channels/1/remove", []),
        "announce.test": ("host", "/curator/channels/1/test", []),
    }


def post_endpoints(app: Flask) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ())}


def test_the_cases_cover_every_post_route(app, world):
    covered = {name.split(" ")[0] for name in post_cases(world)}
    assert covered == post_endpoints(app)


def state(app: Flask, player: Player) -> tuple:  # type: ignore[type-arg]
    """The database and this client's session: a refused request changes neither."""
    with player.client.session_transaction() as session:
        # Flask-Login notes on any request that a session is no longer fresh; that is bookkeeping, not state.
        kept = {key: value for key, value in session.items() if key != "_fresh"}
    return snapshot(), kept


# Every POST but the language switch, which is exempt on purpose (the test after the next one says why).
CASE_NAMES = ["auth.join", "auth.register", "auth.login", "auth.logout", "auth.set_password",
              "play.answer", "play.dismiss_welcome", "rounds.edit", "rounds.edit (existing)", "rounds.close", "rounds.extend",
              "rounds.delete", "rounds.people", "rounds.import_json", "announce.manage", "announce.remove",
              "announce.test"]


FORGERIES = ["missing", "foreign", "garbage", "header-from-another-session"]


@pytest.mark.parametrize("name", CASE_NAMES)
def test_a_post_without_its_own_csrf_token_is_refused_with_400_and_changes_nothing(app, world, name):
    who, url, _form = post_cases(world)[name]
    player: Player = getattr(world, who)
    stranger = Player(app.test_client())
    token(player)  # the player's own session has a token too; it just is not sent
    for forged in FORGERIES:
        for htmx in (False, True):
            where = f"{name}, {forged} token, {'htmx' if htmx else 'page'}"
            headers = dict(HTMX) if htmx else {}
            fields = MultiDict(post_cases(world)[name][2])  # fresh, since an upload can be read once
            if forged == "foreign":
                fields.add("csrf_token", token(stranger))
            elif forged == "garbage":
                fields.add("csrf_token", "IjAwMDAi.Zz9aaA.forged")
            elif forged == "header-from-another-session":
                headers["X-CSRFToken"] = token(stranger)
            before = state(app, player)

            response = player.client.post(url, data=fields, headers=headers)

            body = text(response)
            if name.startswith("play.answer") and not htmx:
                # Sent back to the round with its marks to send again from a fresh form (tests/play/test_answer.py).
                assert response.status_code == 303, where
                assert response.headers["Location"].startswith(url.removesuffix("/answer") + "?marks="), where
                player.get(response.headers["Location"])  # where the message it left in the session is shown
            else:
                assert response.status_code == 400, where
                assert CSRF_MESSAGE in body, where
                if htmx:
                    assert "<html" not in body and body.lstrip().startswith('<div id="error-message"'), where
                else:
                    assert "<html" in body, where
            assert state(app, player) == before, where


def test_the_language_switch_alone_takes_no_token_and_can_change_nothing_but_the_language(app, world):
    """Exempt so that pages visitors only read set no cookie (a front cache can keep them); a forged
    switch changes the display language, which the switcher on every page changes back, and nothing else."""
    assert post_endpoints(app) - {"auth.language"} == {name.split(" ")[0] for name in CASE_NAMES}
    before = snapshot()
    with world.pat.client.session_transaction() as session:
        signed_in_as = session["_user_id"]
    response = world.pat.client.post("/language", data={"lang": "ru", "next": "https://evil.example/"})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert snapshot() == before
    with world.pat.client.session_transaction() as session:
        assert (session["lang"], session["_user_id"]) == ("ru", signed_in_as)


@pytest.mark.parametrize("headers", [{"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"},
                                     {"Origin": "https://evil.example"}, {"Origin": "null"}],
                         ids=["fetch-cross-site", "fetch-same-site", "origin-elsewhere", "origin-null"])
def test_a_language_switch_posted_from_another_site_changes_nothing(app, world, headers):
    """With SameSite=Lax such a post arrives without the session cookie: a new session in reply would sign
    the player out, and a guest would lose their account. It is refused, and sets no cookie."""
    stranger = Player(app.test_client())
    response = stranger.client.post("/language", data={"lang": "ru"}, headers=headers)
    assert response.status_code == 303 and "Set-Cookie" not in response.headers
    with world.pat.client.session_transaction() as session:
        before = dict(session)
    world.pat.client.post("/language", data={"lang": "ru"}, headers=headers)
    with world.pat.client.session_transaction() as session:
        assert dict(session) == before and "lang" not in session


@pytest.mark.parametrize("headers", [{"Sec-Fetch-Site": "same-origin"}, {"Sec-Fetch-Site": "none"},
                                     {"Origin": "http://localhost"}, {}],
                         ids=["fetch-same-origin", "fetch-typed-or-bookmarked", "origin-here", "neither-header"])
def test_a_language_switch_from_this_site_is_taken(world, headers):
    world.pat.client.post("/language", data={"lang": "ru"}, headers=headers)
    with world.pat.client.session_transaction() as session:
        assert session["lang"] == "ru"


def test_an_htmx_post_may_carry_the_token_in_the_header_the_body_tag_sets(world):
    page = text(world.pat.get(f"/rounds/{world.open_facts}"))
    [header_token] = re.findall(r'<body hx-headers:inherited=\'\{"X-CSRFToken": "([^"]+)"\}\'', page)
    response = world.pat.client.post(f"/rounds/{world.open_facts}/answer",
                                     data=MultiDict([("marks", str(i)) for i in world.false_ids]),
                                     headers={**HTMX, "X-CSRFToken": header_token})
    assert response.status_code == 200
    assert "You answered" in text(response)


# --- session cookies -------------------------------------------------------------------------------


def set_cookie(response, name: str = "session") -> str:  # type: ignore[no-untyped-def]
    [header] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "=")]
    return header


def attributes(header: str) -> dict[str, str]:
    parts = [part.strip() for part in header.split(";")[1:]]
    return {part.split("=", 1)[0].lower(): (part.split("=", 1)[1] if "=" in part else "") for part in parts}


@pytest.mark.parametrize("how", ["login", "join", "register"])
def test_the_session_cookie_is_httponly_samesite_lax_and_expires(app, make, visitor, how):
    make.user("pat", password="pat-password")
    if how == "login":
        response = visitor.login("pat", "pat-password")
    elif how == "join":
        response = visitor.join("Gina")
    else:
        response = visitor.post_form("/register", "/register",
                                     {"username": "Boris", "password": "long enough", "confirm": "long enough"})
    assert response.status_code == 303
    cookie = attributes(set_cookie(response))
    assert "httponly" in cookie
    assert cookie["samesite"].lower() == "lax"
    assert "secure" not in cookie  # plain HTTP in development; production turns it on
    lifetime = app.config["PERMANENT_SESSION_LIFETIME"]
    assert isinstance(lifetime, timedelta) and timedelta(0) < lifetime <= timedelta(days=90)
    expires = parsedate_to_datetime(cookie["expires"])
    assert abs(expires - (datetime.now(UTC) + lifetime)) < timedelta(minutes=1)


def signed_days_ago(monkeypatch, days: float) -> None:  # type: ignore[no-untyped-def]
    """Make session cookies signed from now on carry a time that many days back: in the signature, which the
    lifetime is checked against, and in the session's own stamp, which the daily refresh is judged by."""
    from itsdangerous import TimestampSigner

    from quizapp import web

    signed_at = int(time.time() - days * 86400)
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: signed_at)
    monkeypatch.setattr(web, "time", SimpleNamespace(time=lambda: signed_at))


def test_an_unchanged_session_is_not_signed_again_on_every_request(visitor):
    assert visitor.join("Gina").status_code == 303
    visitor.get("/")  # the first page after signing in stores a new CSRF token: a change, so it is sent
    response = visitor.get("/")
    assert "Gina" in text(response)
    assert [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")] == []


def test_a_session_signed_over_a_day_ago_is_signed_again_and_lasts_a_lifetime_from_now(app, visitor, monkeypatch):
    with monkeypatch.context() as patched:
        signed_days_ago(patched, 2)
        assert visitor.join("Gina").status_code == 303
        visitor.get("/")  # the session's last change: its CSRF token
    response = visitor.get("/")
    assert "Gina" in text(response)
    expires = parsedate_to_datetime(attributes(set_cookie(response))["expires"])
    assert abs(expires - (datetime.now(UTC) + app.config["PERMANENT_SESSION_LIFETIME"])) < timedelta(minutes=1)
    assert "Gina" in text(visitor.get("/"))


def test_a_session_signed_longer_ago_than_its_lifetime_is_signed_out(app, visitor, monkeypatch):
    days = app.config["PERMANENT_SESSION_LIFETIME"].days + 1
    with monkeypatch.context() as patched:
        signed_days_ago(patched, days)
        assert visitor.join("Gina").status_code == 303
    # The browser would have dropped it; one that sends it anyway is not signed in by it.
    visitor.client.set_cookie("session", visitor.client.get_cookie("session").value)
    assert "Gina" not in text(visitor.get("/"))


def test_a_session_signed_with_a_retired_key_is_signed_again_with_the_current_one(app, visitor):
    """Rotating keys: cookies signed with the fallback key move to the new key at once, not a day later."""
    from itsdangerous import BadSignature, URLSafeTimedSerializer

    assert visitor.join("Gina").status_code == 303
    visitor.get("/")  # its CSRF token stored: from here on the session is unchanged
    old_key = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = app.secret_key = "a-new-key-" + "n" * 40
    app.config["SECRET_KEY_FALLBACKS"] = [old_key]
    response = visitor.get("/")
    assert "Gina" in text(response)
    cookie = set_cookie(response).split(";")[0].split("=", 1)[1]
    interface = app.session_interface
    only_new = URLSafeTimedSerializer(app.secret_key, salt=interface.salt, serializer=interface.serializer,
                                      signer_kwargs={"key_derivation": interface.key_derivation,
                                                     "digest_method": interface.digest_method})
    try:
        only_new.loads(cookie)
    except BadSignature:
        pytest.fail("the re-sent cookie is not signed with the current key")
    assert [h for h in visitor.get("/").headers.getlist("Set-Cookie") if h.startswith("session=")] == []


def test_the_session_cookie_is_secure_when_configured(app, make, visitor):
    app.config["SESSION_COOKIE_SECURE"] = True
    make.user("pat", password="pat-password")
    response = visitor.login("pat", "pat-password")
    assert "secure" in attributes(set_cookie(response))


def test_login_starts_a_fresh_session(make, visitor):
    make.user("pat", password="pat-password")
    visitor.get("/")
    with visitor.client.session_transaction() as session:
        session["planted"] = "by an attacker"
        session["_user_id"] = "999"
        session["lang"] = "ru"
    before = visitor.client.get_cookie("session").value

    assert visitor.login("pat", "pat-password").status_code == 303

    assert visitor.client.get_cookie("session").value != before
    with visitor.client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] != "999"
        assert session["lang"] == "ru"  # the language choice is the visitor's own and survives


def test_a_token_from_before_login_does_not_work_after_it(world, visitor, make):
    old_token = token(visitor, "/login")
    assert visitor.login("pat", "pat-password").status_code == 303
    response = visitor.client.post("/account/password",
                                   data={"csrf_token": old_token, "password": "new password", "confirm": "new password"})
    assert response.status_code == 400


def test_logout_clears_the_session(world):
    pat = world.pat
    with pat.client.session_transaction() as session:
        session["planted"] = "x"
    assert pat.post_form("/", "/logout", {}).status_code == 303
    with pat.client.session_transaction() as session:
        assert "_user_id" not in session
        assert "planted" not in session
    assert "Log in" in text(pat.get("/"))
    assert pat.get("/account/password").status_code in (302, 303)


def test_logout_clears_a_remember_me_cookie(app, world):
    """A remember-me cookie (from an older version, or a shared computer) must not log the player back in."""
    with app.test_request_context():
        remember = encode_cookie(str(world.pat_id))
    pat = world.pat
    pat.client.set_cookie("remember_token", remember)

    response = pat.post_form("/", "/logout", {})

    assert response.status_code == 303
    assert any(h.startswith("remember_token=;") for h in response.headers.getlist("Set-Cookie"))
    assert pat.get("/account/password").status_code in (302, 303)


def test_no_remember_me_cookie_is_ever_set(world, visitor):
    response = visitor.login("pat", "pat-password")
    assert [h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token=")] == []


@pytest.mark.parametrize(("referrer", "taken"), [(None, False), ("https://elsewhere.example/rounds", False),
                                                 ("http://localhost/rounds", False), ("https://localhost/rounds", True)],
                         ids=["no-referrer", "another-site", "this-host-without-tls", "this-site"])
def test_over_https_a_post_must_also_come_from_a_page_of_this_site(world, referrer, taken):
    """Behind TLS the token is not enough: the Referer must be this site, so a page on plain HTTP can't post."""
    round_url = f"/rounds/{world.open_facts}"
    page_token = csrf_from(text(world.pat.client.get(round_url, base_url="https://localhost")))
    headers = {**HTMX, **({"Referer": referrer} if referrer else {})}
    response = world.pat.client.post(f"{round_url}/answer", base_url="https://localhost", headers=headers,
                                     data=MultiDict([("csrf_token", page_token), *(("marks", i) for i in world.false_ids)]))
    if taken:
        assert response.status_code == 200
        assert "You answered" in text(response)
    else:
        assert response.status_code == 400
        assert CSRF_MESSAGE in text(response)

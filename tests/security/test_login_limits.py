"""Failed logins per account, from every address together; a browser the owner signed in with is spared."""
from __future__ import annotations

from flask import Flask
from itsdangerous import URLSafeTimedSerializer

from quizapp.auth.devices import COOKIE, SALT
from tests.conftest import Player
from tests.security.conftest import text

MESSAGE = "Too many attempts. Wait a moment and try again."


def from_address(app: Flask, address: str) -> Player:
    player = Player(app.test_client())
    player.client.environ_base["REMOTE_ADDR"] = address
    return player


def guess_from_many_addresses(app: Flask, username: str, guesses: int) -> list[int]:
    return [from_address(app, f"10.0.{i // 250}.{i % 250 + 1}").login(username, f"guess {i}").status_code
            for i in range(guesses)]


def owners_browser(app: Flask) -> Player:
    """Pat's own browser: it signed in once, then out."""
    owner = from_address(app, "192.0.2.10")
    assert owner.login("pat", "pat-password").status_code == 303
    owner.post_form("/", "/logout", {})
    return owner


def limit_account(app: Flask, value: str = "3 per hour") -> None:
    app.config["RATE_LIMIT_LOGIN_ACCOUNT"] = value


def test_failed_logins_from_many_addresses_lock_the_account_for_strangers(app, make):
    make.user("pat", password="pat-password")
    limit_account(app)
    assert guess_from_many_addresses(app, "pat", 3) == [422, 422, 422]
    stranger = from_address(app, "198.51.100.7")
    response = stranger.login("pat", "pat-password")  # even the right password: a guesser would learn it
    assert response.status_code == 429
    assert MESSAGE in text(response)
    assert "Log out" not in text(stranger.get("/"))


def test_the_account_limit_counts_names_as_the_unique_key_does(app, make):
    make.user("pat", password="pat-password")
    limit_account(app)
    for name in ("pat", "PAT", "Pat"):
        assert from_address(app, "203.0.113.1").login(name, "wrong").status_code == 422
    assert from_address(app, "203.0.113.2").login("pAt", "pat-password").status_code == 429


def test_the_default_allows_twenty_failures_an_hour_per_account(app, make):
    make.user("pat", password="pat-password")
    assert guess_from_many_addresses(app, "pat", 21) == [422] * 20 + [429]


def test_a_browser_that_signed_in_before_is_neither_counted_nor_locked_out(app, make):
    make.user("pat", password="pat-password")
    limit_account(app)
    owner = owners_browser(app)
    assert guess_from_many_addresses(app, "pat", 3) == [422, 422, 422]
    assert owner.login("pat", "a typo").status_code == 422  # the owner's own typo: not a 429
    assert owner.login("pat", "pat-password").status_code == 303
    assert "Log out" in text(owner.get("/"))


def test_the_owners_typos_do_not_use_up_the_account_limit(app, make):
    make.user("pat", password="pat-password")
    limit_account(app)
    owner = owners_browser(app)
    for _ in range(3):
        assert owner.login("pat", "a typo").status_code == 422
    assert from_address(app, "198.51.100.7").login("pat", "pat-password").status_code == 303


def test_a_device_cookie_spares_only_the_accounts_it_names(app, make):
    make.user("pat", password="pat-password")
    make.user("kim", password="kim-password")
    limit_account(app)
    owner = owners_browser(app)
    guess_from_many_addresses(app, "kim", 3)
    assert owner.login("kim", "kim-password").status_code == 429


def test_a_forged_or_foreign_device_cookie_spares_nobody(app, make):
    make.user("pat", password="pat-password")
    limit_account(app)
    guess_from_many_addresses(app, "pat", 3)
    forged = URLSafeTimedSerializer("another-secret", salt=SALT).dumps(["pat"])
    for value in (forged, "pat", '["pat"]'):
        attacker = from_address(app, "198.51.100.7")
        attacker.client.set_cookie(COOKIE, value)
        assert attacker.login("pat", "pat-password").status_code == 429


def test_the_device_cookie_is_long_lived_http_only_and_lax(app, make):
    make.user("pat", password="pat-password")
    response = Player(app.test_client()).login("pat", "pat-password")
    cookie = next(header for header in response.headers.getlist("Set-Cookie") if header.startswith(f"{COOKIE}="))
    attributes = {part.strip().split("=")[0].lower(): part for part in cookie.split(";")}
    assert "httponly" in attributes
    assert attributes["samesite"].strip() == "SameSite=Lax"
    assert int(attributes["max-age"].split("=")[1]) >= 300 * 24 * 3600


def test_a_failed_login_sets_no_device_cookie(app, make):
    make.user("pat", password="pat-password")
    response = Player(app.test_client()).login("pat", "wrong")
    assert not any(header.startswith(f"{COOKIE}=") for header in response.headers.getlist("Set-Cookie"))


def test_with_rate_limits_off_the_account_is_never_locked(app, make):
    make.user("pat", password="pat-password")
    limit_account(app, "1 per hour")
    app.config["RATELIMIT_ENABLED"] = False
    guess_from_many_addresses(app, "pat", 3)
    assert from_address(app, "198.51.100.7").login("pat", "pat-password").status_code == 303

"""The per-account login limit, and the signed cookie that spares a browser its owner has signed in with.

The per-address limit alone lets a password guesser spread over many addresses. Counting failures per
account stops that, but a limit anyone can use up would let an attacker lock the owner out; so a browser
that has signed into the account before carries a signed cookie naming it, and is neither counted nor
refused by this limit (the per-address one still applies to it).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Response, after_this_request, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from quizapp.extensions import limiter
from quizapp.models import User
from quizapp.rules.usernames import normalise

COOKIE = "device"
SALT = "quizapp.device"
LIMIT = "RATE_LIMIT_LOGIN_ACCOUNT"
# Accounts one browser remembers, the latest first: a family computer, not a collection.
KEPT_ACCOUNTS = 10


@dataclass(frozen=True)
class LoginAttempt:
    account: str  # the name's uniqueness key, as User.username_key holds it
    known_device: bool


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=SALT)  # type: ignore[arg-type]


def _lifetime_seconds() -> int:
    return int(current_app.config["DEVICE_COOKIE_LIFETIME"].total_seconds())


def accounts_on_this_device() -> list[str]:
    """The accounts this browser has signed into, from its signed cookie; none if it is missing or forged."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return []
    try:
        accounts: Any = _serializer().loads(raw, max_age=_lifetime_seconds())
    except BadSignature:
        return []
    if not isinstance(accounts, list):
        return []
    return [account for account in accounts if isinstance(account, str)]


def begin_login(username: str) -> LoginAttempt:
    """Refuse (429) a login to an account with too many failures, unless this browser signed into it before.

    Checked before the password, so a guesser past the limit learns nothing even from the right one.
    """
    attempt = LoginAttempt(normalise(username), normalise(username) in accounts_on_this_device())
    if not attempt.known_device and current_app.config["RATELIMIT_ENABLED"]:
        limiter.refuse_if_over(LIMIT, attempt.account)
    return attempt


def count_failed_login(attempt: LoginAttempt) -> None:
    """Count a failed login against the account, unless it came from a browser the owner uses."""
    if not attempt.known_device and current_app.config["RATELIMIT_ENABLED"]:
        limiter.hit(LIMIT, attempt.account)


def remember_device(user: User) -> None:
    """Mark this browser as one that signed into the user's account (the response gets the cookie)."""
    accounts = [user.username_key] + [a for a in accounts_on_this_device() if a != user.username_key]
    value = _serializer().dumps(accounts[:KEPT_ACCOUNTS])

    @after_this_request
    def set_cookie(response: Response) -> Response:
        # Long-lived and script-proof; Lax, so a cross-site form post cannot use it (nor does it need it).
        response.set_cookie(COOKIE, value, max_age=_lifetime_seconds(), httponly=True, samesite="Lax",
                            secure=current_app.config["SESSION_COOKIE_SECURE"])
        return response

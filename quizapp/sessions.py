"""Flask's signed-cookie sessions, re-signed once a day rather than on every request."""
from __future__ import annotations

import time

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from itsdangerous import BadSignature, URLSafeTimedSerializer

# A permanent session's cookie is re-signed, and its 30 days start again, once it is this old.
REFRESH_AFTER_SECONDS = 24 * 60 * 60


class SignedSession(SecureCookieSession):
    """A session that knows when its cookie was signed (None for a new one)."""

    signed_at: float | None = None


class DailyRefreshedSessions(SecureCookieSessionInterface):
    """Refresh an unchanged permanent session's cookie once a day instead of on every response.

    Flask re-signs and re-sends a permanent session's cookie with every response, to slide its expiry.
    A day's granularity slides it just as well, and spares every request of a signed-in player an HMAC and
    a Set-Cookie header. A changed session is still sent at once.
    """

    session_class = SignedSession

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        # Flask builds a new serializer twice a request; the key and its fallbacks are what it depends on.
        key = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        kept = app.extensions.get("quizapp_session_serializer")
        if kept is None or kept[0] != key:
            kept = app.extensions["quizapp_session_serializer"] = (key, super().get_signing_serializer(app))
        return kept[1]  # type: ignore[no-any-return]

    def open_session(self, app: Flask, request: Request) -> SignedSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        session = self.session_class(data)
        session.signed_at = signed_at.timestamp()
        if app.config["SECRET_KEY_FALLBACKS"] and not self._signed_with_current_key(app, value, max_age):
            session.signed_at = None  # signed with an old key: sign it with the current one now
        return session

    def _signed_with_current_key(self, app: Flask, value: str, max_age: int) -> bool:
        current = URLSafeTimedSerializer(app.secret_key, salt=self.salt, serializer=self.serializer,  # type: ignore[arg-type]
                                         signer_kwargs={"key_derivation": self.key_derivation,
                                                        "digest_method": self.digest_method})
        try:
            current.loads(value, max_age=max_age)
        except BadSignature:
            return False
        return True

    def should_set_cookie(self, app: Flask, session: SessionMixin) -> bool:
        if session.modified:
            return True
        if not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            return False
        signed_at = getattr(session, "signed_at", None)
        return signed_at is None or time.time() - signed_at >= REFRESH_AFTER_SECONDS

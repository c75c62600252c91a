"""Friendly error pages, and small fragments for htmx so a page never lands inside a target."""
from __future__ import annotations

import logging

from flask import Flask, current_app, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from quizapp.extensions import db, read_only_transaction
from quizapp.logs import log_event
from quizapp.ratelimit import RateLimited
from quizapp.web import is_htmx

MESSAGES = {
    400: _l("The request could not be understood. Reload the page and try again."),
    403: _l("You are not allowed to do that."),
    404: _l("There is nothing here."),
    405: _l("That action is not available here."),
    409: _l("That changed while you were working on it. Reload the page and try again."),
    413: _l("That is too large to send."),
    422: _l("Some of what you sent is not valid."),
    429: _l("Too many attempts. Wait a moment and try again."),
    500: _l("Something went wrong on our side. Nothing was saved; please try again."),
    503: _l("The server is busy. Nothing was saved; please try again in a moment."),
}


# Where an htmx request's error lands: the page's message area, not the request's target, so a 429 or a 409 on an
# answer leaves the answer panel and the player's marks where they were (base.html renders it on every page).
ERROR_TARGET = {"HX-Retarget": "#flash-list", "HX-Reswap": "innerHTML"}


def render_error(code: int, message: str | None = None) -> tuple[str, int, dict[str, str]]:
    """Render the error as a fragment for htmx, shown in the page's message area, or as a page."""
    text = message or MESSAGES.get(code) or MESSAGES[500]
    if is_htmx():
        return render_template("errors/_error.html", code=code, message=text), code, ERROR_TARGET
    return render_template("errors/error.html", code=code, message=text), code, {}


def csrf_refused(error: CSRFError):  # type: ignore[no-untyped-def]
    """A form without a valid token (its session ended, or it came from another site): nothing done, say so."""
    log_event("csrf_rejected", logging.WARNING, reason=error.description)
    return render_error(400, str(_l("Your form expired or came from elsewhere. Reload the page and try again.")))


def init_app(app: Flask) -> None:
    """Register the error handlers."""

    app.register_error_handler(CSRFError, csrf_refused)

    @app.errorhandler(RateLimited)
    def rate_limited(error: RateLimited):  # type: ignore[no-untyped-def]
        # Say what to do, not what the limit is. Nothing was written: the page's reads need no write lock.
        read_only_transaction()
        body, code, headers = render_error(429)
        return body, code, {**headers, "Retry-After": str(error.retry_after)}

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):  # type: ignore[no-untyped-def]
        code = error.code or 500
        # Our own aborts carry a message for the user; werkzeug's stock descriptions are for developers.
        custom = error.description if error.description != type(error).description else None
        response = render_error(code, custom)
        if code == 405 and error.valid_methods:  # type: ignore[attr-defined]
            return response[0], code, {**response[2], "Allow": ", ".join(error.valid_methods)}  # type: ignore[attr-defined]
        return response

    @app.errorhandler(IntegrityError)
    def conflict(error: IntegrityError):  # type: ignore[no-untyped-def]
        # Views catch the conflicts they expect; anything else still leaves nothing half-written.
        db.session.rollback()
        log_event("integrity_conflict", logging.WARNING, error=error.orig)
        return render_error(409)

    @app.errorhandler(OperationalError)
    def database_busy(error: OperationalError):  # type: ignore[no-untyped-def]
        db.session.rollback()
        log_event("database_unavailable", logging.WARNING, error=error.orig)
        return render_error(ServiceUnavailable.code)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):  # type: ignore[no-untyped-def]
        db.session.rollback()
        current_app.logger.exception("unhandled error")
        return render_error(InternalServerError.code)

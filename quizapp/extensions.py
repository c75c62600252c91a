"""Flask extensions, created once and bound to the app in init_app."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.support import Translations
from flask import Flask, Request, has_request_context, request, session
from flask_babel import Babel, get_babel, get_translations
from flask_login import LoginManager, current_user
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from quizapp.ratelimit import RateLimiter

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


# Objects stay loaded after commit: a view that commits and then renders needs no second round of queries.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
limiter = RateLimiter()
rate_limit = limiter.limit

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MIGRATIONS = Path(__file__).with_name("migrations")


def select_locale() -> str | None:
    """Pick the UI language: a shared link's ?lang=, else the switcher's choice, else the browser's preference."""
    from flask import current_app

    if not has_request_context():
        return None  # CLI commands speak the default language
    # Every answer asks (its confirmation is kept per language): the request is looked up once, not per read.
    this_request = request._get_current_object()  # type: ignore[attr-defined]
    config = current_app.config
    languages = config["LANGUAGES"]
    # Link-preview crawlers send no Accept-Language: a shared link names its language (anything else is ignored).
    asked = _asked_language(this_request)
    if asked in languages:
        return asked
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    header = this_request.environ.get("HTTP_ACCEPT_LANGUAGE", "")
    return _best_language(header, tuple(languages)) or config["BABEL_DEFAULT_LOCALE"]


def _asked_language(this_request: Request) -> str | None:
    """The ?lang= of the request; None when its query is not UTF-8 (the 400 page that refuses it needs a language)."""
    if b"lang=" not in this_request.query_string:
        return None  # most requests, answers among them: no query to parse
    try:
        return this_request.args.get("lang")
    except UnicodeDecodeError:
        return None


@lru_cache(maxsize=1024)
def _best_language(header: str, languages: tuple[str, ...]) -> str | None:
    # Browsers send one of a few dozen headers; parsing one anew for every request was a fair share of a page.
    return parse_accept_header(header, LanguageAccept).best_match(languages)


def select_timezone() -> str | None:
    """Use the time zone the browser reported, if any."""
    return session.get("tz") if has_request_context() else None


def locale_and_zone() -> tuple[str, str]:
    """The names of the request's language and time zone, as Flask-Babel will pick them, without building either."""
    defaults = get_babel()
    return select_locale() or defaults.default_locale, select_timezone() or defaults.default_timezone


def init_app(app: Flask) -> None:
    """Bind every extension to the app."""
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    # Flask-Login's own context processor loads the user for every template; the proxy loads it only when used.
    login_manager.init_app(app, add_context_processor=False)
    app.context_processor(lambda: {"current_user": current_user})
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    # Flask-Babel's template callables look the translations up anew for every string (a few dozen a page);
    # these look them up once per request. The locale is settled before the first string is translated.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
    )
    limiter.init_app(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context():
            _tune_sqlite(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])


READS_ONLY = "quizapp_reads_only"


def read_only_transaction() -> None:
    """Begin the request's transaction for reading only: on SQLite, without taking the write lock.

    For a writing request refused before it wrote anything (over a rate limit, say), whose page still reads:
    a flood of refusals then never queues on the lock. Anything not committed is dropped.
    """
    db.session.rollback()
    db.session.connection(execution_options={READS_ONLY: True})


def _translations() -> Translations:
    # Kept with the request, not in `g`: an app context (and its `g`) can outlive one request, as in tests
    # and the shell, and the next request may be in another language.
    if not has_request_context():
        return get_translations()
    environ = request.environ
    translations = environ.get("quizapp.translations")
    if translations is None:
        translations = environ["quizapp.translations"] = get_translations()
    return translations


def configure_sqlite_connection(dbapi_connection: Any, busy_timeout_ms: int) -> None:
    """Set up a new SQLite connection: WAL, a busy timeout, foreign keys (the benchmark's reference uses it too)."""
    # Hand transaction control to SQLAlchemy, so a begin hook decides how each transaction starts.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _tune_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """Turn on WAL, a busy timeout and foreign keys; make write transactions begin immediately."""

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        configure_sqlite_connection(dbapi_connection, busy_timeout_ms)

    @event.listens_for(engine, "begin")
    def on_begin(conn):  # type: ignore[no-untyped-def]
        # A deferred transaction that later writes can fail with SQLITE_BUSY without waiting;
        # taking the write lock up front makes racing writers queue on the busy timeout instead.
        # A request that may write (any method but GET, HEAD and OPTIONS) takes it at its first statement, and its
        # views end the transaction by committing or by the request's end; reads alone never take it. Outside
        # requests (CLI, shell, tests) transactions stay deferred so an idle session never holds the lock.
        writing = (has_request_context() and request.method not in SAFE_METHODS
                   and not conn.get_execution_options().get(READS_ONLY))
        # Straight to the driver: this runs at the start of every request's transaction.
        conn.connection.driver_connection.execute("BEGIN IMMEDIATE" if writing else "BEGIN")

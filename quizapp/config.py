"""Configuration: defaults, then instance/config.py, then the environment."""
from __future__ import annotations

import json
import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask

DEFAULTS: dict[str, Any] = {
    # No ping before each checkout: it costs a round trip per request. A connection that died with a
    # database restart fails one request (a clear 503) and is then replaced by the pool.
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": False, "pool_recycle": 3600},
    "SQLALCHEMY_RECORD_QUERIES": False,
    "WTF_CSRF_TIME_LIMIT": None,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "PERMANENT_SESSION_LIFETIME": timedelta(days=30),
    # Flask would re-sign an unchanged permanent session on every response; web.refresh_session_daily does it daily.
    "SESSION_REFRESH_EACH_REQUEST": False,
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    # Templates link static files with their content hash (web.static_url), so a year-long cache is safe.
    "SEND_FILE_MAX_AGE_DEFAULT": 365 * 24 * 3600,
    # Closed rounds' reveals and the leaderboards, for visitors without a session: seconds a front cache may keep them.
    "SHARED_PAGE_MAX_AGE": 60,
    "BABEL_DEFAULT_LOCALE": "en",
    "LANGUAGES": ["en", "ru"],
    "SQLITE_BUSY_TIMEOUT_MS": 5000,
    "DEMO_ON_EMPTY": False,
    # The site's address as players reach it (https://quiz.example.org). Unset, redirects stay relative and
    # the CLI prints paths: a guessed address (it once was http://127.0.0.1:5000) names the wrong server.
    "PUBLIC_URL": None,
    # Where drawn preview cards are kept between restarts and shared by workers; unset: instance/cards.
    "CARD_CACHE_FOLDER": None,
    "LOG_LEVEL": "INFO",
    # Rate limits (Flask-Limiter syntax); counted per client address, answers per player. RATELIMIT_STORAGE_URI
    # defaults to a SQLite file in instance/ (set in load_config), shared by the workers of one machine.
    "RATELIMIT_ENABLED": True,
    "RATE_LIMIT_LOGIN": "10 per minute;50 per hour",
    # Failed logins per account from every address together; not counted from a browser that signed into
    # the account before (its device cookie), so nobody can lock the owner out (quizapp/auth/devices.py).
    "RATE_LIMIT_LOGIN_ACCOUNT": "20 per hour",
    "DEVICE_COOKIE_LIFETIME": timedelta(days=365),
    "RATE_LIMIT_REGISTER": "10 per minute;50 per hour",
    "RATE_LIMIT_JOIN": "60 per minute;600 per hour",
    "RATE_LIMIT_ANSWER": "30 per minute",
    # Behind a reverse proxy, trust this many X-Forwarded-* hops for the client address and scheme.
    "PROXY_FIX_HOPS": 0,
    "HSTS_SECONDS": 0,
    # The task queue (quizapp/tasks.py): unset, SQLite in instance/tasks.sqlite; a redis:// address with several
    # machines. TASKS_NAME keeps apart the queues of several sites on one Redis. Tests run tasks at once.
    "TASKS_URL": None,
    "TASKS_NAME": "quizapp",
    # Announcements (quizapp/announce): "closes soon" this long before the close; an attempt waits this long for
    # the receiver; a consumer holds a row it sends this long (more than the timeout), then another may take it.
    "ANNOUNCE_CLOSING_LEAD_SECONDS": 3600,
    "ANNOUNCE_TIMEOUT_SECONDS": 10,
    "ANNOUNCE_CLAIM_SECONDS": 60,
    # Seconds before each retry after a timeout, a 429 or a 5xx; one attempt more than there are delays.
    "ANNOUNCE_RETRY_DELAYS": [5, 15, 60, 300, 900, 3600],
    # The longest Retry-After honoured.
    "ANNOUNCE_RETRY_AFTER_MAX": 3600,
    "TELEGRAM_API_URL": "https://api.telegram.org",
    # Webhooks on private, loopback or link-local networks are refused unless this is true (intranets, tests).
    "WEBHOOK_ALLOW_PRIVATE": False,
}

ENV_PREFIX = "QUIZAPP_"
SECRET_FILE = "secret_key"


def load_config(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Fill app.config from defaults, the instance file, the environment, then the test overrides."""
    app.config.from_mapping(DEFAULTS)
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env(ENV_PREFIX.rstrip("_"), loads=_loads)
        if os.environ.get("DATABASE_URL"):
            app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(os.environ["DATABASE_URL"])
    else:
        app.config.from_mapping(test_config)
    app.config.setdefault("SQLALCHEMY_DATABASE_URI", f"sqlite:///{instance / 'quizapp.sqlite'}")
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(app.config["SQLALCHEMY_DATABASE_URI"])
    app.config.setdefault("RATELIMIT_STORAGE_URI", f"sqlite:///{instance / 'ratelimit.sqlite'}")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(instance / SECRET_FILE)


def normalise_database_url(url: str) -> str:
    """Point plain postgres URLs at the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _loads(value: str) -> Any:
    # Environment values are JSON when they parse as JSON (numbers, booleans), plain strings otherwise.
    try:
        return json.loads(value)
    except ValueError:
        return value


def _instance_secret(path: Path) -> str:
    """Read the generated secret key, creating it once with owner-only permissions."""
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        # Another worker created it first: use theirs so sessions agree.
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key)
    return key

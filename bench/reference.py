"""The reference endpoint: an answer at its barest, to measure the app against.

It does what POST /rounds/<id>/answer cannot avoid: read the signed session cookie (the same format, key and
session setup as the app's: Flask's stock cookie, refreshed daily, so neither re-signs an unchanged cookie), parse
the form, run one INSERT, and return a small HTML fragment. It runs under the same gunicorn settings and on the
same database engine setup as the app (SQLite pragmas, pool).
"""
from __future__ import annotations

import os
from datetime import UTC

from flask import Flask, request, session
from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    create_engine,
    event,
    insert,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from quizapp.access import PLAYER_KEY
from quizapp.config import DEFAULTS
from quizapp.extensions import configure_sqlite_connection
from quizapp.web import refresh_session_daily

metadata = MetaData()

reference_answer = Table(
    "bench_reference_answer",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("round_id", Integer, nullable=False),
    Column("player_id", Integer, nullable=False),
    Column("marks", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # The same guarantee as the app's answer table: one answer per player per round.
    UniqueConstraint("round_id", "player_id"),
)

CONFIRMATION = '<section id="round-panel"><p><strong>You answered. Thank you!</strong></p><p>{}</p></section>'
REJECTED = '<section id="round-panel"><p role="alert">Join first.</p></section>'


def make_engine(url: str) -> Engine:
    """An engine set up as the app's is: its default engine options (no pre-ping) and, on SQLite, the same
    connection setup (WAL, busy timeout, foreign keys) with writes beginning IMMEDIATE straight through the driver."""
    engine = create_engine(url, **DEFAULTS["SQLALCHEMY_ENGINE_OPTIONS"])
    if url.startswith("sqlite"):

        @event.listens_for(engine, "connect")
        def on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            configure_sqlite_connection(dbapi_connection, DEFAULTS["SQLITE_BUSY_TIMEOUT_MS"])

        @event.listens_for(engine, "begin")
        def on_begin(conn):  # type: ignore[no-untyped-def]
            conn.connection.driver_connection.execute("BEGIN IMMEDIATE")

    return engine


def create_app() -> Flask:
    """Create the reference app from BENCH_REF_DATABASE_URL and BENCH_REF_SECRET_KEY."""
    from datetime import datetime

    app = Flask(__name__)
    app.config["SECRET_KEY"] = os.environ["BENCH_REF_SECRET_KEY"]
    # Sessions as the app keeps them: Flask alone would re-sign the permanent session on every response, work
    # the app does once a day and an answer does not need.
    for name in ("SESSION_REFRESH_EACH_REQUEST", "PERMANENT_SESSION_LIFETIME"):
        app.config[name] = DEFAULTS[name]
    app.after_request(refresh_session_daily)
    engine = make_engine(os.environ["BENCH_REF_DATABASE_URL"])

    @app.post("/ref/rounds/<int:round_id>/answer")
    def answer(round_id: int) -> tuple[str, int]:
        player = session.get(PLAYER_KEY)  # [id, session generation], as the app reads it
        marks = request.form.getlist("marks")
        if not player or not marks:
            return REJECTED, 422
        row = {
            "round_id": round_id,
            "player_id": int(player[0]),
            "marks": ",".join(marks),
            "created_at": datetime.now(UTC),
        }
        try:
            with engine.begin() as conn:
                conn.execute(insert(reference_answer), row)
        except IntegrityError:
            pass  # answered before: the same confirmation, as in the app
        return CONFIRMATION.format(len(marks)), 200

    return app

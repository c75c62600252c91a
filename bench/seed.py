"""Benchmark data: a fresh schema, bulk-inserted players, rounds and answers, and offline-signed sessions."""
from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import Flask
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import insert, text

from quizapp.extensions import db
from quizapp.models import Answer, Mark, Round, Series, Statement, User
from quizapp.rules.usernames import normalise, skeleton
from quizapp.web import SESSION_STAMP

STATEMENTS_PER_ROUND = 10
FALSE_PER_ROUND = 3
CHUNK = 5000
# wrk sends this User-Agent; Flask-Login's session identifier is computed from it and the address.
USER_AGENT = "two-truths-bench"
CLIENT_ADDRESS = "127.0.0.1"


@dataclass(frozen=True)
class Size:
    """How much data to seed."""

    players: int
    closed_rounds: int
    answers: int
    series: int
    open_rounds: tuple[str, ...] = ("answers-c32", "answers-c128", "two-servers")


@dataclass
class OpenRound:
    id: int
    statement_ids: list[int]
    false_ids: set[int]


@dataclass
class Dataset:
    player_ids: list[int]
    open_rounds: dict[str, OpenRound]
    closed_round_id: int
    series_id: int
    answers_seeded: int
    marks_seeded: int
    # A player who answered the closed round whose reveal is measured: "reveal (player)" shows their own result.
    closed_round_player_id: int = 0
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)


def reset_postgres(url: str) -> None:
    """Create the benchmark database if it is missing, then empty its public schema."""
    target = sa.make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}).scalar()
        if not exists:
            conn.exec_driver_sql(f'CREATE DATABASE "{target.database}"')
    admin.dispose()
    engine = sa.create_engine(target, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


def make_app(url: str, secret: str, **config: object) -> Flask:
    """An in-process app on the benchmark database, for migrations, seeding and signing sessions."""
    from quizapp import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secret, "LOG_LEVEL": "WARNING", **config})


def create_schema(app: Flask) -> None:
    """Run the app's migrations, as production does, and add the reference endpoint's table."""
    from flask_migrate import upgrade

    from bench.reference import metadata as reference_metadata

    with app.app_context():
        upgrade()
        reference_metadata.create_all(db.engine)


def _chunks(rows: list[dict], size: int = CHUNK):  # type: ignore[type-arg]
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def _insert(conn: sa.Connection, table: sa.Table, rows: list[dict]) -> None:  # type: ignore[type-arg]
    for chunk in _chunks(rows):
        conn.execute(insert(table), chunk)


def seed(app: Flask, size: Size, rng: random.Random) -> Dataset:
    """Bulk-insert players, closed rounds with answers and marks, and the open rounds to answer."""
    now = datetime.now(UTC)
    users: list[dict] = []  # type: ignore[type-arg]
    curator_id = 1
    users.append(_user(curator_id, "bench_host", now, curator=True))
    player_ids = list(range(2, size.players + 2))
    users += [_user(pid, f"bench{pid - 1:05d}", now) for pid in player_ids]

    series_rows = [{"id": i, "curator_id": curator_id, "title": f"Week {i}"} for i in range(1, size.series + 1)]
    rounds: list[dict] = []  # type: ignore[type-arg]
    statements: list[dict] = []  # type: ignore[type-arg]
    falses: dict[int, set[int]] = {}
    stmt_ids: dict[int, list[int]] = {}
    next_statement = 1

    def add_round(round_id: int, title: str, opens: datetime, closes: datetime, series_id: int | None) -> None:
        nonlocal next_statement
        rounds.append({
            "id": round_id, "curator_id": curator_id, "series_id": series_id, "kind": "facts",
            "title": title, "intro": "Seven are true, three are false.", "published": True,
            "opens_at": opens, "closes_at": closes, "results_visibility": "after_close",
            "created_at": opens - timedelta(hours=1),
        })
        ids = list(range(next_statement, next_statement + STATEMENTS_PER_ROUND))
        next_statement += STATEMENTS_PER_ROUND
        false_ids = set(rng.sample(ids, FALSE_PER_ROUND))
        for position, sid in enumerate(ids):
            statements.append({
                "id": sid, "round_id": round_id, "position": position,
                "text": f"Fact {position + 1} of round {round_id}: I once did something remarkable, or did I?",
                "is_false": sid in false_ids,
                "explanation": f"The story behind fact {position + 1}." if sid in false_ids else "",
            })
        falses[round_id] = false_ids
        stmt_ids[round_id] = ids

    for index in range(size.closed_rounds):
        round_id = index + 1
        closes = now - timedelta(days=size.closed_rounds - index, hours=1)
        series_id = index * size.series // size.closed_rounds + 1 if size.series else None
        add_round(round_id, f"10 facts about host {round_id}", closes - timedelta(days=1), closes, series_id)
    open_rounds: dict[str, OpenRound] = {}
    for offset, name in enumerate(size.open_rounds):
        round_id = size.closed_rounds + offset + 1
        add_round(round_id, f"Open round: {name}", now - timedelta(hours=1), now + timedelta(days=1), None)
        open_rounds[name] = OpenRound(round_id, stmt_ids[round_id], falses[round_id])

    answers: list[dict] = []  # type: ignore[type-arg]
    marks: list[dict] = []  # type: ignore[type-arg]
    per_round = [size.answers // size.closed_rounds] * size.closed_rounds if size.closed_rounds else []
    for index in range(size.answers - sum(per_round)):
        per_round[index] += 1
    for index, count in enumerate(per_round):
        round_id = index + 1
        closes = rounds[index]["closes_at"]
        for pid in rng.sample(player_ids, min(count, len(player_ids))):
            answer_id = len(answers) + 1
            chosen = rng.sample(stmt_ids[round_id], FALSE_PER_ROUND)
            answers.append({
                "id": answer_id, "round_id": round_id, "player_id": pid, "option_id": None,
                "points": len(falses[round_id].intersection(chosen)), "max_points": FALSE_PER_ROUND,
                "created_at": closes - timedelta(minutes=rng.randint(1, 1400)),
            })
            marks += [{"answer_id": answer_id, "statement_id": sid} for sid in sorted(chosen)]

    with app.app_context():
        with db.engine.begin() as conn:
            _insert(conn, User.__table__, users)  # type: ignore[arg-type]
            _insert(conn, Series.__table__, series_rows)  # type: ignore[arg-type]
            _insert(conn, Round.__table__, rounds)  # type: ignore[arg-type]
            _insert(conn, Statement.__table__, statements)  # type: ignore[arg-type]
            _insert(conn, Answer.__table__, answers)  # type: ignore[arg-type]
            _insert(conn, Mark.__table__, marks)  # type: ignore[arg-type]
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                for table in ("user", "series", "round", "statement", "answer", "option"):
                    conn.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                        f"COALESCE((SELECT max(id) FROM \"{table}\"), 0) + 1, false)"
                    )
                conn.exec_driver_sql("ANALYZE")
    return Dataset(
        player_ids=player_ids,
        open_rounds=open_rounds,
        closed_round_id=size.closed_rounds,
        series_id=size.series,
        answers_seeded=len(answers),
        marks_seeded=len(marks),
        closed_round_player_id=next((a["player_id"] for a in reversed(answers)
                                     if a["round_id"] == size.closed_rounds), player_ids[-1]),
    )


def _user(uid: int, name: str, now: datetime, curator: bool = False) -> dict:  # type: ignore[type-arg]
    return {
        "id": uid, "username": name, "username_key": normalise(name), "username_skeleton": skeleton(name),
        "password_hash": None, "is_curator": curator, "created_at": now,
    }


def signed_sessions(app: Flask, player_ids: list[int], rng: random.Random) -> dict[int, tuple[str, str]]:
    """Each player's session cookie value and signed CSRF token, made offline as a login would make them.

    Flask-Login keeps `_user_id` (a string) and, for session protection, `_id` (a hash of the client
    address and User-Agent) and `_fresh`; the app keeps [player id, session generation] under quizapp.access.PLAYER_KEY; Flask-WTF keeps a raw token in `csrf_token` and expects the
    form field to be that token signed with the "wtf-csrf-token" salt. The session is permanent, as
    after a real join, and stamped as signed now, so the daily refresh leaves it alone.
    """
    from flask_login.utils import _create_identifier

    from quizapp.access import PLAYER_KEY

    with app.test_request_context(headers={"User-Agent": USER_AGENT}, environ_base={"REMOTE_ADDR": CLIENT_ADDRESS}):
        identifier = _create_identifier()
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    csrf = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token")
    sessions = {}
    signed_at = int(time.time())
    for pid in player_ids:
        raw = f"{rng.getrandbits(160):040x}"
        data = {"_permanent": True, "_user_id": str(pid), "_fresh": True, "_id": identifier, "csrf_token": raw,
                PLAYER_KEY: [pid, 0], SESSION_STAMP: signed_at}
        sessions[pid] = (serializer.dumps(data), csrf.dumps(raw))
    return sessions


def write_answer_lines(path: Path, round_: OpenRound, player_ids: list[int], sessions: dict[int, tuple[str, str]],
                       rng: random.Random) -> int:
    """Write one request per player: `cookie<TAB>form body`, each marking exactly the round's false count."""
    with path.open("w", encoding="ascii") as out:
        for pid in player_ids:
            cookie, token = sessions[pid]
            marks = rng.sample(round_.statement_ids, len(round_.false_ids))
            body = urlencode([("csrf_token", token), *(("marks", str(sid)) for sid in marks)])
            out.write(f"session={cookie}\t{body}\n")
    return len(player_ids)


def answer_counts(app: Flask, round_id: int, table: str = "answer") -> dict[str, int]:
    """The database's view of a round's answers: rows, distinct players, marks, and the round's tally."""
    with app.app_context():
        with db.engine.connect() as conn:
            if table == "answer":
                rows, players = conn.execute(
                    text("SELECT count(*), count(DISTINCT player_id) FROM answer WHERE round_id = :r"), {"r": round_id}
                ).one()
                marks = conn.execute(
                    text("SELECT count(*) FROM mark JOIN answer ON answer.id = mark.answer_id WHERE answer.round_id = :r"),
                    {"r": round_id},
                ).scalar_one()
                counter = conn.execute(text("SELECT coalesce(sum(answers), 0) FROM answer_tally WHERE round_id = :r"),
                                       {"r": round_id}).scalar_one()
                return {"rows": rows, "players": players, "marks": marks, "answer_count": counter}
            rows, players = conn.execute(
                text(f"SELECT count(*), count(DISTINCT player_id) FROM {table} WHERE round_id = :r"), {"r": round_id}
            ).one()
            return {"rows": rows, "players": players}


def close_round(app: Flask, round_id: int) -> None:
    """Close an open round now, as a curator closing early would."""
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(
                sa.update(Round.__table__).where(Round.__table__.c.id == round_id)  # type: ignore[attr-defined]
                .values(closes_at=datetime.now(UTC) - timedelta(seconds=1))
            )

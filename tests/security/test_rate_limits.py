"""Rate limits on login, registration, guest creation and answering: 429 with a clear message, shared across workers."""
from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from limits.storage import MemoryStorage, RedisStorage
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from quizapp import create_app
from quizapp.extensions import db, limiter
from quizapp.models import Answer
from quizapp.ratelimit_sqlite import SQLiteStorage
from tests.conftest import POSTGRES_URL, IsolatedClient, Player, csrf_from
from tests.security.conftest import HTMX, World, snapshot, text
from tests.statements import Statements

MESSAGE = "Too many attempts. Wait a moment and try again."
# A database of its own per suite: .ci/run runs the SQLite and the PostgreSQL suites side by side, and each flushes it.
REDIS_URL = f"redis://127.0.0.1:6379/{13 if POSTGRES_URL else 14}"


def limit(app: Flask, key: str, value: str = "2 per minute") -> None:
    app.config[key] = value


def assert_limited(response, htmx: bool) -> None:  # type: ignore[no-untyped-def]
    body = text(response)
    assert response.status_code == 429
    assert MESSAGE in body
    assert ("<html" in body) is not htmx
    assert "Retry-After" in response.headers
    # htmx shows the message in the page's message area: the form it came from, and what was typed, stay.
    assert (response.headers.get("HX-Retarget"), response.headers.get("HX-Reswap")) == (
        ("#flash-list", "innerHTML") if htmx else (None, None))


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_logins_past_the_limit_get_429_and_even_the_right_password_waits(app, make, visitor, htmx):
    make.user("pat", password="pat-password")
    limit(app, "RATE_LIMIT_LOGIN")
    for _ in range(2):
        assert visitor.login("pat", "wrong password").status_code == 422
    response = visitor.post_form("/login", "/login", {"username": "pat", "password": "pat-password"}, htmx=htmx)
    assert_limited(response, htmx)
    assert "Log out" not in text(visitor.get("/"))


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_registrations_past_the_limit_get_429_and_create_nobody(app, visitor, htmx):
    limit(app, "RATE_LIMIT_REGISTER")
    for name in ("Anna", "Boris"):
        fresh = Player(app.test_client())
        assert fresh.post_form("/register", "/register",
                               {"username": name, "password": "long enough", "confirm": "long enough"}).status_code == 303
    before = snapshot()
    response = visitor.post_form("/register", "/register",
                                 {"username": "Clara", "password": "long enough", "confirm": "long enough"}, htmx=htmx)
    assert_limited(response, htmx)
    assert snapshot() == before


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_guest_creation_past_the_limit_gets_429_and_creates_nobody(app, htmx):
    limit(app, "RATE_LIMIT_JOIN")
    for name in ("Anna", "Boris"):
        assert Player(app.test_client()).join(name).status_code == 303
    before = snapshot()
    # A fresh client each time: the limit is per address, not per cookie, so throwaway sessions do not help.
    response = Player(app.test_client()).post_form("/join", "/join", {"nickname": "Clara"}, htmx=htmx)
    assert_limited(response, htmx)
    assert snapshot() == before


def test_refused_answers_past_the_limit_get_429_and_store_nothing(app, world: World):
    limit(app, "RATE_LIMIT_ANSWER")
    for _ in range(2):
        # Wrong shapes count: a script probing for the lies is held back.
        assert world.pat.answer(world.open_facts, world.true_ids[:1], htmx=True).status_code == 422
    before = snapshot()
    response = world.pat.answer(world.open_facts, world.true_ids[:1], htmx=True)
    assert_limited(response, htmx=True)
    assert snapshot() == before


def test_a_plain_answer_past_the_limit_goes_back_to_the_round_with_its_marks_and_stores_nothing(app, world: World):
    """Without JavaScript the player is not left on an error page at /answer: the round page says to wait."""
    limit(app, "RATE_LIMIT_ANSWER")
    marks = world.true_ids[:1]
    for _ in range(2):
        assert world.pat.answer(world.open_facts, marks).status_code == 303  # refused, sent back to the round
    before = snapshot()
    response = world.pat.answer(world.open_facts, marks)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/rounds/{world.open_facts}?marks={marks[0]}"
    page = text(world.pat.get(response.headers["Location"]))
    assert MESSAGE in page
    assert re.findall(r'name="marks" value="(\d+)" checked', page) == [str(marks[0])]
    assert snapshot() == before
    # Even once this worker refuses the player before reading anything, the marks still go back with them.
    again = world.pat.answer(world.open_facts, world.false_ids)
    assert again.headers["Location"] == f"/rounds/{world.open_facts}?marks={world.false_ids[0]}&marks={world.false_ids[1]}"
    assert snapshot() == before


def test_answering_again_counts_and_past_the_limit_gets_429(app, world: World):
    limit(app, "RATE_LIMIT_ANSWER")
    assert world.pat.answer(world.open_facts, world.false_ids).status_code == 303
    for _ in range(2):
        assert world.pat.answer(world.open_facts, world.false_ids).status_code == 303  # "you answered"
    before = snapshot()
    assert_limited(world.pat.answer(world.open_facts, world.false_ids, htmx=True), htmx=True)
    assert snapshot() == before


def test_a_players_first_answer_to_each_round_is_not_counted(app, world: World):
    """The database takes one answer per round and player; the limit is for what can repeat."""
    limit(app, "RATE_LIMIT_ANSWER", "1 per minute")
    assert world.pat.answer(world.open_facts, world.false_ids).status_code == 303
    assert world.pat.answer(world.open_poll, option=world.poll_options[0]).status_code == 303
    assert world.pat.answer(world.open_facts, world.false_ids).status_code == 303  # a repeat: counted, 1 of 1
    assert world.pat.answer(world.open_facts, world.false_ids, htmx=True).status_code == 429
    db.session.rollback()
    answered = db.session.scalars(select(Answer.round_id).where(Answer.player_id == world.pat_id))
    assert sorted(answered) == sorted([world.open_facts, world.open_poll])


def test_a_player_over_the_answer_limit_costs_the_database_nothing(app, world: World):
    """A flood from a player already held back is refused before any SQL: it cannot queue real answers."""
    limit(app, "RATE_LIMIT_ANSWER")
    for _ in range(2):
        assert world.pat.answer(world.open_facts, world.true_ids[:1], htmx=True).status_code == 422
    assert world.pat.answer(world.open_facts, world.true_ids[:1], htmx=True).status_code == 429
    token = csrf_from(text(world.pat.get(f"/rounds/{world.open_facts}")))
    with Statements() as seen:
        for marks in (world.true_ids[:1], world.false_ids):
            response = world.pat.client.post(f"/rounds/{world.open_facts}/answer", headers=HTMX,
                                             data=MultiDict([("csrf_token", token), *(("marks", m) for m in marks)]))
            assert response.status_code == 429
            assert 0 < int(response.headers["Retry-After"]) <= 60
    assert seen.statements == []


def test_a_worker_refuses_a_key_it_saw_over_the_limit_without_asking_the_storage(app, world: World, monkeypatch):
    limit(app, "RATE_LIMIT_LOGIN")
    for _ in range(2):
        assert world.visitor.login("pat", "wrong password").status_code == 422
    assert world.visitor.login("pat", "wrong password").status_code == 429
    asked = []
    monkeypatch.setattr(FixedWindowRateLimiter, "hit", lambda *args: asked.append(args) or True)
    assert world.visitor.login("pat", "wrong password").status_code == 429
    assert world.visitor.login("pat", "pat-password").status_code == 429
    assert asked == []


def test_the_answer_limit_is_per_player_not_per_address(app, world: World, new_player):
    limit(app, "RATE_LIMIT_ANSWER")
    for _ in range(3):
        world.pat.answer(world.open_facts, world.true_ids[:1])
    # Same address (a classroom behind one router), another player: not held back.
    assert new_player("alice").answer(world.open_facts, world.false_ids).status_code == 303


def test_pages_are_never_limited(app, visitor):
    limit(app, "RATE_LIMIT_LOGIN", "1 per minute")
    for _ in range(5):
        assert visitor.get("/login").status_code == 200


def test_the_test_apps_count_in_memory(app):
    """Each test starts from zero; the default storage (a SQLite file in instance/) is tested on its own."""
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert isinstance(limiter.storage, MemoryStorage)


# --- shared across workers -------------------------------------------------------------------------


@pytest.fixture
def shared_redis() -> Iterator[None]:
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is not reachable at {REDIS_URL}, and CI starts it: {error}")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {error}")
    client.flushdb()
    yield
    client.flushdb()
    client.close()


def worker(tmp_path, storage: str) -> Flask:  # type: ignore[no-untyped-def]
    """One "worker": its own app instance on the shared database, as gunicorn would start it."""
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'shared.sqlite'}",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "RATELIMIT_STORAGE_URI": storage,
        "RATE_LIMIT_LOGIN": "3 per minute",
    })
    app.test_client_class = IsolatedClient
    return app


def failed_login(app: Flask) -> int:
    client: FlaskClient = app.test_client()
    page = text(client.get("/login"))
    return client.post("/login", data={"csrf_token": csrf_from(page), "username": "nobody",
                                       "password": "wrong password"}).status_code


def two_workers_count(tmp_path, storage: str) -> list[int]:  # type: ignore[no-untyped-def]
    first = worker(tmp_path, storage)
    with first.app_context():
        db.create_all()
    statuses = [failed_login(first), failed_login(first)]
    # A second create_app, as a second gunicorn worker does; it connects to the storage afresh.
    second = worker(tmp_path, storage)
    statuses += [failed_login(second), failed_login(second)]
    for app in (first, second):
        with app.app_context():
            db.engine.dispose()
    return statuses


def test_with_redis_two_workers_share_one_count(tmp_path, shared_redis):
    statuses = two_workers_count(tmp_path, REDIS_URL)
    assert isinstance(limiter.storage, RedisStorage)
    assert statuses == [422, 422, 422, 429]


def test_with_sqlite_two_workers_share_one_count_without_redis(tmp_path):
    """The one-machine default: a SQLite file the workers share, no server to install."""
    statuses = two_workers_count(tmp_path, f"sqlite:///{tmp_path / 'ratelimit.sqlite'}")
    assert isinstance(limiter.storage, SQLiteStorage)
    assert statuses == [422, 422, 422, 429]


def test_with_memory_each_worker_counts_alone(tmp_path):
    """The contrast that makes the test above mean something: memory storage does not share."""
    assert two_workers_count(tmp_path, "memory://") == [422, 422, 422, 422]


def test_with_the_shared_storage_down_each_worker_still_counts_and_logs_the_outage(tmp_path, caplog):
    """Redis gone: logins neither fail with a 500 nor go unlimited; the outage is in the log."""
    # Nothing listens on port 9 (discard) here: every connection is refused at once.
    app = worker(tmp_path, "redis://127.0.0.1:9/0")
    with app.app_context():
        db.create_all()
    statuses = [failed_login(app) for _ in range(4)]
    with app.app_context():
        db.engine.dispose()
    assert statuses == [422, 422, 422, 429]
    # Said once, then left alone for a while: not one error and one timeout per request.
    assert caplog.text.count("rate_limit_storage_down") == 1
    assert "ConnectionError" in caplog.text

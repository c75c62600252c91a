"""Fixtures: an app on a fresh database (SQLite, or PostgreSQL with TEST_DATABASE_URL), clients, factories."""
from __future__ import annotations

import contextvars
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from quizapp import create_app
from quizapp.extensions import db
from tests import factories
from tests.statements import driver_options

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in its own context, as it would on a server."""

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        # pytest-flask and the make fixture keep an app context pushed for the whole test, and Flask
        # reuses it for requests from the test thread: g (the CSRF token, the logged-in user) and the
        # database session would leak from one request, and one client, to the next.
        return contextvars.Context().run(super().open, *args, **kwargs)


def build_test_app(url: str, **overrides: object) -> Flask:
    """An app for tests on the given database: CSRF on, a cheap password hash, isolated client requests."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": url,
            # Cursors that can record what reaches the database (tests/statements.py).
            "SQLALCHEMY_ENGINE_OPTIONS": driver_options(url),
            "WTF_CSRF_ENABLED": True,
            # Real hashing costs ~50 ms a user; the suite makes hundreds.
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            # Each test counts afresh; tests of the shared storages configure theirs.
            "RATELIMIT_STORAGE_URI": "memory://",
            **overrides,
        }
    )
    app.test_client_class = IsolatedClient
    return app


@contextmanager
def empty_schema(app: Flask) -> Iterator[Flask]:
    """Create the tables on an emptied database, and drop them afterwards."""
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def app(tmp_path) -> Iterator[Flask]:  # type: ignore[no-untyped-def]
    """An app with an empty schema; PostgreSQL when TEST_DATABASE_URL is set."""
    with empty_schema(build_test_app(POSTGRES_URL or f"sqlite:///{tmp_path / 'test.sqlite'}",
                                     CARD_CACHE_FOLDER=tmp_path / "cards")) as app:
        yield app


@pytest.fixture
def runner(app: Flask):  # type: ignore[no-untyped-def]
    return app.test_cli_runner()


@pytest.fixture
def make(app: Flask) -> Iterator[factories.Factory]:
    """Factories for users, rounds and answers, inside an app context."""
    with app.app_context():
        # The app keeps objects loaded after commit (one session per request); the test's session
        # outlives many requests and must reload what they wrote.
        db.session().expire_on_commit = True
        yield factories.Factory()


CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    """Pull the CSRF token out of a rendered form."""
    match = CSRF_INPUT.search(html)
    assert match, "page has no CSRF token"
    return match.group(1) or match.group(2)


class Player:
    """A browser-like client: fetches the page first, then posts with the page's CSRF token."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def get(self, url: str, **kwargs):  # type: ignore[no-untyped-def]
        return self.client.get(url, **kwargs)

    def post_form(self, page_url: str, post_url: str, data: dict | list, htmx: bool = False, **kwargs):  # type: ignore[no-untyped-def,type-arg]
        token = csrf_from(self.client.get(page_url).get_data(as_text=True))
        headers = {"HX-Request": "true", "HX-Request-Type": "partial"} if htmx else {}
        if isinstance(data, dict):
            data = list(data.items())
        return self.client.post(post_url, data=MultiDict([("csrf_token", token), *data]), headers=headers, **kwargs)

    def join(self, nickname: str):  # type: ignore[no-untyped-def]
        return self.post_form("/join", "/join", {"nickname": nickname})

    def login(self, username: str, password: str):  # type: ignore[no-untyped-def]
        return self.post_form("/login", "/login", {"username": username, "password": password})

    def answer(self, round_id: int, marks: list[int] | None = None, option: int | None = None, htmx: bool = False):  # type: ignore[no-untyped-def]
        data: list[tuple[str, object]] = [("marks", m) for m in (marks or [])]
        if option is not None:
            data.append(("option", option))
        return self.post_form(f"/rounds/{round_id}", f"/rounds/{round_id}/answer", data, htmx=htmx)


@pytest.fixture
def visitor(app: Flask) -> Player:
    return Player(app.test_client())


@pytest.fixture
def new_player(app: Flask):  # type: ignore[no-untyped-def]
    """Make a signed-in guest player with its own session."""

    def _new(nickname: str) -> Player:
        player = Player(app.test_client())
        response = player.join(nickname)
        assert response.status_code == 303, response.get_data(as_text=True)
        return player

    return _new


@pytest.fixture
def curator(app: Flask, make: factories.Factory) -> Player:
    """A logged-in curator named host."""
    make.user("host", password="host-password", curator=True)
    player = Player(app.test_client())
    assert player.login("host", "host-password").status_code == 303
    return player

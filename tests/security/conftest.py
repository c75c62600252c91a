"""Shared ground for the security tests: a populated world, table snapshots, and what a safe response looks like."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from quizapp.access import PLAYER_KEY
from quizapp.cache import forget_everything
from quizapp.config import DEFAULTS
from quizapp.extensions import db, limiter
from quizapp.models import Series, utcnow
from tests.conftest import POSTGRES_URL, Player, build_test_app, csrf_from, empty_schema
from tests.factories import Factory

HTMX = {"HX-Request": "true", "HX-Request-Type": "partial"}
SCRIPT = "<script>alert(1)</script>"
TEMPLATE = "zz{{7*7}}zz"
RATE_LIMIT_KEYS = ("RATE_LIMIT_LOGIN", "RATE_LIMIT_LOGIN_ACCOUNT", "RATE_LIMIT_REGISTER", "RATE_LIMIT_JOIN",
                   "RATE_LIMIT_ANSWER")
CSRF_MESSAGE = "Your form expired or came from elsewhere. Reload the page and try again."


def snapshot() -> dict[str, list[tuple]]:  # type: ignore[type-arg]
    """Every row of every table, as committed: equal snapshots mean nothing was stored or changed."""
    db.session.rollback()
    return {
        table.name: [tuple(row) for row in db.session.execute(select(table).order_by(*table.primary_key.columns))]
        for table in db.metadata.sorted_tables
    }


def text(response) -> str:  # type: ignore[no-untyped-def]
    if response.mimetype == "image/png":
        return ""  # a preview card: no text to echo anything in
    return response.get_data(as_text=True)


def assert_safe(response, *payloads: str) -> None:  # type: ignore[no-untyped-def]
    """No server error, no traceback, and no payload echoed unescaped."""
    body = text(response)
    assert response.status_code < 500, body[:2000]
    assert "Traceback" not in body
    for payload in (SCRIPT, *payloads):
        assert payload not in body, f"{payload!r} echoed unescaped"
    assert "zz49zz" not in body, "a template expression was evaluated"
    assert "{&#39;" not in body and "[&#39;" not in body, "a Python dict or list was rendered as text"


def token(player: Player, url: str | None = None) -> str:
    """The CSRF token of this client's session, read from a page as a browser would.

    Signed-in pages carry one in the logout form; a visitor's read-only pages carry none, so a visitor's
    comes from the login form.
    """
    if url is not None:
        return csrf_from(text(player.get(url)))
    page = text(player.get("/"))
    return csrf_from(page) if 'name="csrf_token"' in page else csrf_from(text(player.get("/login")))


def signed_in(app: Flask, user_id: int) -> Player:
    """A client whose session belongs to the user, as after logging in (the login itself is tested elsewhere)."""
    player = Player(app.test_client())
    with player.client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
        session[PLAYER_KEY] = [user_id, 0]
    return player


@dataclass
class World:
    """Two curators, a registered player and a visitor, with rounds in every state."""

    host: Player
    rival: Player
    pat: Player
    visitor: Player
    open_facts: int
    false_ids: list[int]
    true_ids: list[int]
    open_poll: int
    poll_options: list[int]
    just_closed_poll: int
    just_closed_options: list[int]
    scheduled_poll: int
    scheduled_options: list[int]
    closed_facts: int
    closed_statements: list[int]
    scheduled: int
    draft: int
    rival_open: int
    rival_statements: list[int]
    series: int
    host_id: int
    rival_id: int
    pat_id: int

    def ids(self) -> dict[str, int]:
        """Names for the ids, as bad-input cases refer to them."""
        named = {key: value for key, value in vars(self).items() if isinstance(value, int)}
        lists = {"false": self.false_ids, "true": self.true_ids, "option": self.poll_options,
                 "just_closed_option": self.just_closed_options, "scheduled_option": self.scheduled_options,
                 "closed_statement": self.closed_statements, "rival_statement": self.rival_statements}
        for name, values in lists.items():
            named |= {f"{name}{i}": value for i, value in enumerate(values)}
        return named


def build_world(app: Flask) -> World:
    """Fill an empty database with the world (inside an app context) and return clients for its people."""
    make = Factory()
    host = make.user("host", password="host-password", curator=True)
    rival = make.user("rival", password="rival-password", curator=True)
    pat = make.user("pat", password="pat-password")
    oleg = make.user("oleg", password=None)
    facts = make.facts_round(
        [("I have a cat", False), ("I climbed Everest", True), ("I speak French", False), ("I met the Queen", True)],
        curator=host, title="Four facts",
    )
    poll = make.poll(["Tea", "Coffee", "Water"], curator=host, title="Tea or coffee?")
    just_closed = make.poll(["Yes", "No"], curator=host, title="Closed a second ago")
    just_closed.closes_at = utcnow() - timedelta(seconds=1)
    scheduled_poll = make.poll(["Soon", "Later"], curator=host, title="Not open yet", status="scheduled")
    closed = make.facts_round([("Old truth", False), ("Old lie", True)], curator=host, title="Last week", status="closed")
    series = Series(curator_id=host.id, title="Week of the host")
    db.session.add(series)
    closed.series = series
    db.session.commit()
    make.answer(closed, oleg, [closed.statements[1].id])
    scheduled = make.facts_round(curator=host, title="Later", status="scheduled")
    draft = make.facts_round(curator=host, title="Secret draft", status="draft")
    rival_open = make.facts_round([("Rival truth", False), ("Rival lie", True)], curator=rival, title="Rival's round")
    world = World(
        host=signed_in(app, host.id),
        rival=signed_in(app, rival.id),
        pat=signed_in(app, pat.id),
        visitor=Player(app.test_client()),
        open_facts=facts.id,
        false_ids=[s.id for s in facts.statements if s.is_false],
        true_ids=[s.id for s in facts.statements if not s.is_false],
        open_poll=poll.id,
        poll_options=[o.id for o in poll.options],
        just_closed_poll=just_closed.id,
        just_closed_options=[o.id for o in just_closed.options],
        scheduled_poll=scheduled_poll.id,
        scheduled_options=[o.id for o in scheduled_poll.options],
        closed_facts=closed.id,
        closed_statements=[s.id for s in closed.statements],
        scheduled=scheduled.id,
        draft=draft.id,
        rival_open=rival_open.id,
        rival_statements=[s.id for s in rival_open.statements],
        series=series.id,
        host_id=host.id,
        rival_id=rival.id,
        pat_id=pat.id,
    )
    db.session.rollback()
    return world


@pytest.fixture
def world(app: Flask, make: Factory) -> World:
    return build_world(app)


def editor_form(title: str = "Three facts", statements: list[tuple[str, bool]] | None = None,
                action: str = "publish", **fields: str) -> list[tuple[str, str]]:
    """The round editor's fields as a browser sends them."""
    statements = statements or [("I have a cat", False), ("I climbed Everest", True), ("I speak French", False)]
    data = [("title", title), ("intro", ""), ("series", ""), ("paste", "")]
    for i, (statement, is_false) in enumerate(statements):
        data.append((f"statements-{i}-text", statement))
        if is_false:
            data.append((f"statements-{i}-is_false", "y"))
        data.append((f"statements-{i}-explanation", ""))
    data += [("opens_at", ""), ("closes_choice", "1d"), ("closes_at", ""), ("tz", "UTC"), ("action", action)]
    overridden = {key for key in fields}
    return [(key, value) for key, value in data if key not in overridden] + list(fields.items())


def in_a_while() -> str:
    return (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture(scope="module")
def shared_app(tmp_path_factory) -> Iterator[Flask]:  # type: ignore[no-untyped-def]
    """One app for a whole module, so its templates compile once; each test still gets a fresh database."""
    url = POSTGRES_URL or f"sqlite:///{tmp_path_factory.mktemp('shared') / 'test.sqlite'}"
    with empty_schema(build_test_app(url)) as app:
        yield app


@pytest.fixture
def fresh_db(shared_app: Flask) -> Iterator[Flask]:
    """The shared app on an emptied database, with rate-limit counts and limits reset."""
    for key in RATE_LIMIT_KEYS:
        shared_app.config[key] = DEFAULTS[key]
    # A new database under the same process: results kept for the old one's closed rounds no longer apply.
    forget_everything(shared_app)
    with shared_app.app_context():
        limiter.reset()
        db.session.remove()
        db.drop_all()
        db.create_all()
        yield shared_app
        db.session.remove()


@pytest.fixture
def fresh_world(fresh_db: Flask) -> World:
    """The world on an emptied database of the shared app."""
    return build_world(fresh_db)

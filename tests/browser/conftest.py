"""Browser fixtures: the app served for real on 127.0.0.1, driven by Debian's Chromium through Playwright.

One app and one server serve the whole session, on a temporary SQLite file, or on a PostgreSQL database
of its own (TEST_DATABASE_URL's name plus "_browser") so it never races the main suite's tables.
Tests share that data, so each one makes its own users and rounds under unique names.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, send_from_directory
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright
from sqlalchemy.engine import make_url
from werkzeug.serving import BaseWSGIServer, make_server

from quizapp.extensions import db
from quizapp.models import Round, User
from tests.browser.actions import join, log_in
from tests.browser.support import (
    AXE_URL_PATH,
    CLOSED_EXPLANATIONS,
    CLOSED_STATEMENTS,
    DESKTOP,
    OPEN_STATEMENTS,
    VENDOR,
    Console,
    LiveServer,
    NewContext,
    OpenAs,
    World,
)
from tests.conftest import build_test_app, empty_schema

CHROMIUM = os.environ.get("CHROMIUM_EXECUTABLE") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# The suite checks behaviour, not limits (the main suite tests those): one address plays every part here.
UNTHROTTLED = "100000 per minute"

expect.set_options(timeout=10_000)

REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"} `
    + `at ${event.sourceFile}:${event.lineNumber}:${event.columnNumber} ${event.sample}`);
});
"""


def _database_url(tmp_dir: Path) -> str:
    """SQLite in the session's temp folder, or a dedicated PostgreSQL database, created when missing."""
    base = os.environ.get("TEST_DATABASE_URL", "")
    if not base:
        return f"sqlite:///{tmp_dir / 'browser.sqlite'}"
    import psycopg

    url = make_url(base)
    name = f"{url.database}_browser"
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The app under test on an empty schema, plus a route that serves axe-core from its own origin."""
    app = build_test_app(
        _database_url(tmp_path_factory.mktemp("browser-db")),
        RATE_LIMIT_LOGIN=UNTHROTTLED,
        RATE_LIMIT_REGISTER=UNTHROTTLED,
        RATE_LIMIT_JOIN=UNTHROTTLED,
        RATE_LIMIT_ANSWER=UNTHROTTLED,
    )

    # A 'self' URL, so the page's own CSP (script-src 'self') lets axe run: no bypass_csp anywhere.
    def axe_script() -> Any:
        return send_from_directory(VENDOR, "axe.min.js", mimetype="text/javascript")

    app.add_url_rule(AXE_URL_PATH, "browser_tests_axe", axe_script)
    with empty_schema(app):
        yield app


@pytest.fixture(scope="session")
def live_server(live_app: Flask) -> Iterator[LiveServer]:
    """The app served by werkzeug on 127.0.0.1 and a free port, a thread per request."""
    server: BaseWSGIServer = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app=live_app, url=f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    """Debian's Chromium, headless: Playwright's own browser builds can't be downloaded here."""
    browser = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


@pytest.fixture
def new_context(browser: Browser, live_server: LiveServer) -> Iterator[NewContext]:
    """Open browser contexts (each its own cookie jar: its own person); closed and checked after the test."""
    opened: list[tuple[BrowserContext, Console]] = []

    def _new(*, javascript: bool = True, viewport: dict[str, int] | None = None, **options: Any) -> BrowserContext:
        options.setdefault("locale", "en-US")
        options.setdefault("timezone_id", "Europe/Berlin")
        context = browser.new_context(
            base_url=live_server.url, java_script_enabled=javascript, viewport=viewport or DESKTOP, **options
        )
        # Chromium reports a refused inline style or script to the page, not through the console Playwright reads:
        # the page itself logs each one as an error, so any CSP violation fails the test.
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        console = Console()
        context.on("page", console.watch)
        opened.append((context, console))
        return context

    yield _new
    problems = [problem for _context, console in opened for problem in console.problems]
    for context, _console in opened:
        context.close()
    assert not problems, "the browser reported errors:\n" + "\n".join(problems)


@pytest.fixture
def page(new_context: NewContext) -> Page:
    """One page with JavaScript on, at desktop size."""
    return new_context().new_page()


@pytest.fixture(scope="session")
def world(live_server: LiveServer, browser: Browser) -> World:
    """A curator's rounds open, answered and closed, players' answers, and signed-in sessions to reuse."""
    with live_server.factory() as make:
        host = make.user("Host_Helena", password="host-password", curator=True)
        others = [make.user("Alexandra_Konstantinopolskaya"), make.user("Boris-1990")]
        rounds = [
            make.facts_round(OPEN_STATEMENTS, curator=host, title="Five facts about my travels"),
            make.facts_round(curator=host, title="Three facts, one lie"),
            make.facts_round(CLOSED_STATEMENTS, curator=host, title="Five facts about me, revealed",
                             explanations=CLOSED_EXPLANATIONS),
            make.poll(["Models only", "Data to deployment", "Whatever the team needs"], correct=1,
                      curator=host, title="Which job is an ML engineer's?"),
            make.poll(["Tea", "Coffee", "Mate"], curator=host, title="What do you drink while coding?"),
        ]
        open_facts, answered_facts, closed_facts, closed_poll, voted_poll = (round_.id for round_ in rounds)
        statements = [statement.id for statement in rounds[2].statements]
        options = [option.id for option in rounds[3].options]
        make.answer(rounds[2], others[0], marked=statements[1:4])
        make.answer(rounds[2], others[1], marked=[statements[0], statements[2], statements[4]])
        make.answer(rounds[3], others[0], option=options[1])
        make.answer(rounds[3], others[1], option=options[0])
        host_name = host.username

    player = "Guest_Gala"
    states = {"player": _signed_in(browser, live_server, lambda page: join(page, player)),
              "curator": _signed_in(browser, live_server, lambda page: log_in(page, host_name, "host-password"))}
    guest_id = live_server.user_id(player)
    with live_server.factory() as make:
        guest = db.session.get(User, guest_id)
        for round_id in (closed_facts, answered_facts):
            round_ = db.session.get(Round, round_id)
            make.answer(round_, guest, marked=[s.id for s in round_.statements if s.is_false])
        for round_id in (closed_poll, voted_poll):
            round_ = db.session.get(Round, round_id)
            make.answer(round_, guest, option=round_.options[1].id)
    live_server.close_round(closed_facts)
    live_server.close_round(closed_poll)
    return World(
        host=host_name, player=player, open_facts=open_facts, answered_facts=answered_facts,
        closed_facts=closed_facts, closed_poll=closed_poll, voted_poll=voted_poll, states=states,
    )


def _signed_in(browser: Browser, live_server: LiveServer, sign_in: Any) -> dict[str, Any]:
    """Sign in through the forms once and keep the cookies."""
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    try:
        sign_in(context.new_page())
        return context.storage_state()
    finally:
        context.close()


@pytest.fixture
def open_as(new_context: NewContext, world: World) -> OpenAs:
    """Open a path as "visitor", "player" (the world's guest) or "curator" (its host)."""

    def _open(role: str, path: str = "/", **options: Any) -> Page:
        if role != "visitor":
            options["storage_state"] = world.states[role]
        page = new_context(**options).new_page()
        page.goto(path)
        return page

    return _open

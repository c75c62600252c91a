"""Several gunicorn worker processes on one database: racing submits store one answer, the close is judged by arrival.

In-process threads share one interpreter and one connection pool; these tests start real server processes, as
production does, and talk to them over HTTP on 127.0.0.1. (Racing threads against PostgreSQL in process are in
tests/play/test_concurrency.py, which runs on PostgreSQL with TEST_DATABASE_URL.)
"""
from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from flask import Flask
from sqlalchemy import func, select

from quizapp import create_app
from quizapp.extensions import db
from quizapp.models import Answer, Round, utcnow
from tests.conftest import POSTGRES_URL
from tests.factories import Factory

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
WORKERS = 3
THREADS = 20
TIMEOUT = 20
HTMX = {"HX-Request": "true", "HX-Request-Type": "partial"}
SECRET = "server-test-secret"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    port: int
    database_url: str
    app: Flask  # in-process, on the same database, to seed rows and read them back

    def request(self, method: str, path: str, cookie: str = "", body: dict | list | None = None,  # type: ignore[type-arg]
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str, str]:
        """One HTTP request; returns status, headers, body and the session cookie to use next."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        try:
            sent = dict(headers or {})
            if cookie:
                sent["Cookie"] = f"session={cookie}"
            data = None
            if body is not None:
                data = urlencode(body, doseq=True).encode()
                sent["Content-Type"] = "application/x-www-form-urlencoded"
            connection.request(method, path, body=data, headers=sent)
            response = connection.getresponse()
            text = response.read().decode()
            for header in response.headers.get_all("Set-Cookie") or []:
                match = re.match(r"session=([^;]*)", header)
                if match:
                    cookie = match.group(1)
            return response.status, dict(response.headers), text, cookie
        finally:
            connection.close()

    def login(self, username: str, password: str) -> tuple[str, str]:
        """Log in over HTTP as a browser would; return the session cookie and a CSRF token for it."""
        _, _, page, cookie = self.request("GET", "/login")
        status, _, _, cookie = self.request("POST", "/login", cookie, {
            "csrf_token": csrf(page), "username": username, "password": password})
        assert status == 303
        _, _, page, cookie = self.request("GET", "/", cookie)
        return cookie, csrf(page)


def csrf(page: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1)


def start(database_url: str, tmp: Path) -> tuple[subprocess.Popen, int]:  # type: ignore[type-arg]
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("QUIZAPP_") and key != "DATABASE_URL"}
    env |= {
        "QUIZAPP_SQLALCHEMY_DATABASE_URI": database_url,
        "QUIZAPP_SECRET_KEY": SECRET,
        "QUIZAPP_RATE_LIMIT_LOGIN": "10000 per minute",
        "QUIZAPP_RATE_LIMIT_REGISTER": "10000 per minute",
        "QUIZAPP_RATE_LIMIT_JOIN": "10000 per minute",
        "QUIZAPP_RATE_LIMIT_ANSWER": "10000 per minute",
        "QUIZAPP_LOG_LEVEL": "WARNING",
        # The default storage is a file in the checkout's instance/; these servers count in their own.
        "QUIZAPP_RATELIMIT_STORAGE_URI": f"sqlite:///{tmp / 'ratelimit.sqlite'}",
    }
    log = (tmp / f"gunicorn-{port}.log").open("w")
    process = subprocess.Popen(
        [str(GUNICORN), "--workers", str(WORKERS), "--worker-class", "sync", "--bind", f"127.0.0.1:{port}",
         "--timeout", "30", "--graceful-timeout", "3", "quizapp:create_app()"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    log.close()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError((tmp / f"gunicorn-{port}.log").read_text())
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process, port
        except OSError:
            time.sleep(0.1)
    stop(process)
    raise RuntimeError("gunicorn did not start within 30 s")


def stop(process: subprocess.Popen) -> None:  # type: ignore[type-arg]
    if process.poll() is None:
        process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown; SIGTERM would wait out the graceful timeout
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def seeded_app(database_url: str) -> Flask:
    app = create_app({"TESTING": True, "SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": database_url,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        db.drop_all()
        db.create_all()
    return app


def server_for(database_url: str, tmp: Path, starter: Callable[[str, Path], tuple[subprocess.Popen, int]] = start,  # type: ignore[type-arg]
               ) -> Iterator[Server]:
    """A served app on an empty database, emptied again afterwards; `starter` runs the server."""
    app = seeded_app(database_url)
    process, port = starter(database_url, tmp)
    try:
        yield Server(port, database_url, app)
    finally:
        stop(process)
        with app.app_context():
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


@pytest.fixture(scope="module")
def sqlite_server(tmp_path_factory) -> Iterator[Server]:  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("servers")
    yield from server_for(f"sqlite:///{tmp / 'shared.sqlite'}", tmp)


@pytest.fixture(scope="module")
def postgres_server(tmp_path_factory) -> Iterator[Server]:  # type: ignore[no-untyped-def]
    if not POSTGRES_URL:
        pytest.skip("set TEST_DATABASE_URL to race gunicorn workers on PostgreSQL too")
    yield from server_for(POSTGRES_URL, tmp_path_factory.mktemp("pg-servers"))


def race(server: Server, requests: list[tuple[str, dict, dict]]) -> list[int]:  # type: ignore[type-arg]
    """Send each (cookie, form, headers) at the same moment from its own thread; return the statuses."""
    barrier = threading.Barrier(len(requests), timeout=TIMEOUT)
    statuses: list[int | None] = [None] * len(requests)
    errors: list[BaseException] = []

    def send(i: int, path: str, cookie: str, form: dict, headers: dict) -> None:  # type: ignore[type-arg]
        try:
            barrier.wait()
            statuses[i] = server.request("POST", path, cookie, form, headers)[0]
        except BaseException as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    threads = [threading.Thread(target=send, args=(i, *request)) for i, request in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT + 5)
    assert not errors, errors
    return statuses  # type: ignore[return-value]


def one_player_racing_itself(server: Server) -> None:
    with server.app.app_context():
        make = Factory()
        make.user("racer", password="racer-password")
        round_ = make.facts_round([("True one", False), ("False one", True), ("Another lie", True)])
        round_id, marks = round_.id, [str(s.id) for s in round_.statements if s.is_false]
        db.session.remove()
    cookie, token = server.login("racer", "racer-password")
    path = f"/rounds/{round_id}/answer"
    form = {"csrf_token": token, "marks": marks}

    statuses = race(server, [(path, cookie, form, HTMX if i % 2 else {}) for i in range(THREADS)])

    assert statuses == [200 if i % 2 else 303 for i in range(THREADS)]
    with server.app.app_context():
        assert db.session.scalar(select(func.count(Answer.id)).where(Answer.round_id == round_id)) == 1
        assert db.session.get(Round, round_id).answer_count == 1
        db.session.remove()
    _, _, page, _ = server.request("GET", f"/rounds/{round_id}", cookie)
    assert "You answered" in page


def test_twenty_simultaneous_submits_to_three_sqlite_workers_store_one_answer(sqlite_server):
    one_player_racing_itself(sqlite_server)


def test_twenty_simultaneous_submits_to_three_postgresql_workers_store_one_answer(postgres_server):
    one_player_racing_itself(postgres_server)


def test_an_answer_that_arrived_before_the_close_counts_even_if_stored_after_it(sqlite_server):
    """The close is judged by arrival: answers queued behind a busy database at the close still count."""
    server = sqlite_server
    names = ["early1", "early2", "late1", "late2"]
    with server.app.app_context():
        make = Factory()
        for name in names:
            make.user(name, password=f"{name}-password")
        db.session.remove()
    sessions = {name: server.login(name, f"{name}-password") for name in names}
    with server.app.app_context():
        closes_at = utcnow() + timedelta(seconds=1.5)
        round_ = Factory().poll(["Yes", "No"], title="Closing soon")
        round_.closes_at = closes_at
        db.session.commit()
        round_id, option = round_.id, str(round_.options[0].id)
        db.session.remove()
    path = f"/rounds/{round_id}/answer"
    results: dict[str, tuple[str, float]] = {}

    def answer(name: str) -> None:
        cookie, token = sessions[name]
        status, headers, _, _ = server.request("POST", path, cookie, {"csrf_token": token, "option": option})
        # Both are redirects to the round page: a refused answer's carries the vote back to it.
        results[name] = (f"{status} {urlsplit(headers.get('Location', '')).query}", time.time())

    def at(moment: float) -> None:
        time.sleep(max(0.0, moment - time.time()))

    close = closes_at.timestamp()
    # Hold the SQLite write lock across the close, as a long write would: every answer queues behind it.
    database = sqlite3.connect(server.database_url.removeprefix("sqlite:///"), timeout=5, isolation_level=None)
    threads: list[threading.Thread] = []
    try:
        at(close - 0.8)
        database.execute("BEGIN IMMEDIATE")
        at(close - 0.5)
        threads += [threading.Thread(target=answer, args=(name,)) for name in ("early1", "early2")]
        threads[-2].start()
        threads[-1].start()
        at(close + 0.5)
        threads += [threading.Thread(target=answer, args=(name,)) for name in ("late1", "late2")]
        threads[-2].start()
        threads[-1].start()
        at(close + 0.9)
    finally:
        database.execute("ROLLBACK") if database.in_transaction else None
        database.close()
    for thread in threads:
        thread.join(timeout=TIMEOUT)

    stored, refused = "303 ", f"303 option={option}"
    assert {name: outcome for name, (outcome, _) in results.items()} == {
        "early1": stored, "early2": stored, "late1": refused, "late2": refused}
    # The early answers really were held until after the close, so this was decided by arrival time.
    assert all(results[name][1] > close for name in ("early1", "early2"))
    with server.app.app_context():
        voters = set(db.session.scalars(select(Answer.player_id).where(Answer.round_id == round_id)))
        from quizapp.models import User
        names_stored = set(db.session.scalars(select(User.username).where(User.id.in_(voters))))
        assert names_stored == {"early1", "early2"}
        assert db.session.get(Round, round_id).answer_count == 2
        db.session.remove()

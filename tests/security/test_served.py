"""The one-machine deployment as the README serves it (gunicorn -c quizapp/gunicorn_conf.py), over real sockets.

Slow clients must not stall it, and rate limits must hold across its workers without Redis.
"""
from __future__ import annotations

import http.client
import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from quizapp.extensions import db
from tests.conftest import POSTGRES_URL
from tests.factories import Factory
from tests.security.test_concurrency_servers import GUNICORN, ROOT, SECRET, Server, csrf, free_port, server_for, stop

CONFIG = ROOT / "quizapp" / "gunicorn_conf.py"
WORKERS = 2
SILENT_CONNECTIONS = 32  # 16 stopped every worker of the gthread setup; twice that, spread over both workers
QUICK = 5.0  # seconds a player may wait for any one step while the silent connections are open


def start(database_url: str, tmp: Path, *extra: str) -> tuple[subprocess.Popen, int]:  # type: ignore[type-arg]
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("QUIZAPP_") and key != "DATABASE_URL"}
    env |= {
        "QUIZAPP_SQLALCHEMY_DATABASE_URI": database_url,
        "QUIZAPP_SECRET_KEY": SECRET,
        # The default storage's class, in this test's folder rather than the checkout's instance/.
        "QUIZAPP_RATELIMIT_STORAGE_URI": f"sqlite:///{tmp / 'ratelimit.sqlite'}",
        "QUIZAPP_LOG_LEVEL": "WARNING",
        "WEB_CONCURRENCY": str(WORKERS),
    }
    log = tmp / f"gunicorn-{port}.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [str(GUNICORN), "-c", str(CONFIG), *extra, "--bind", f"127.0.0.1:{port}", "quizapp:create_app()"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
        )
    # The arbiter listens before its workers have loaded the app: ready is when a page comes back.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(log.read_text())
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", "/")
            if connection.getresponse().status == 200:
                return process, port
        except OSError:
            time.sleep(0.2)
        finally:
            connection.close()
    stop(process)
    raise RuntimeError("gunicorn did not serve a page within 60 s")


def served(database_url: str, tmp: Path) -> Iterator[Server]:
    return server_for(database_url, tmp, starter=start)


@pytest.fixture(params=["sqlite", "postgresql"])
def server(request, tmp_path) -> Iterator[Server]:  # type: ignore[no-untyped-def]
    if request.param == "postgresql" and not POSTGRES_URL:
        pytest.skip("set TEST_DATABASE_URL to serve PostgreSQL too")
    yield from served(POSTGRES_URL if request.param == "postgresql" else f"sqlite:///{tmp_path / 'db.sqlite'}", tmp_path)


def silent_clients(port: int, count: int) -> list[socket.socket]:
    """Connections that send the start of a request (no blank line ends the headers) and then nothing."""
    sockets = []
    for i in range(count):
        connection = socket.create_connection(("127.0.0.1", port), timeout=5)
        connection.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" if i % 2 else b"POST /join HTTP/1.1\r\n")
        sockets.append(connection)
    return sockets


def timed(step: str, timings: dict[str, float], call, *args, **kwargs):  # type: ignore[no-untyped-def]
    started = time.monotonic()
    result = call(*args, **kwargs)
    timings[step] = time.monotonic() - started
    return result


def test_silent_connections_do_not_stop_a_player_from_answering(server: Server):
    with server.app.app_context():
        round_ = Factory().facts_round([("True one", False), ("False one", True), ("Another lie", True)])
        round_id, marks = round_.id, [str(s.id) for s in round_.statements if s.is_false]
        db.session.remove()
    silent = silent_clients(server.port, SILENT_CONNECTIONS)
    try:
        time.sleep(0.5)  # let the workers take them all in
        timings: dict[str, float] = {}
        _, _, page, cookie = timed("join page", timings, server.request, "GET", "/join")
        status, _, _, cookie = timed("join", timings, server.request, "POST", "/join", cookie,
                                     {"csrf_token": csrf(page), "nickname": "Patient"})
        assert status == 303
        _, _, page, cookie = timed("round page", timings, server.request, "GET", f"/rounds/{round_id}", cookie)
        status, _, _, _ = timed("answer", timings, server.request, "POST", f"/rounds/{round_id}/answer", cookie,
                                {"csrf_token": csrf(page), "marks": marks})
        assert status == 303
        assert max(timings.values()) < QUICK, timings
    finally:
        for connection in silent:
            connection.close()


def test_wrong_passwords_from_one_address_are_held_to_ten_a_minute_across_workers(server: Server):
    """Fifteen at once reach both workers; with the count in each worker's memory more than ten got through."""
    forms = []
    for _ in range(15):
        _, _, page, cookie = server.request("GET", "/login")
        forms.append((cookie, {"csrf_token": csrf(page), "username": "nobody", "password": "wrong password"}))
    statuses: list[int] = []
    barrier = threading.Barrier(len(forms), timeout=20)

    def send(cookie: str, form: dict[str, str]) -> None:
        barrier.wait()
        statuses.append(server.request("POST", "/login", cookie, form)[0])

    threads = [threading.Thread(target=send, args=form) for form in forms]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses) == [422] * 10 + [429] * 5

"""Structured log lines: one line per event, a UTC time ending in Z, `event key=value`, no forged lines."""
from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask

from tests.conftest import Player
from tests.security.conftest import World

LINE = re.compile(r"^(?P<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) (?P<level>[A-Z]+) (?P<event>[a-z_]+)(?P<fields>.*)$")
FORGED = "\n2026-01-01T00:00:00Z INFO login user_id=1"
# Everything some tool treats as the end of a line: Python's str.splitlines, editors, JavaScript log viewers.
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


class Captured:
    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    def lines(self) -> list[str]:
        return self.stream.getvalue().split("\n")[:-1]

    def events(self, name: str) -> list[dict[str, object]]:
        return [parse(line) for line in self.lines() if parse(line)["event"] == name]


def parse(line: str) -> dict[str, object]:
    """Read `TIME LEVEL event key=value …`, where each value is JSON; fail on anything else."""
    match = LINE.match(line)
    assert match, f"not a structured line: {line!r}"
    found: dict[str, object] = {"time": match["time"], "level": match["level"], "event": match["event"]}
    rest = match["fields"]
    decoder = json.JSONDecoder()
    while rest:
        field = re.match(r" ([a-z_]+)=", rest)
        assert field, f"not key=value at {rest!r} in {line!r}"
        value, end = decoder.raw_decode(rest, field.end())
        found[field.group(1)] = value
        rest = rest[end:]
    return found


@pytest.fixture
def log(app: Flask) -> Iterator[Captured]:
    """The app's log lines, formatted exactly as its own handler formats them."""
    [handler] = app.logger.handlers
    stream = io.StringIO()
    capture = logging.StreamHandler(stream)
    capture.setFormatter(handler.formatter)
    app.logger.addHandler(capture)
    yield Captured(stream)
    app.logger.removeHandler(capture)


def assert_all_structured(log: Captured) -> None:
    now = datetime.now(UTC)
    for line in log.lines():
        parsed = parse(line)
        moment = datetime.strptime(str(parsed["time"]), "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
        assert abs(moment - now) < timedelta(minutes=1), "the time is not UTC"
        assert not any(mark in line for mark in LINE_BREAKS), line


def test_logins_and_failed_logins(app, log, world: World, visitor):
    assert visitor.login("pat", "pat-password").status_code == 303
    assert Player(app.test_client()).login("pat", "wrong").status_code == 422
    assert_all_structured(log)
    [login] = log.events("login")
    assert (login["level"], login["user_id"], login["guest"], login["path"]) == ("INFO", world.pat_id, False, "/login")
    [failed] = log.events("login_failed")
    assert (failed["level"], failed["username"]) == ("WARNING", "pat")
    assert "wrong" not in log.stream.getvalue()  # never the password


def test_forbidden_curator_route(log, world: World):
    assert world.pat.get("/curator/").status_code == 403
    assert world.host.get(f"/curator/rounds/{world.rival_open}/edit").status_code == 403
    assert_all_structured(log)
    forbidden = log.events("forbidden")
    assert [(event["user_id"], event.get("round_id")) for event in forbidden] == [
        (world.pat_id, None), (world.host_id, world.rival_open)]
    assert all(event["level"] == "WARNING" for event in forbidden)


def test_csrf_rejection(log, world: World):
    assert world.pat.client.post("/logout").status_code == 400
    assert_all_structured(log)
    [rejected] = log.events("csrf_rejected")
    assert (rejected["level"], rejected["path"]) == ("WARNING", "/logout")
    assert "missing" in str(rejected["reason"])


def test_rate_limit_rejection(app, log, world: World):
    app.config["RATE_LIMIT_ANSWER"] = "1 per minute"
    world.pat.answer(world.open_facts, world.true_ids[:1], htmx=True)
    assert world.pat.answer(world.open_facts, world.true_ids[:1], htmx=True).status_code == 429
    assert_all_structured(log)
    [limited] = log.events("rate_limited")
    assert (limited["level"], limited["path"], limited["limit"]) == (
        "WARNING", f"/rounds/{world.open_facts}/answer", "1 per 1 minute")


def test_double_submit(log, world: World):
    assert world.pat.answer(world.open_facts, world.false_ids).status_code == 303
    assert world.pat.answer(world.open_facts, world.true_ids).status_code == 303
    assert_all_structured(log)
    [double] = log.events("double_submit")
    assert (double["round_id"], double["user_id"]) == (world.open_facts, world.pat_id)


@pytest.mark.parametrize("forged", [
    FORGED,
    "\r2026-01-01T00:00:00Z INFO login user_id=1",
    '" user_id=1 guest=false',
    "\u20282026-01-01T00:00:00Z INFO login user_id=1",
    "\x852026-01-01T00:00:00Z INFO login user_id=1",
    "\x1b[2K\x1b[1Gfake",
], ids=["newline", "carriage-return", "quote", "line-separator", "next-line", "terminal-escape"])
def test_user_text_cannot_forge_a_log_line(log, world: World, visitor, forged):
    response = visitor.post_form("/login", "/login", {"username": "pat" + forged, "password": "wrong"})
    assert response.status_code == 422
    assert_all_structured(log)
    assert len(log.lines()) == 1
    [failed] = log.events("login_failed")
    assert failed["username"] == "pat" + forged
    assert "\x1b" not in log.stream.getvalue()


def test_a_nickname_with_a_forged_line_is_refused_and_logs_nothing_forged(log, app):
    response = Player(app.test_client()).post_form("/join", "/join", {"nickname": "pat" + FORGED})
    assert response.status_code == 422
    assert_all_structured(log)
    assert log.events("login") == []


def test_the_apps_own_handler_writes_the_same_format(app):
    [handler] = app.logger.handlers
    record = logging.LogRecord("quizapp", logging.INFO, __file__, 1, "login user_id=1", None, None)
    assert LINE.match(handler.format(record))

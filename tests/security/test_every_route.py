"""Every route of the app, whatever comes in: no 5xx, no traceback, no unescaped echo, nothing written when refused.

The routes come from the app's URL map, so a new one is probed the day it is added; the probes are the attack's
categories (query strings, bodies, headers, cookies, methods). Add a probe when a new kind of bad input turns up.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from werkzeug.routing import Rule

from tests.conftest import Player
from tests.security.conftest import SCRIPT, World, assert_safe, snapshot, token

MARK = '"><fz-echo>'  # seen raw in a response, something was echoed unescaped
BOUNDARY = "fzboundary"
CLOSED_ROUND_PAGES = {"results.reveal", "results.results_json", "leaderboard.round_board", "rounds.answers_csv"}
WRONG_METHODS = ("PUT", "DELETE", "PATCH")


@dataclass(frozen=True)
class Probe:
    """One kind of bad input, sent to every route with each of the route's methods."""

    query: str = ""
    form: dict[str, str] | None = None  # urlencoded, with the sender's CSRF token
    raw: bytes | None = None  # sent as is after the CSRF token, with content_type
    multipart: tuple[tuple[str, bytes], ...] | None = None  # fields after the CSRF token, bytes as given
    content_type: str = "application/x-www-form-urlencoded"
    headers: dict[str, str] = field(default_factory=dict)
    environ: dict[str, str] = field(default_factory=dict)
    anonymous_cookie: str | None = None  # sent by a client without a session instead of the player's cookies
    methods: tuple[str, ...] | None = None  # instead of the route's own


def multipart(fields: list[tuple[str, bytes]]) -> bytes:
    parts = [f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + value + b"\r\n"
             for name, value in fields]
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


EVERY_FIELD = ("title", "intro", "series", "paste", "nickname", "username", "password", "confirm", "lang", "tz",
               "marks", "option", "action", "closes_choice", "closes_at", "opens_at", "results_visibility", "next")

PROBES: dict[str, Probe] = {
    "script-in-query": Probe(query=f"?page={quote(SCRIPT + MARK)}&next={quote(MARK)}&tz={quote(SCRIPT)}"),
    "line-break-in-next": Probe(query="?next=%2F%0D%0A%2F%2Fevil.example", form={"lang": "ru", "nickname": "Probe"}),
    "escaped-invalid-utf8-query": Probe(query="?q=%FF%FE&page=%C0%AF"),
    # WSGI carries the raw query as latin-1 text: these are the bytes 0xFF 0xFE on the wire.
    "raw-invalid-utf8-query": Probe(environ={"QUERY_STRING": "q=\xff\xfe"}),
    "nul-in-query": Probe(query="?page=1%00&next=/%00"),
    "huge-number-in-query": Probe(query="?page=" + "9" * 5000),
    "unicode-digits-in-query": Probe(query="?page=%D9%A2&upcoming=%C2%B2"),
    "hostile-text-in-every-field": Probe(form=dict.fromkeys(EVERY_FIELD, SCRIPT + MARK + "{{7*7}}")),
    "extra-and-repeated-fields": Probe(raw=b"is_curator=1&points=99&answer_count=-1&marks=1&marks=1&option=1&option=2"
                                           b"&curator_id=1&action=save&action=publish"),
    "invalid-utf8-body": Probe(raw=b"title=%FF&nickname=ab%C0%BC&username=\xff\xfe&lang=%ED%A0%80"),
    "nul-in-body": Probe(form={name: "a\x00b" for name in EVERY_FIELD}),
    "invalid-utf8-multipart": Probe(multipart=(("title", b"T\xff"), ("nickname", b"N\xc0\xbcwbie"), ("lang", b"r\xffu"),
                                               ("statements-0-text", b"\xed\xa0\x80"), ("action", b"save"))),
    "broken-multipart": Probe(raw=b"--nope\r\nContent-Disposition: form-data; name=\"a\r\n\r\n\xff",
                              content_type=f"multipart/form-data; boundary={BOUNDARY}"),
    "unicode-digits-in-fields": Probe(form={"statements-\u00b2-text": "x", "options-\u0661-text": "y",
                                            "action": "remove-\u00b2", "marks": "\u0661", "option": "\uff11"}),
    "huge-numbers-in-fields": Probe(form={"action": "up-" + "9" * 5000, "marks": "9" * 5000, "option": "-" + "9" * 5000,
                                          "statements-" + "1" * 5000 + "-text": "x"}),
    "json-instead-of-a-form": Probe(raw=b'{"title": "' + SCRIPT.encode() + b'", "a": ' + b"[" * 5000 + b"]",
                                    content_type="application/json"),
    "unknown-content-type": Probe(raw=b"\x00\xff\xfe", content_type="text/plain; charset=utf-7"),
    "htmx-headers": Probe(headers={"HX-Request": "true", "HX-Request-Type": "partial", "HX-Current-URL": SCRIPT,
                                   "HX-Source": MARK}),
    "odd-headers": Probe(headers={"Accept-Language": SCRIPT + ";q=abc, ru;q=2, *;q=-1", "Accept": "*/*;q=x",
                                  "If-Modified-Since": "yesterday", "Range": "bytes=9-1", "Referer": MARK,
                                  "X-Forwarded-For": "::::, " + SCRIPT, "Origin": "null", "Sec-Fetch-Site": MARK}),
    "forged-session-cookie": Probe(anonymous_cookie="session=eyJfdXNlcl9pZCI6IjEifQ.forged.signature"),
    "garbage-cookies": Probe(anonymous_cookie="session=; session=a.b.c; =; " + "x" * 4000 + "; lang=" + quote(SCRIPT)),
    "wrong-methods": Probe(form={"title": MARK}, methods=WRONG_METHODS),
}


# Accepted with a valid token, these end what the later probes need: the session, the open round.
LAST = ("rounds.close", "rounds.delete", "auth.logout")


def routes(app: Flask) -> list[Rule]:
    """Every rule of the app, those that sign out or remove the world's open round last."""
    return sorted(app.url_map.iter_rules(), key=lambda rule: LAST.index(rule.endpoint) if rule.endpoint in LAST else -1)


def replacement_characters(tables: dict[str, list[tuple]]) -> int:  # type: ignore[type-arg]
    """How many stored texts hold U+FFFD: what bytes that could not be read would have become."""
    return sum(isinstance(value, str) and "\ufffd" in value for rows in tables.values() for row in rows for value in row)


def url_of(rule: Rule, world: World) -> str:
    """The rule's URL for the world's rounds: a closed one where only closed rounds show, an open one elsewhere."""
    values: dict[str, Any] = {}
    if "round_id" in rule.arguments:
        values["round_id"] = world.closed_facts if rule.endpoint in CLOSED_ROUND_PAGES else world.open_facts
    if "series_id" in rule.arguments:
        values["series_id"] = world.series
    if "kind" in rule.arguments:
        values["kind"] = "facts"
    if "filename" in rule.arguments:
        values["filename"] = "css/app.css"
    if "name" in rule.arguments:
        values["name"] = "host"  # a host's feed: the world's curator
    if "token" in rule.arguments:
        values["token"] = "1-0000000000000000"  # a shared result: a forged token names none
    if "channel_id" in rule.arguments:
        values["channel_id"] = 1
    # Every rule of an endpoint is built alike; build this one by its own pattern rather than url_for's choice.
    return rule.build(values, append_unknown=False)[1]


def send(app: Flask, player: Player, method: str, url: str, probe: Probe):  # type: ignore[no-untyped-def]
    client = app.test_client(use_cookies=False) if probe.anonymous_cookie is not None else player.client
    headers = dict(probe.headers)
    if probe.anonymous_cookie is not None:
        headers["Cookie"] = probe.anonymous_cookie
    url += probe.query
    kwargs: dict[str, Any] = {"headers": headers, "environ_overrides": probe.environ}
    if method == "GET" or (probe.form is None and probe.raw is None and probe.multipart is None):
        return client.open(url, method=method, **kwargs)
    csrf = token(player) if probe.anonymous_cookie is None else ""
    if probe.form is not None:
        return client.open(url, method=method, data={"csrf_token": csrf, **probe.form}, **kwargs)
    if probe.multipart is not None:
        body = multipart([("csrf_token", csrf.encode()), *probe.multipart])
        return client.open(url, method=method, data=body, content_type=f"multipart/form-data; boundary={BOUNDARY}",
                           **kwargs)
    body = probe.raw or b""
    if probe.content_type.startswith("application/x-www-form-urlencoded"):
        body = f"csrf_token={csrf}&".encode() + body
    return client.open(url, method=method, data=body, content_type=probe.content_type, **kwargs)


@pytest.mark.parametrize("name", list(PROBES))
def test_every_route_survives(shared_app, fresh_world, name):
    probe = PROBES[name]
    world = fresh_world
    with shared_app.test_request_context():
        probed = [(rule, url_of(rule, world)) for rule in routes(shared_app)]
    before = snapshot()
    for rule, url in probed:
        methods = probe.methods or sorted(rule.methods - {"HEAD", "OPTIONS"})
        for who in ("visitor", "pat", "host"):
            for method in methods:
                response = send(shared_app, getattr(world, who), method, url, probe)
                where = f"{method} {url}{probe.query} as {who}: {response.status_code}"
                try:
                    assert_safe(response, MARK)
                except AssertionError as error:
                    raise AssertionError(f"{where}: {error}") from None
                finally:
                    response.close()  # a static file's response holds the file open
                after = snapshot()
                if response.status_code >= 400:
                    assert after == before, f"{where} refused, yet wrote"
                assert replacement_characters(after) == 0, f"{where} stored unreadable bytes as U+FFFD"
                before = after


def test_every_route_is_probed(shared_app):
    with shared_app.test_request_context():
        endpoints = {rule.endpoint for rule in routes(shared_app)}
    assert {"play.answer", "rounds.edit", "rounds.import_json", "auth.join", "static"} <= endpoints
    assert len(endpoints) >= 25

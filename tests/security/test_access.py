"""Access control, proven by walking app.url_map: curator routes refuse players and visitors, GETs never write."""
from __future__ import annotations

import io
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from werkzeug.datastructures import MultiDict
from werkzeug.routing import Rule

from tests.conftest import Player
from tests.security.conftest import HTMX, World, assert_safe, editor_form, snapshot, text, token

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def rules(app: Flask, blueprint: str | None = None) -> list[Rule]:
    found = [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]
    if blueprint is not None:
        found = [rule for rule in found if rule.endpoint.startswith(blueprint + ".")]
    return sorted(found, key=lambda rule: rule.rule)


def methods(rule: Rule) -> list[str]:
    return sorted(set(rule.methods or ()) - IGNORED_METHODS)


def url_for_rule(app: Flask, rule: Rule, round_id: int, series_id: int = 0) -> str:
    """The rule's URL with every argument filled from real rows."""
    values = {"round_id": round_id, "series_id": series_id, "kind": "facts", "filename": "css/app.css",
              "name": "host",  # a host feed: the world's curator
              "token": "1-0000000000000000",  # a shared result: a forged token names none
              "channel_id": 1}
    missing = rule.arguments - values.keys()
    assert not missing, f"{rule.rule}: no test value for {missing}"
    with app.test_request_context():
        return app.url_map.bind("localhost").build(rule.endpoint, {k: values[k] for k in rule.arguments})


def import_file() -> tuple[io.BytesIO, str]:
    document = {"format": "two-truths/rounds@1", "rounds": [
        {"kind": "facts", "title": "Smuggled in", "closes_at": "2099-01-01T00:00:00Z",
         "statements": [{"text": "a", "true": True}, {"text": "b", "true": False}]}]}
    return io.BytesIO(json.dumps(document).encode()), "rounds.json"


def hostile_form(endpoint: str, world: World) -> list[tuple[str, object]]:
    """What someone without the right would post: each would change something if the guard were missing."""
    forms: dict[str, list[tuple[str, object]]] = {
        "rounds.edit": editor_form(title="Taken over", action="publish"),
        "rounds.close": [],
        "rounds.extend": [("closes_choice", "1w"), ("tz", "UTC")],
        "rounds.delete": [("confirm", "yes")],
        "rounds.people": [("username", "pat")],
        "rounds.import_json": [("file", import_file())],
        "announce.manage": [("target", "site"), ("kind", "slack"), ("url", "https://hooks.example.org/x"),
                            ("language", "en")],
        "announce.remove": [],
        "announce.test": [],
    }
    return forms.get(endpoint, [])


def post(player: Player, url: str, form: list[tuple[str, object]], htmx: bool = False):  # type: ignore[no-untyped-def]
    data = MultiDict([("csrf_token", token(player)), *form])
    return player.client.post(url, data=data, headers=HTMX if htmx else {})


def curator_cases(app: Flask) -> list[tuple[Rule, str]]:
    return [(rule, method) for rule in rules(app, "rounds") + rules(app, "announce") for method in methods(rule)]


def case_id(rule: Rule, method: str) -> str:
    return f"{method} {rule.rule}"


# --- the walk finds what it should --------------------------------------------------------------


def test_the_walk_covers_every_curator_route(app):
    found = {rule.endpoint for rule in rules(app, "rounds")}
    assert found >= {"rounds.dashboard", "rounds.edit", "rounds.close", "rounds.extend", "rounds.delete",
                     "rounds.answers_csv", "rounds.people", "rounds.export_json", "rounds.import_json"}
    assert all(rule.rule.startswith("/curator/") for rule in rules(app, "rounds") + rules(app, "announce"))
    assert {rule.endpoint for rule, _method in curator_cases(app)} >= {"announce.manage", "announce.remove"}


# --- visitors are sent to log in, players are refused ---------------------------------------------


def test_every_curator_route_sends_a_visitor_to_log_in_and_stores_nothing(app, world):
    for rule, method in curator_cases(app):
        url = url_for_rule(app, rule, world.open_facts)
        before = snapshot()
        if method == "GET":
            response = world.visitor.get(url)
        else:
            response = post(world.visitor, url, hostile_form(rule.endpoint, world))
        where = case_id(rule, method)
        assert response.status_code in (302, 303), where
        target = urlsplit(response.headers["Location"])
        assert target.path == "/login", where
        assert urlsplit(parse_qs(target.query)["next"][0]).path == url, where
        assert snapshot() == before, where


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_every_curator_route_refuses_a_player_with_403_and_stores_nothing(app, world, htmx):
    for rule, method in curator_cases(app):
        url = url_for_rule(app, rule, world.open_facts)
        before = snapshot()
        if method == "GET":
            response = world.pat.get(url, headers=HTMX if htmx else {})
        else:
            response = post(world.pat, url, hostile_form(rule.endpoint, world), htmx=htmx)
        where = case_id(rule, method)
        assert response.status_code == 403, where
        assert ("<html" in text(response)) is not htmx, where
        assert "You are not allowed to do that." in text(response), where
        assert snapshot() == before, where


def test_a_curator_gets_403_on_every_route_of_another_curators_round(app, world):
    round_routes = [(rule, method) for rule, method in curator_cases(app) if "round_id" in rule.arguments]
    assert {rule.endpoint for rule, _ in round_routes} >= {"rounds.edit", "rounds.close", "rounds.extend",
                                                           "rounds.delete", "rounds.answers_csv"}
    for rule, method in round_routes:
        url = url_for_rule(app, rule, world.rival_open)
        before = snapshot()
        if method == "GET":
            response = world.host.get(url)
        else:
            response = post(world.host, url, hostile_form(rule.endpoint, world))
        assert response.status_code == 403, case_id(rule, method)
        assert "Rival" not in text(response)
        assert snapshot() == before, case_id(rule, method)


def test_the_same_routes_work_for_the_owner(app, world):
    """The refusals above come from the ownership check, not from routes that never work."""
    for rule in rules(app, "rounds"):
        if "GET" in methods(rule):
            round_id = world.closed_facts if rule.endpoint == "rounds.answers_csv" else world.open_facts
            response = world.host.get(url_for_rule(app, rule, round_id))
            assert response.status_code == 200, rule.rule


# --- nothing changes on GET ------------------------------------------------------------------------


def get_urls(app: Flask, world: World) -> list[str]:
    """Every GET route with each kind of round (and a missing one) filled in."""
    urls: list[str] = []
    round_ids = [world.open_facts, world.open_poll, world.closed_facts, world.scheduled, world.draft,
                 world.rival_open, 424242]
    for rule in rules(app):
        if "GET" not in methods(rule):
            continue
        if "round_id" in rule.arguments:
            urls += [url_for_rule(app, rule, round_id) for round_id in round_ids]
        else:
            urls.append(url_for_rule(app, rule, world.open_facts, world.series))
    return urls


@pytest.mark.parametrize("who", ["visitor", "pat", "host", "rival"])
def test_no_get_anywhere_changes_the_database(app, world, who):
    player: Player = getattr(world, who)
    urls = get_urls(app, world)
    before = snapshot()
    for url in urls:
        for headers in ({}, HTMX):
            response = player.get(url, headers=headers)
            assert_safe(response)
            assert response.status_code in (200, 302, 303, 403, 404), (url, response.status_code)
    assert snapshot() == before


def test_post_only_routes_answer_405_to_get_and_say_what_is_allowed(app, world):
    post_only = [rule for rule in rules(app) if methods(rule) == ["POST"]]
    assert {rule.endpoint for rule in post_only} >= {"auth.logout", "play.answer", "rounds.close", "rounds.extend"}
    before = snapshot()
    for rule in post_only:
        url = url_for_rule(app, rule, world.open_facts)
        for player in (world.visitor, world.pat, world.host):
            response = player.get(url)
            assert response.status_code == 405, url
            assert "POST" in response.headers["Allow"], url
            assert "That action is not available here." in text(response), url
    assert snapshot() == before


def test_players_cannot_read_another_players_answer_before_the_close(app, world, new_player):
    alice = new_player("alice")
    assert alice.answer(world.open_facts, [world.false_ids[0], world.true_ids[0]]).status_code == 303
    snooper = world.pat
    for url in get_urls(app, world):
        body = text(snooper.get(url)) + text(snooper.get(url, headers=HTMX))
        assert "alice" not in body, url

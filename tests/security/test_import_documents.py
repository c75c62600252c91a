"""Hostile JSON import documents, by upload and on the command line: refused whole with a message, never a 500.

A table of the attack's documents, and a hypothesis search over any JSON in any field of a round.
"""
from __future__ import annotations

import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import FileStorage, MultiDict

from quizapp.data.rounds_json import FORMAT, RoundsFileError, load_document, parse_rounds
from tests.security.conftest import SCRIPT, assert_safe, snapshot, text, token

GOOD_ROUND = {"kind": "facts", "title": "t", "statements": [{"text": "a", "true": True}, {"text": "b", "true": False}]}


def rounds(*items: object) -> bytes:
    return json.dumps({"format": FORMAT, "rounds": list(items)}).encode()


def with_round(**fields: object) -> bytes:
    return rounds(GOOD_ROUND | fields)


DOCUMENTS: dict[str, bytes] = {
    "deeply-nested": b"[" * 100_000 + b"]" * 100_000,
    "integer-of-4401-digits": b'{"format": ' + b"7" * 4401 + b"}",
    "integer-of-4401-digits-in-a-statement": with_round(statements=[{"text": "a", "true": True}]).replace(
        b'"true": true', b'"true": ' + b"1" * 4401),
    "float-of-5000-digits": b'{"format": 0.' + b"1" * 5000 + b"e99999}",
    "nan-and-infinity": b'{"format": NaN, "rounds": [Infinity, -Infinity]}',
    "lone-surrogate-title": with_round(title="x\ud800"),
    "lone-surrogate-everywhere": with_round(title="\udfff", intro="\ud800", series="\udbff",
                                            statements=[{"text": "\ud800", "true": True, "\udc00": 1}]),
    "script-everywhere": with_round(kind=SCRIPT, title=SCRIPT, series=SCRIPT, opens_at=SCRIPT, closes_at=SCRIPT,
                                    **{SCRIPT: SCRIPT}),
    "nul-everywhere": with_round(title="a\x00", intro="\x00", statements=[{"text": "\x00", "true": True}]),
    "repeated-key": b'{"format": "two-truths/rounds@1", "format": "x", "rounds": []}',
    "501-rounds": rounds(*[GOOD_ROUND] * 501),
    "close-in-year-9999": with_round(closes_at="9999-12-31T23:59:59Z"),
    "times-beyond-bounds": with_round(opens_at="0001-01-01T00:00:00+14:00", closes_at="9999-12-31T23:59:59-12:00"),
    "times-odd": with_round(opens_at="2026-02-30T10:00:00Z", closes_at="2026-01-01T24:00:00+23:59"),
    "times-not-strings": with_round(opens_at=1e308, closes_at=[2026]),
    "wrong-types": rounds("round", 7, None, [], {"kind": ["facts"]}, GOOD_ROUND | {"statements": "a, b"}),
    "utf16": json.dumps({"format": FORMAT, "rounds": [GOOD_ROUND]}).encode("utf-16"),
    "invalid-utf8": rounds(GOOD_ROUND).replace(b'"t"', b'"\xff\xfe"'),
    "not-json": b"<html>" + SCRIPT.encode(),
    "empty": b"",
}


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_a_hostile_upload_is_refused_whole_with_a_message(shared_app, fresh_world, name):
    host = fresh_world.host
    before = snapshot()
    upload = FileStorage(io.BytesIO(DOCUMENTS[name]), filename=SCRIPT + ".json", content_type="application/json")
    response = host.client.post("/curator/import", data=MultiDict([("csrf_token", token(host)), ("file", upload)]))
    assert response.status_code == 422, text(response)[:2000]
    assert_safe(response)
    assert 'id="import-problems"' in text(response) or "Choose a file to import." in text(response)
    assert snapshot() == before


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_a_hostile_file_on_the_command_line_is_refused_whole(shared_app, fresh_world, tmp_path, name):
    path = tmp_path / "rounds.json"
    path.write_bytes(DOCUMENTS[name])
    before = snapshot()
    result = shared_app.test_cli_runner().invoke(args=["import-rounds", str(path), "--curator", "host"])
    assert result.exit_code == 1, result.output
    assert "nothing imported" in result.output and "Traceback" not in result.output
    assert snapshot() == before


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
round_keys = st.sampled_from(["kind", "title", "intro", "series", "opens_at", "closes_at", "statements", "options",
                              "results", "text", "true", "correct"]) | st.text(max_size=8)


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.dictionaries(round_keys, json_values, max_size=4))
def test_any_json_in_any_field_is_either_a_round_or_a_list_of_problems(app, changes):
    document = {"format": FORMAT, "rounds": [GOOD_ROUND | changes]}
    with app.test_request_context():
        try:
            parse_rounds(load_document(json.dumps(document).encode()))
        except RoundsFileError as error:
            assert error.errors
            for problem in error.errors:
                problem.encode("utf-8")  # every message can be shown and printed

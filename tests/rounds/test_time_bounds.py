"""Round times stay within 2000-01-01T00:00Z <= t < 2100-01-01T00:00Z on every surface, and no stored time breaks a page."""
from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict

from quizapp.auth.service import find_user
from quizapp.data.rounds_json import FORMAT, RoundsFileError, parse_rounds
from quizapp.extensions import db
from quizapp.models import Round
from quizapp.rules.lifecycle import as_utc
from tests.conftest import Player, csrf_from

EDITOR_MESSAGE = "Choose a time from 1 January 2000 to the end of 2099 (UTC)."
IMPORT_MESSAGE = "must be from 2000-01-01T00:00:00Z up to, not including, 2100-01-01T00:00:00Z"
FAR_FUTURE = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
EAST_OF_UTC = ["Europe/Berlin", "Europe/Moscow", "Asia/Kolkata", "Asia/Tokyo"]


def round_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Round)) or 0


def in_zone(player: Player, zone: str) -> Player:
    with player.client.session_transaction() as session:
        session["tz"] = zone
    return player


def far_future_round(make) -> Round:  # type: ignore[no-untyped-def]
    round_ = make.facts_round(curator=find_user("host"), title="Forever")
    round_.closes_at = FAR_FUTURE  # as an import before the bounds could store it
    db.session.commit()
    return round_


def document(**times: str) -> dict:  # type: ignore[type-arg]
    return {"format": FORMAT, "rounds": [{"kind": "facts", "title": "Imported", **times, "statements": [
        {"text": "a", "true": True}, {"text": "b", "true": False}]}]}


def editor(**fields: str) -> dict[str, str]:
    data = {"title": "Three facts", "intro": "", "series": "", "paste": "",
            "statements-0-text": "a", "statements-1-text": "b", "statements-1-is_false": "y",
            "opens_at": "", "closes_choice": "custom", "closes_at": "", "tz": "UTC", "action": "publish"}
    return data | fields


# --- stored times beyond the bounds never break a page -----------------------------------------------------


@pytest.mark.parametrize("zone", EAST_OF_UTC)
def test_a_close_in_year_9999_shows_on_every_page_east_of_utc(curator, make, zone):
    round_ = far_future_round(make)
    in_zone(curator, zone)
    for url in ("/", "/curator/", f"/curator/rounds/{round_.id}/edit"):
        response = curator.get(url)
        assert response.status_code == 200, url
        assert "9999" in response.get_data(as_text=True), url


def test_extending_a_round_that_closes_in_year_9999_is_refused_with_a_message(curator, make):
    round_ = far_future_round(make)
    in_zone(curator, "Asia/Tokyo")
    response = curator.post_form(f"/curator/rounds/{round_.id}/edit", f"/curator/rounds/{round_.id}/extend",
                                 {"closes_choice": "1h", "tz": "Asia/Tokyo"})
    assert response.status_code == 422
    assert EDITOR_MESSAGE in response.get_data(as_text=True)
    db.session.rollback()
    assert as_utc(db.session.get(Round, round_.id).closes_at) == FAR_FUTURE


def test_extending_to_2100_is_refused(curator, make):
    round_ = make.facts_round(curator=find_user("host"), title="Soon")
    response = curator.post_form(f"/curator/rounds/{round_.id}/edit", f"/curator/rounds/{round_.id}/extend",
                                 {"closes_choice": "custom", "closes_at": "2100-01-01T00:00", "tz": "UTC"})
    assert response.status_code == 422
    assert EDITOR_MESSAGE in response.get_data(as_text=True)


# --- the editor ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fields", [
    {"closes_at": "2100-01-01T00:00"},
    {"closes_at": "2100-01-01T09:00", "tz": "Asia/Tokyo"},
    {"closes_at": "9000-06-01T12:00"},
    {"opens_at": "1999-12-31T23:59", "closes_at": "2099-01-01T00:00"},
    {"opens_at": "2099-12-31T23:30", "closes_choice": "1h"},
], ids=["close-at-2100", "close-at-2100-in-tokyo", "close-in-9000", "open-in-1999", "quick-close-past-2100"])
def test_the_editor_refuses_times_outside_the_bounds_and_saves_nothing(curator, fields):
    response = curator.post_form("/curator/rounds/new/facts", "/curator/rounds/new/facts", editor(**fields))
    assert response.status_code == 422
    assert EDITOR_MESSAGE in response.get_data(as_text=True)
    assert round_count() == 0


def test_the_editor_publishes_a_round_closing_just_before_2100(curator):
    response = curator.post_form("/curator/rounds/new/facts", "/curator/rounds/new/facts",
                                 editor(closes_at="2099-12-31T23:59"))
    assert response.status_code == 303
    db.session.rollback()
    [round_] = db.session.scalars(select(Round)).all()
    assert as_utc(round_.closes_at) == datetime(2099, 12, 31, 23, 59, tzinfo=UTC)


# --- import: the parser, the upload and the command line ---------------------------------------------------


@pytest.mark.parametrize("times", [
    {"closes_at": "9999-12-31T23:59:59Z"},
    {"closes_at": "2100-01-01T00:00:00Z"},
    {"opens_at": "1999-12-31T23:59:59Z", "closes_at": "2099-01-01T00:00:00Z"},
    {"opens_at": "0001-01-01T00:00:00+01:00"},
    {"closes_at": "9999-12-31T23:59:59-01:00"},
])
def test_import_refuses_times_outside_the_bounds_naming_the_field(app, times):
    with app.test_request_context():
        with pytest.raises(RoundsFileError) as raised:
            parse_rounds(document(**times))
    [field] = times if len(times) == 1 else ["opens_at"]
    assert raised.value.errors == [f'round 1 ("Imported"): {field}: {IMPORT_MESSAGE}']


def test_import_takes_the_first_and_last_instants_inside_the_bounds(app):
    with app.test_request_context():
        [spec] = parse_rounds(document(opens_at="2000-01-01T00:00:00Z", closes_at="2099-12-31T23:59:59.999999Z"))
    assert spec.closes_at == datetime(2099, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)


def test_an_upload_with_a_close_in_year_9999_is_refused_and_imports_nothing(curator):
    page = curator.get("/curator/import").get_data(as_text=True)
    upload = FileStorage(io.BytesIO(json.dumps(document(closes_at="9999-12-31T23:59:59Z")).encode()),
                         filename="rounds.json", content_type="application/json")
    response = curator.client.post("/curator/import", data=MultiDict([("csrf_token", csrf_from(page)), ("file", upload)]))
    assert response.status_code == 422
    assert IMPORT_MESSAGE in response.get_data(as_text=True)
    assert round_count() == 0


def test_the_command_line_refuses_a_close_in_year_9999_and_imports_nothing(runner, make, tmp_path):
    make.user("host", curator=True)
    path = tmp_path / "rounds.json"
    path.write_text(json.dumps(document(closes_at="9999-12-31T23:59:59Z")), encoding="utf-8")
    result = runner.invoke(args=["import-rounds", str(path), "--curator", "host"])
    assert result.exit_code != 0
    assert IMPORT_MESSAGE in result.output
    assert round_count() == 0

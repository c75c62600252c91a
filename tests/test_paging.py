"""Lists that grow without bound come a page at a time, and ?page= never fails a page."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from quizapp.data.rounds_json import FORMAT, RoundsFileError, parse_rounds
from quizapp.extensions import db
from quizapp.models import Round
from quizapp.paging import PER_PAGE


def many_rounds(make, count: int, status: str = "open"):  # type: ignore[no-untyped-def]
    from quizapp.auth.service import find_user

    host = find_user("host")
    return [make.facts_round(curator=host, title=f"Round {i:03d}", status=status) for i in range(count)]


def titles(body: str) -> int:
    return body.count(">Round ")


def test_the_dashboard_shows_50_rounds_a_page_with_links_between_pages(curator, make):
    many_rounds(make, PER_PAGE + 3, status="draft")
    first = curator.get("/curator/").get_data(as_text=True)
    assert titles(first) == PER_PAGE
    assert 'rel="next" href="/curator/?page=2"' in first and 'rel="prev"' not in first
    second = curator.get("/curator/?page=2").get_data(as_text=True)
    assert titles(second) == 3
    assert 'rel="prev" href="/curator/?page=1"' in second and 'rel="next"' not in second


@pytest.mark.parametrize("page", ["0", "-1", "abc", "%D9%A2", "2" * 5000, "99999", ""])
def test_any_page_number_gives_a_page(curator, make, page):
    many_rounds(make, PER_PAGE + 3, status="draft")
    response = curator.get(f"/curator/?page={page}")
    assert response.status_code == 200
    assert titles(response.get_data(as_text=True)) in (PER_PAGE, 3)


def test_the_home_page_pages_open_and_upcoming_rounds_apart(curator, make, visitor):
    many_rounds(make, PER_PAGE + 1)
    many_rounds(make, PER_PAGE + 2, status="scheduled")
    first = visitor.get("/").get_data(as_text=True)
    assert titles(first) == 2 * PER_PAGE
    assert 'href="/?page=2"' in first and 'href="/?upcoming=2"' in first
    assert titles(visitor.get("/?page=2&upcoming=2").get_data(as_text=True)) == 1 + 2


def test_import_refuses_a_file_of_more_than_500_rounds(app):
    round_ = {"kind": "facts", "title": "x", "statements": [{"text": "a", "true": True}, {"text": "b", "true": False}]}
    with app.test_request_context():
        assert len(parse_rounds({"format": FORMAT, "rounds": [round_] * 500})) == 500
        with pytest.raises(RoundsFileError) as raised:
            parse_rounds({"format": FORMAT, "rounds": [round_] * 501})
    assert raised.value.errors == ["rounds: holds 501 rounds; a file may hold at most 500, so split it into several"]


def test_the_command_line_imports_nothing_from_a_file_of_501_rounds(runner, make, tmp_path):
    make.user("host", curator=True)
    round_ = {"kind": "facts", "title": "x", "statements": [{"text": "a", "true": True}, {"text": "b", "true": False}]}
    path = tmp_path / "rounds.json"
    path.write_text(json.dumps({"format": FORMAT, "rounds": [round_] * 501}), encoding="utf-8")
    result = runner.invoke(args=["import-rounds", str(path), "--curator", "host"])
    assert result.exit_code != 0 and "a file may hold at most 500" in result.output
    assert db.session.scalar(select(func.count()).select_from(Round)) == 0

"""Input the app can't read is refused whole and early: broken UTF-8 in any body, more rows than a round may have."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from quizapp.extensions import db
from quizapp.models import Round, RoundKind
from quizapp.rounds import views as round_views
from tests.conftest import Player, csrf_from
from tests.security.conftest import snapshot, text

UTF8_MESSAGE = "Some text was not valid UTF-8. Nothing was saved."
BOUNDARY = "----boundary7MA4YWxkTrZu0gW"


def multipart(fields: list[tuple[str, bytes]]) -> bytes:
    """A multipart body with each field's bytes exactly as given, as a hand-written client could send it."""
    parts = [f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + value + b"\r\n"
             for name, value in fields]
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def post_multipart(player: Player, url: str, fields: list[tuple[str, bytes]]):  # type: ignore[no-untyped-def]
    return player.client.post(url, data=multipart(fields), content_type=f"multipart/form-data; boundary={BOUNDARY}")


def editor_fields(csrf: str, title: bytes) -> list[tuple[str, bytes]]:
    return [("csrf_token", csrf.encode()), ("title", title), ("statements-0-text", b"a"), ("statements-1-text", b"b"),
            ("statements-1-is_false", b"y"), ("closes_choice", b"1d"), ("tz", b"UTC"), ("action", b"save")]


@pytest.mark.parametrize("title", [b"T\xffitle", b"\xc0\xbcscript", b"\xed\xa0\x80", b"cut \xe2\x82"])
def test_broken_utf8_in_a_multipart_form_is_refused_and_nothing_is_stored(curator, title):
    csrf = csrf_from(text(curator.get("/curator/rounds/new/facts")))
    before = snapshot()
    response = post_multipart(curator, "/curator/rounds/new/facts", editor_fields(csrf, title))
    assert response.status_code == 400
    assert UTF8_MESSAGE in text(response)
    assert snapshot() == before


def test_a_multipart_form_in_good_utf8_is_stored_as_sent(curator):
    csrf = csrf_from(text(curator.get("/curator/rounds/new/facts")))
    response = post_multipart(curator, "/curator/rounds/new/facts", editor_fields(csrf, "Тайна ✓".encode()))
    assert response.status_code == 303
    db.session.rollback()
    assert [round_.title for round_ in db.session.scalars(select(Round))] == ["Тайна ✓"]


@pytest.mark.parametrize("kind, rows", [("facts", 31), ("facts", 40_000), ("poll", 11)])
def test_the_editor_refuses_more_rows_than_a_round_may_have_before_building_the_form(curator, monkeypatch, kind, rows):
    csrf = csrf_from(text(curator.get("/curator/")))

    def built(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the form was built")

    # Building the form is what costs: WTForms makes a subform for every row (14 s of CPU for 40,000).
    monkeypatch.setitem(round_views.FORMS, RoundKind(kind), built)
    name = "statements" if kind == "facts" else "options"
    data = [("csrf_token", csrf), *((f"{name}-{i}-text", "s") for i in range(rows)), ("action", "save")]
    response = curator.client.post(f"/curator/rounds/new/{kind}", data=MultiDict(data))
    assert response.status_code == 422
    assert ("2 to 30 statements" if kind == "facts" else "2 to 10 options") in text(response)


def test_pasting_more_statements_than_fit_keeps_the_rest_in_the_paste_box(curator):
    pasted = "\n".join(f"{i}. Fact {i}" for i in range(1, 36))
    data = {"title": "Many", "statements-0-text": "Mine", "paste": pasted, "closes_choice": "1d", "tz": "UTC",
            "action": "paste"}
    page = text(curator.post_form("/curator/rounds/new/facts", "/curator/rounds/new/facts", data))
    assert 'name="statements-29-text"' in page and 'name="statements-30-text"' not in page
    assert "Fact 29" in page and "Fact 30\n\nFact 31" in page  # 1 of mine + 29 pasted; 6 left to place

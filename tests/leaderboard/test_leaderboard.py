"""Leaderboards: closed scored rounds only, shared ranks, and a series counting only its own rounds."""
from __future__ import annotations

import re

import pytest

from quizapp.extensions import db
from quizapp.models import Round, Series

ROW = re.compile(
    r'<td class="rank">(\d+)</td>\s*<th scope="row">([^<]+?)\s*(?:<span[^>]*>[^<]*</span>\s*)*</th>\s*'
    r'<td class="num">(\d+)</td>\s*<td class="num">(\d+)</td>\s*<td class="num">(\d+)</td>\s*<td class="num">([^<]+)</td>'
)


def table(html: str, table_id: str) -> list[tuple[str, ...]]:
    """The rows of a leaderboard: (rank, player, points, rounds, perfect, accuracy)."""
    start = html.index(f'id="{table_id}"')
    return ROW.findall(html[start : html.find("</table>", start)])


@pytest.fixture
def season(make):  # type: ignore[no-untyped-def]
    """Closed facts rounds, an open one, a closed quiz poll and a closed opinion poll, with known answers."""
    author = make.user("author", password=None, curator=True)
    users = {name: make.user(name, password=None) for name in ("ann", "bob", "cyd", "dan", "zed", "olga")}

    # Two lies among four.
    first = make.facts_round([("t1", False), ("f1", True), ("f2", True), ("t2", False)], curator=author,
                             title="First", status="closed")
    t1, f1, f2, t2 = (s.id for s in first.statements)
    for name, marks in {"ann": [f1, f2], "bob": [f1, t1], "cyd": [f1, t2], "dan": [t1, t2]}.items():
        make.answer(first, users[name], marks)

    # Three lies among five.
    second = make.facts_round([("a", True), ("b", True), ("c", True), ("d", False), ("e", False)], curator=author,
                              title="Second", status="closed")
    a, b, c, d, e = (s.id for s in second.statements)
    for name in ("ann", "bob", "dan"):
        make.answer(second, users[name], [a, d, e])

    # Still open: full marks here must not count yet.
    live = make.facts_round([("x", True), ("y", False), ("z", True)], curator=author, title="Live")
    x, _y, z = (s.id for s in live.statements)
    for name in ("ann", "zed"):
        make.answer(live, users[name], [x, z])

    quiz = make.poll(["Paris", "Lyon"], correct=0, curator=author, title="Capital?", status="closed")
    make.answer(quiz, users["cyd"], option=quiz.options[0].id)
    make.answer(quiz, users["dan"], option=quiz.options[1].id)

    opinion = make.poll(["Tea", "Coffee"], curator=author, title="Tea or coffee?", status="closed")
    for name in ("ann", "olga"):
        make.answer(opinion, users[name], option=opinion.options[1].id)

    return {"author": author, "first": first.id, "second": second.id, "live": live.id}


def test_overall_leaderboard_ranks_closed_scored_rounds_with_shared_ranks(season, visitor):
    rows = table(visitor.get("/leaderboard").get_data(as_text=True), "overall-leaderboard")
    assert rows == [
        # ann: 2 of 2 + 1 of 3; bob: 1 + 1; cyd: 1 of 2 + the quiz; dan: 0 + 1 + a wrong quiz answer.
        ("1", "ann", "3", "2", "1", "60.0%"),
        ("2", "bob", "2", "2", "0", "40.0%"),
        ("2", "cyd", "2", "2", "1", "66.7%"),
        ("4", "dan", "1", "3", "0", "16.7%"),
    ]


def test_open_round_answers_are_not_on_the_leaderboard_until_it_closes(season, visitor):
    assert "zed" not in visitor.get("/leaderboard").get_data(as_text=True)
    db.session.rollback()
    live = db.session.get(Round, season["live"])
    live.closes_at = db.session.get(Round, season["first"]).closes_at
    db.session.commit()
    rows = table(visitor.get("/leaderboard").get_data(as_text=True), "overall-leaderboard")
    assert rows == [
        ("1", "ann", "5", "3", "2", "71.4%"),
        ("2", "bob", "2", "2", "0", "40.0%"),
        ("2", "cyd", "2", "2", "1", "66.7%"),
        ("2", "zed", "2", "1", "1", "100.0%"),
        ("5", "dan", "1", "3", "0", "16.7%"),
    ]


def test_opinion_poll_voters_never_appear_and_gain_no_round(season, visitor):
    body = visitor.get("/leaderboard").get_data(as_text=True)
    assert "olga" not in body
    ann = table(body, "overall-leaderboard")[0]
    assert (ann[1], ann[3]) == ("ann", "2")  # the two closed facts rounds, not the opinion poll


def test_leaderboard_is_empty_before_any_round_closes(make, visitor):
    round_ = make.facts_round(curator=make.user("author", password=None, curator=True))
    make.answer(round_, make.user("ann", password=None), [s.id for s in round_.statements if s.is_false])
    body = visitor.get("/leaderboard").get_data(as_text=True)
    assert "No scores yet" in body
    assert "ann" not in body


def test_series_leaderboard_counts_only_that_series_closed_rounds(season, visitor):
    db.session.rollback()
    series = Series(curator_id=season["author"].id, title="Week of Ann")
    db.session.add(series)
    for key in ("first", "live"):
        db.session.get(Round, season[key]).series = series
    db.session.commit()
    series_id = series.id

    body = visitor.get(f"/series/{series_id}").get_data(as_text=True)
    assert "Week of Ann" in body
    assert table(body, "series-leaderboard") == [
        ("1", "ann", "2", "1", "1", "100.0%"),
        ("2", "bob", "1", "1", "0", "50.0%"),
        ("2", "cyd", "1", "1", "0", "50.0%"),
        ("4", "dan", "0", "1", "0", "0.0%"),
    ]
    assert "zed" not in body
    listed = body.split('id="series-rounds"')[1].split("</section>")[0]
    assert "First" in listed and "Live" in listed and "Second" not in listed


def test_a_series_holding_only_drafts_is_not_found_so_its_title_stays_private(make, visitor):
    host = make.user("planner", password=None, curator=True)
    series = make.series(host, "Coming soon", make.facts_round(curator=host, status="draft", title="Secret draft"))
    response = visitor.get(f"/series/{series.id}")
    body = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Coming soon" not in body and "Secret draft" not in body


def test_a_series_lists_its_published_rounds_and_not_its_drafts(make, visitor):
    host = make.user("planner", password=None, curator=True)
    series = make.series(host, "Half ready", make.facts_round(curator=host, status="draft", title="Secret draft"),
                         make.facts_round(curator=host, status="open", title="Out now"))
    body = visitor.get(f"/series/{series.id}").get_data(as_text=True)
    assert "Half ready" in body and "Out now" in body and "Secret draft" not in body


def test_unknown_series_is_not_found(visitor):
    assert visitor.get("/series/999").status_code == 404


def headings(html: str, table_id: str) -> list[str]:
    start = html.index(f'id="{table_id}"')
    return re.findall(r'<th scope="col"[^>]*>([^<]+)</th>', html[start : html.find("</thead>", start)])


def test_a_single_rounds_leaderboard_has_no_rounds_column_which_would_always_read_one(season, visitor):
    round_id = db.session.query(Round.id).filter_by(title="First").scalar()
    for path in (f"/rounds/{round_id}/leaderboard", f"/rounds/{round_id}/reveal"):
        assert headings(visitor.get(path).get_data(as_text=True), "round-leaderboard") == [
            "Rank", "Player", "Points", "Perfect", "Accuracy"]
    assert "Rounds" in headings(visitor.get("/leaderboard").get_data(as_text=True), "overall-leaderboard")

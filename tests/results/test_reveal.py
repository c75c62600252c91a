"""The reveal page and results.json: hidden until the close, then every number from the answers."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from quizapp.extensions import db
from quizapp.models import Round, User, utcnow

# (text, is_false, explanation): three lies among five.
STATEMENTS = [
    ("Я говорю по-русски", False, "Five years in Moscow."),
    ("I ran a marathon", True, "I stopped at 30 km."),
    ("I was born in Oslo", True, "Bergen, actually."),
    ("I have met a president", True, "Only on TV."),
    ("I keep bees", False, "Two hives on the roof."),
]
A, B, C, D, E = range(5)
# Who marked what: ann finds all three lies, bob and cyd two, dan one.
MARKS = {"ann": [B, C, D], "bob": [B, C, A], "cyd": [B, C, A], "dan": [B, A, E]}


def close_now(round_id: int) -> None:
    db.session.rollback()
    db.session.get(Round, round_id).closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()


def text(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


def reveal_items(html: str) -> list[str]:
    """The reveal page's statement entries, in display order."""
    return re.findall(r'<li class="reveal-item[^"]*">.*?</li>', html, flags=re.S)


@pytest.fixture
def played(make, new_player):  # type: ignore[no-untyped-def]
    """A facts round four players answered through the answer form; returns (round id, statement ids, ann)."""
    round_ = make.facts_round(
        [(text_, is_false) for text_, is_false, _ in STATEMENTS],
        explanations=[explanation for _, _, explanation in STATEMENTS],
        curator=make.user("author", password=None, curator=True),
        title="Five facts",
    )
    round_id, ids = round_.id, [s.id for s in round_.statements]
    players = {}
    for name, marks in MARKS.items():
        players[name] = new_player(name)
        assert players[name].answer(round_id, [ids[i] for i in marks]).status_code == 303
    return round_id, ids, players["ann"]


def test_reveal_before_the_close_shows_only_when_it_opens(played, visitor):
    round_id, _ids, ann = played
    for viewer in (visitor, ann):
        response = viewer.get(f"/rounds/{round_id}/reveal")
        body = text(response)
        assert response.status_code == 200
        assert "The reveal opens when the round closes" in body
        assert "Five facts" in body
        assert "TRUE" not in body and "FALSE" not in body
        assert "verdict" not in body
        for statement, _is_false, explanation in STATEMENTS:
            assert statement not in body
            assert explanation not in body
        assert "marked it false" not in body


def test_results_json_is_not_found_before_the_close(played, visitor):
    round_id, _ids, ann = played
    assert visitor.get(f"/rounds/{round_id}/results.json").status_code == 404
    assert ann.get(f"/rounds/{round_id}/results.json").status_code == 404


def test_reveal_shows_every_verdict_explanation_and_share_marked_false(played):
    round_id, _ids, ann = played
    close_now(round_id)
    items = reveal_items(text(ann.get(f"/rounds/{round_id}/reveal")))
    expected = [
        # (verdict, marked false by, of 4 players, %)
        ("TRUE", 3, "75.0"),
        ("FALSE", 4, "100.0"),
        ("FALSE", 3, "75.0"),
        ("FALSE", 1, "25.0"),
        ("TRUE", 1, "25.0"),
    ]
    assert len(items) == len(STATEMENTS)
    for item, (statement, _is_false, explanation), (verdict, count, percent) in zip(items, STATEMENTS, expected, strict=True):
        assert f'<p class="choice-text">{statement}</p>' in item
        assert f'<p class="explanation">{explanation}</p>' in item
        assert f">{verdict}</span>" in item
        assert f">{'TRUE' if verdict == 'FALSE' else 'FALSE'}<" not in item
        assert f'<p class="bar-label">{percent}% marked it false ({count} of 4)</p>' in item
        assert f'class="bar-fill" width="{int(float(percent) * 10)}"' in item  # the bar drawn to scale


def test_reveal_highlights_the_viewers_own_marks(played, new_player):
    round_id, _ids, ann = played
    close_now(round_id)
    items = reveal_items(text(ann.get(f"/rounds/{round_id}/reveal")))
    mine = [i for i, item in enumerate(items) if item.startswith('<li class="reveal-item mine"')]
    assert mine == MARKS["ann"]
    assert all(("you marked it false" in item) is (i in MARKS["ann"]) for i, item in enumerate(items))

    outsider = new_player("eve")
    assert "reveal-item mine" not in text(outsider.get(f"/rounds/{round_id}/reveal"))


def test_reveal_shows_players_average_distribution_best_lie_and_most_doubted_truth(played):
    round_id, _ids, ann = played
    close_now(round_id)
    body = text(ann.get(f"/rounds/{round_id}/reveal"))
    assert re.search(r'<span class="stat-value">4</span>\s*<span class="stat-label">players</span>', body)
    assert re.search(r'<span class="stat-value">2\.0</span>\s*<span class="stat-label">false statements found on average, of 3', body)
    assert re.search(r'<div class="stat mine"><span class="stat-value">3 / 3</span>', body)
    distribution = re.findall(r'<th scope="row">(\d+) / 3</th><td class="num">(\d+)</td>', body)
    assert distribution == [("0", "0"), ("1", "1"), ("2", "2"), ("3", "1")]
    best_lie = body.split("<h2>Best lie</h2>")[1].split("</div>")[0]
    assert "I have met a president" in best_lie and "Only 1 of 4 caught it." in best_lie
    doubted = body.split("<h2>Most doubted truth</h2>")[1].split("</div>")[0]
    assert "Я говорю по-русски" in doubted and "3 of 4 thought it was false." in doubted


def test_reveal_ranks_the_round_with_shared_ranks(played, visitor):
    round_id, _ids, _ann = played
    close_now(round_id)
    body = text(visitor.get(f"/rounds/{round_id}/reveal"))
    board = body.split('id="round-leaderboard"')[1].split("</table>")[0]
    rows = re.findall(r'<td class="rank">(\d+)</td>\s*<th scope="row">(\w+)\s*(?:<span[^>]*>[^<]*</span>\s*)*</th>\s*<td class="num">(\d+)</td>', board)
    assert rows == [("1", "ann", "3"), ("2", "bob", "2"), ("2", "cyd", "2"), ("4", "dan", "1")]


def test_results_json_after_the_close_has_the_aggregates_and_the_round_leaderboard(played, visitor):
    round_id, _ids, _ann = played
    close_now(round_id)
    response = visitor.get(f"/rounds/{round_id}/results.json")
    assert response.status_code == 200
    data = response.get_json()
    assert data["players"] == 4
    assert [
        (row["text"], row["true"], row["marked_false"], row["percent_marked_false"]) for row in data["statements"]
    ] == [
        ("Я говорю по-русски", True, 3, 75.0),
        ("I ran a marathon", False, 4, 100.0),
        ("I was born in Oslo", False, 3, 75.0),
        ("I have met a president", False, 1, 25.0),
        ("I keep bees", True, 1, 25.0),
    ]
    assert [(row["rank"], row["player"], row["points"]) for row in data["leaderboard"]] == [
        (1, "ann", 3), (2, "bob", 2), (2, "cyd", 2), (4, "dan", 1)
    ]


def test_share_marked_false_is_given_to_one_decimal_from_known_answers(make, visitor):
    round_ = make.facts_round(
        [("One", False), ("Two", True), ("Three", False)], curator=make.user("author", password=None, curator=True)
    )
    one, two, three = (s.id for s in round_.statements)
    for name, marked in (("ann", [two]), ("bob", [one]), ("cyd", [one])):
        make.answer(round_, make.user(name, password=None), [marked[0]])
    round_id = round_.id
    close_now(round_id)
    items = reveal_items(text(visitor.get(f"/rounds/{round_id}/reveal")))
    assert "66.7% marked it false (2 of 3)" in items[0]
    assert "33.3% marked it false (1 of 3)" in items[1]
    assert "0.0% marked it false (0 of 3)" in items[2]
    data = visitor.get(f"/rounds/{round_id}/results.json").get_json()
    assert [row["percent_marked_false"] for row in data["statements"]] == [66.7, 33.3, 0.0]


def test_quiz_poll_reveal_marks_the_correct_option_and_adds_up_to_100(make, visitor):
    poll = make.poll(["Red", "Green", "Blue"], correct=1, curator=make.user("author", password=None, curator=True))
    red, green, blue = (option.id for option in poll.options)
    for name, option in (("ann", red), ("bob", green), ("cyd", blue)):
        make.answer(poll, make.user(name, password=None), option=option)
    poll_id = poll.id
    assert visitor.get(f"/rounds/{poll_id}/results.json").status_code == 404
    close_now(poll_id)
    body = text(visitor.get(f"/rounds/{poll_id}/reveal"))
    labels = re.findall(r'<p class="bar-label">([\d.]+)% \((\d+)\)</p>', body)
    assert labels == [("33.4", "1"), ("33.3", "1"), ("33.3", "1")]
    items = reveal_items(body)
    assert ["Correct" in item for item in items] == [False, True, False]
    data = visitor.get(f"/rounds/{poll_id}/results.json").get_json()
    assert data["votes"] == 3
    assert [(o["text"], o["votes"], o["percent"], o["correct"]) for o in data["options"]] == [
        ("Red", 1, 33.4, False), ("Green", 1, 33.3, True), ("Blue", 1, 33.3, False)
    ]
    assert [(row["rank"], row["player"], row["points"]) for row in data["leaderboard"]] == [
        (1, "bob", 1), (2, "ann", 0), (2, "cyd", 0)
    ]


def test_draft_round_has_no_reveal_for_players(make, visitor):
    draft = make.facts_round(status="draft", curator=make.user("author", password=None, curator=True))
    assert visitor.get(f"/rounds/{draft.id}/reveal").status_code == 404
    assert visitor.get(f"/rounds/{draft.id}/results.json").status_code == 404


def test_a_drafts_curator_is_told_its_reveal_waits_and_nobody_else_learns_it_exists(make, curator, visitor):
    host = db.session.query(User).filter_by(username="host").one()
    draft = make.facts_round(status="draft", curator=host, title="Not ready yet")
    reveal = f"/rounds/{draft.id}/reveal"
    body = text(curator.get(reveal))
    assert "Not ready yet" in body
    assert "This round is a draft; its reveal opens after it is published and closes." in body
    for path in (reveal, f"/rounds/{draft.id}/results.json", f"/rounds/{draft.id}/leaderboard"):
        assert visitor.get(path).status_code == 404
    assert curator.get(f"/rounds/{draft.id}/leaderboard").status_code == 404


def highlights_of(make, marks_by_player: list[list[int]]) -> str:  # type: ignore[no-untyped-def]
    """The reveal's highlights of a round (lie 0, truth 1, lie 2, truth 3) with these players' marks."""
    round_ = make.facts_round([("Lie one", True), ("Truth one", False), ("Lie two", True), ("Truth two", False)],
                              curator=make.user("author", password=None, curator=True))
    ids = [s.id for s in round_.statements]
    for n, marks in enumerate(marks_by_player):
        make.answer(round_, make.user(f"player{n}", password=None), marked=[ids[i] for i in marks])
    make.close(round_)
    return round_.id


def highlights(client, round_id: int) -> str:  # type: ignore[no-untyped-def]
    body = text(client.get(f"/rounds/{round_id}/reveal"))
    return body.split('<section class="highlights">')[1].split("</section>")[0]


def test_a_tie_for_best_lie_and_most_doubted_truth_names_every_tied_statement(make, visitor):
    round_id = highlights_of(make, [[0, 1], [2, 3], [0, 2], [1, 3], [0, 2]])
    boxes = highlights(visitor, round_id)
    assert "<h2>Best lies, tied</h2>" in boxes and "<h2>Most doubted truths, tied</h2>" in boxes
    assert all(statement in boxes for statement in ("Lie one", "Lie two", "Truth one", "Truth two"))
    assert "Every lie was caught equally: 3 of 5 caught each." in boxes
    assert "2 of 5 thought each of them was false." in boxes


def test_a_best_lie_most_players_caught_is_not_called_only(make, visitor):
    round_id = highlights_of(make, [[0, 2], [0, 2], [0, 2], [0, 1], [0, 1]])
    boxes = highlights(visitor, round_id)
    assert "<h2>Best lie</h2>" in boxes and "Lie two" in boxes and "Lie one" not in boxes
    assert "Only" not in boxes
    assert "3 of 5 caught it, fewer than any other lie." in boxes


def test_a_lie_nobody_caught_says_so(make, visitor):
    round_id = highlights_of(make, [[0, 1], [0, 3]])
    boxes = highlights(visitor, round_id)
    assert "Lie two" in boxes and "Nobody caught it." in boxes


def test_results_as_json_is_a_small_data_link_at_the_foot_not_a_call_to_action(played, visitor):
    round_id, _ids, _ann = played
    close_now(round_id)
    body = text(visitor.get(f"/rounds/{round_id}/reveal"))
    assert re.search(rf'<p class="data-link"><a href="/rounds/{round_id}/results.json" type="application/json">'
                     r"Results as JSON</a></p>\s*</article>", body)

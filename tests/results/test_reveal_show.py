"""The reveal as a show: the viewer's own result first, stamped statements, a podium, the scores as a chart."""
from __future__ import annotations

import html
import re

from quizapp.extensions import db
from quizapp.models import Round
from tests.results.test_reveal import STATEMENTS, B, D, close_now, played, reveal_items, text  # noqa: F401

# ann finds the three lies, bob and cyd two, dan one (see MARKS in test_reveal.py)
ANN_PLACE = ("Perfect! You found every lie.", "Rank 1 of 4", "You beat 3 of 3 other players (100%).")


def visible(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def test_the_reveal_starts_with_the_viewers_score_rank_and_players_beaten(played, new_player, visitor):
    round_id, _ids, ann = played
    close_now(round_id)
    bob = new_player("bob_again")  # a player who did not play: nothing of theirs to show
    for viewer, place in ((ann, ANN_PLACE), (visitor, None), (bob, None)):
        page = text(viewer.get(f"/rounds/{round_id}/reveal"))
        if place is None:
            assert 'class="my-result' not in page
            continue
        words = visible(page)
        assert all(line in words for line in place), words
        # After the title, before the statements: the viewer first.
        assert page.index("<h1>") < page.index('class="my-result') < page.index('<ol class="reveal-list">')


def test_a_tie_in_the_viewers_place_is_named(make, new_player):
    round_ = make.facts_round([("a lie", True), ("a truth", False)], title="Tied",
                              curator=make.user("host", password=None, curator=True))
    lie = round_.statements[0].id
    players = [new_player(name) for name in ("tia", "tom", "ted")]
    for player in players:
        assert player.answer(round_.id, [lie]).status_code == 303
    close_now(round_.id)
    words = visible(text(players[0].get(f"/rounds/{round_.id}/reveal")))
    assert "Rank 1 of 3" in words and "tied with 2 others" in words and "You beat 0 of 2 other players (0%)." in words


def test_the_viewers_result_is_rendered_around_the_kept_article_never_inside_it(played):
    round_id, _ids, ann = played
    close_now(round_id)
    page = text(ann.get(f"/rounds/{round_id}/reveal"))
    article = page[page.index('<article class="reveal">'):page.index("</article>")]
    assert "my-result" not in article
    assert "your score" not in article


def test_the_podium_stands_the_top_three_with_their_ranks(played, visitor):
    round_id, _ids, _ann = played
    close_now(round_id)
    page = text(visitor.get(f"/rounds/{round_id}/reveal"))
    podium = page.split('<ol class="podium">')[1].split("</ol>")[0]
    steps = re.findall(r'<li class="podium-rank-(\d)">\s*<span class="podium-name">([^<]+)</span>', podium)
    assert steps == [("1", "ann"), ("2", "bob"), ("2", "cyd")]
    assert "podium-more" not in page  # dan, on 1 point, is fourth: no tie cut


def test_the_scores_are_an_svg_bar_chart_said_in_words_with_the_numbers_one_click_away(played, visitor):
    round_id, _ids, _ann = played
    close_now(round_id)
    page = text(visitor.get(f"/rounds/{round_id}/reveal"))
    chart = page.split('<svg class="chart')[1].split("</svg>")[0]
    assert 'role="img"' in chart
    words = re.search(r'<title id="distribution-words">(.*?)</title>', chart, flags=re.S)
    assert words and words.group(1) == (
        "0 players found 0 of 3; 1 player found 1 of 3; 2 players found 2 of 3; 1 player found 3 of 3")
    heights = [int(h) for h in re.findall(r'<rect class="chart-bar[^"]*" x="[^"]+" y="[^"]+" width="[^"]+" height="(\d+)"', chart)]
    assert heights[0] == 0 and heights[2] == max(heights) and heights[1] == heights[3] == heights[2] // 2
    details = page.split('<details class="chart-numbers">')[1].split("</details>")[0]
    assert '<table class="distribution">' in details
    assert " style=" not in page  # the strict CSP allows no style attribute


def test_statements_are_stamped_and_a_players_missed_lie_is_named_to_them(make, new_player):
    round_ = make.facts_round([(text_, is_false) for text_, is_false, _ in STATEMENTS], title="Stamped",
                              curator=make.user("host", password=None, curator=True))
    ids = [s.id for s in round_.statements]
    player = new_player("marker")
    assert player.answer(round_.id, [ids[B], ids[0], ids[4]]).status_code == 303  # one lie, two truths
    close_now(round_.id)
    items = reveal_items(text(player.get(f"/rounds/{round_.id}/reveal")))
    assert 'mark-hit">caught' in items[B]
    assert 'mark-miss">fooled' in items[0] and 'mark-miss">fooled' in items[4]
    assert "you missed this lie" in items[D]
    assert "you missed this lie" not in items[B] and "you missed this lie" not in items[0]


def test_a_quiz_poll_colours_its_correct_option_and_tells_the_viewer_they_got_it(make, new_player, visitor):
    quiz = make.poll(["Red", "Green", "Blue"], correct=1, title="Quiz",
                     curator=make.user("host", password=None, curator=True))
    red, green = quiz.options[0].id, quiz.options[1].id
    right, wrong = new_player("righty"), new_player("wrongy")
    assert right.answer(quiz.id, option=green).status_code == 303
    assert wrong.answer(quiz.id, option=red).status_code == 303
    close_now(quiz.id)
    url = f"/rounds/{quiz.id}/reveal"
    items = reveal_items(text(visitor.get(url)))
    assert ["option-correct" in item for item in items] == [False, True, False]
    assert "Right answer!" in visible(text(right.get(url)))
    words = visible(text(wrong.get(url)))
    assert "Not this time." in words and "The answer was: Green" in words and "Rank 2 of 2" in words


def test_an_opinion_poll_puts_its_leading_option_forward_and_the_voter_first(make, new_player, visitor):
    poll = make.poll(["Tea", "Coffee", "Mate"], title="Opinion", curator=make.user("host", password=None, curator=True))
    tea, coffee = poll.options[0].id, poll.options[1].id
    voters = [new_player(name) for name in ("ann", "bob", "cyd")]
    for voter, option in zip(voters, (tea, coffee, coffee), strict=True):
        assert voter.answer(poll.id, option=option).status_code == 303
    close_now(poll.id)
    url = f"/rounds/{poll.id}/reveal"
    assert ["option-leading" in item for item in reveal_items(text(visitor.get(url)))] == [False, True, False]
    words = visible(text(voters[1].get(url)))
    assert "You voted: Coffee" in words and "Chosen by 66.7% of voters (2 of 3)." in words
    assert "The most popular answer" in words
    assert "The most popular answer" not in visible(text(voters[0].get(url)))


def test_the_viewers_kept_result_follows_an_answer_that_lands_after_the_close(make, new_player):
    """An answer sent before the close can commit after it: a player already looking sees their rank move."""
    round_ = make.facts_round([("a lie", True), ("a truth", False)], title="Late",
                              curator=make.user("host", password=None, curator=True))
    lie, truth = (s.id for s in round_.statements)
    tia = new_player("tia")
    assert tia.answer(round_.id, [truth]).status_code == 303
    close_now(round_.id)
    assert "Rank 1 of 1" in visible(text(tia.get(f"/rounds/{round_.id}/reveal")))
    make.answer(db.session.get(Round, round_.id), make.user("tom", password=None), [lie])  # committed after the close
    words = visible(text(tia.get(f"/rounds/{round_.id}/reveal")))
    assert "Rank 2 of 2" in words, words

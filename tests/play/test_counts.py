"""One count, right at once, everywhere: the player's own answer is in "N answers so far" as soon as it is sent,
and beside a poll's tally the count is the tally's own total."""
from __future__ import annotations

import json
import re

import pytest

from quizapp.extensions import db

HTMX = {"HX-Request": "true", "HX-Request-Type": "partial"}


def text(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


def live_count(html: str) -> str:
    """The page's #live-count element, opening tag and text."""
    match = re.search(r'<p id="live-count".*?</p>', html, re.S)
    assert match, html
    return match.group(0)


@pytest.fixture
def others(make):  # type: ignore[no-untyped-def]
    """Two players who are not the one under test."""
    return [make.user(name, password=None) for name in ("ann", "bob")]


def test_an_answer_sent_with_htmx_has_the_page_count_fetch_itself_at_once(make, others, new_player):
    round_ = make.facts_round()
    for person in others:
        make.answer(round_, person, [round_.statements[1].id])
    round_id, false_ids = round_.id, [s.id for s in round_.statements if s.is_false]
    player = new_player("cyd")
    count = live_count(text(player.get(f"/rounds/{round_id}")))
    assert "2 answers so far" in count
    assert 'hx-trigger="every 5s, answered"' in count

    response = player.answer(round_id, false_ids, htmx=True)

    assert response.status_code == 200
    # The response is kept whole for every player (the same bytes however many answered): it can't hold the
    # count, so it asks the page's count to fetch itself now, and the count has this answer in it.
    assert json.loads(response.headers["HX-Trigger"]) == {"answered": {"target": "#live-count"}}
    assert "3 answers so far" in text(player.get(f"/rounds/{round_id}/count"))


def test_a_voter_sees_the_tallys_total_as_the_answer_count_at_once(make, others, new_player):
    poll = make.poll(["Tea", "Coffee", "Water"])
    for person in others:
        make.answer(poll, person, option=poll.options[0].id)
    poll_id, coffee = poll.id, poll.options[1].id
    player = new_player("cyd")

    voted = text(player.answer(poll_id, option=coffee, htmx=True))

    assert "3 votes" in voted
    count = live_count(voted)
    assert 'hx-swap-oob="true"' in count  # swapped in beside the panel, over the count above it
    assert "3 answers so far" in count
    # From now on it comes with the tally's refreshes, not on its own: one count, never two that disagree.
    assert "hx-trigger" not in count


def test_the_tally_and_the_count_refresh_together(make, others, new_player):
    poll = make.poll(["Tea", "Coffee", "Water"])
    poll_id, tea = poll.id, poll.options[0].id
    player = new_player("cyd")
    assert player.answer(poll_id, option=tea).status_code == 303
    page = text(player.get(f"/rounds/{poll_id}"))
    assert "hx-trigger" not in live_count(page) and "1 answer so far" in live_count(page)
    assert f'hx-get="/rounds/{poll_id}/tally"' in page

    db.session.rollback()  # the test's own read must not hold the write the next answer needs
    make.answer(poll, others[0], option=tea)
    tally = text(player.get(f"/rounds/{poll_id}/tally", headers=HTMX))

    assert "2 votes" in tally
    assert "2 answers so far" in live_count(tally)
    assert 'hx-swap-oob="true"' in live_count(tally)

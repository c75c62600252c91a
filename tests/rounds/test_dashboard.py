"""The curator's dashboard shows each round's answers so far, and keeps them current without a reload."""
from __future__ import annotations

import re

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Round, User

HTMX = {"HX-Request": "true", "HX-Request-Type": "partial"}


def text(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


def count_cell(page: str, round_id: int) -> str:
    """The number in the round's "Answers" cell (or in its out-of-band refresh)."""
    match = re.search(rf'<span id="answers-{round_id}"[^>]*>(\d+)</span>', page)
    assert match, page
    return match.group(1)


def test_the_dashboards_counts_follow_answers_while_a_round_is_open(make, curator, new_player):
    host = db.session.scalar(select(User).where(User.username == "host"))
    round_ = make.facts_round(curator=host, title="Mine")
    rival_round = make.facts_round(title="Another curator's")
    round_id, rival_id, false_ids = round_.id, rival_round.id, [s.id for s in round_.statements if s.is_false]
    dashboard = text(curator.get("/curator/"))
    assert count_cell(dashboard, round_id) == "0"
    # One element fetches the page's counts while a round on it is open.
    poller = re.search(r'<div id="answer-counts"[^>]*>', dashboard)
    assert poller and 'hx-get="/curator/answer-counts"' in poller.group(0) and 'hx-trigger="every 5s"' in poller.group(0)

    assert new_player("ann").answer(round_id, false_ids, htmx=True).status_code == 200

    counts = text(curator.get("/curator/answer-counts", headers=HTMX))
    assert count_cell(counts, round_id) == "1"
    assert f'<span id="answers-{round_id}" hx-swap-oob="true">' in counts  # into its own cell, nothing else swapped
    assert f'id="answers-{rival_id}"' not in counts  # only the curator's own rounds
    assert count_cell(text(curator.get("/curator/")), round_id) == "1"  # and right on the next load, too

    db.session.rollback()
    make.close(db.session.get(Round, round_id))
    closed = text(curator.get("/curator/answer-counts", headers=HTMX))
    assert count_cell(closed, round_id) == "1"
    assert "hx-trigger" not in closed  # no round open on the page: the polling stops


def test_only_curators_see_the_dashboards_counts(new_player, visitor):
    assert new_player("ann").get("/curator/answer-counts").status_code == 403
    assert visitor.get("/curator/answer-counts").status_code == 302

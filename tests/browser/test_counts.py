"""One count, right at once: the player's own answer is in "N answers so far" as soon as the confirmation shows,
beside a poll's tally the count and the votes are the same number, and the host's dashboard keeps up."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Round, User
from tests.browser.actions import join, live_count
from tests.browser.support import LiveServer, NewContext, OpenAs, World, unique

pytestmark = pytest.mark.browser

AT_ONCE = 2_500  # well before the count's next poll, 5 s later


def test_the_players_own_answer_is_counted_at_once(live_server: LiveServer, new_context: NewContext) -> None:
    with live_server.factory() as make:
        round_ = make.facts_round([("I own a kayak.", False), ("I was born in a lighthouse.", True)],
                                  title=unique("Kayaks "))
        make.answer(round_, make.user(), marked=[round_.statements[0].id])
        round_id = round_.id
    page = new_context().new_page()
    join(page, unique("Counted_"))
    page.goto(f"/rounds/{round_id}")
    expect(live_count(page)).to_have_text("1 answer so far")

    page.get_by_label("I was born in a lighthouse.").check()
    page.get_by_role("button", name="Send my answer").click()

    expect(page.locator(".confirmation")).to_contain_text("You answered. Thank you!")
    expect(live_count(page)).to_have_text("2 answers so far", timeout=AT_ONCE)


def test_a_voter_sees_as_many_answers_as_votes(live_server: LiveServer, new_context: NewContext) -> None:
    with live_server.factory() as make:
        poll = make.poll(["Stairs", "Lift"], title=unique("Stairs or lift "))
        make.answer(poll, make.user(), option=poll.options[0].id)
        poll_id = poll.id
    page = new_context().new_page()
    join(page, unique("Voter_"))
    page.goto(f"/rounds/{poll_id}")
    expect(live_count(page)).to_have_text("1 answer so far")

    page.get_by_label("Lift").check()
    page.get_by_role("button", name="Send my answer").click()

    expect(page.locator("#poll-results")).to_contain_text("2 votes")
    expect(live_count(page)).to_have_text("2 answers so far", timeout=AT_ONCE)


def test_the_dashboard_counts_answers_without_a_reload(live_server: LiveServer, open_as: OpenAs, world: World) -> None:
    with live_server.factory() as make:
        host = db.session.scalar(select(User).where(User.username == world.host))
        round_ = make.facts_round([("I collect stamps.", False), ("I once met a bear.", True)], curator=host,
                                  title=unique("Stamps "))
        round_id = round_.id
    page = open_as("curator", "/curator/")
    cell = page.locator(f"#answers-{round_id}")
    expect(cell).to_have_text("0")

    with live_server.factory() as make:
        round_ = db.session.get(Round, round_id)
        make.answer(round_, make.user(), marked=[round_.statements[1].id])

    expect(cell).to_have_text("1", timeout=8_000)  # at its next refresh, every 5 s

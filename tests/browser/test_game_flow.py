"""A whole game with JavaScript on: a curator writes a facts round and a poll, three players answer, the reveal counts right."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Round
from tests.browser.actions import (
    close_from_dashboard,
    fill_rows,
    join,
    live_count,
    log_in,
    open_round,
    publish_in_one_hour,
)
from tests.browser.support import LiveServer, NewContext, screenshot

pytestmark = pytest.mark.browser

STATEMENTS = [
    "I have been to Antarctica twice.",
    "I can juggle five balls at once.",
    "Я выучил русский за один год.",
    "My first computer was a ZX Spectrum.",
]
FALSE_ONE = STATEMENTS[1]
OPTIONS = ["Narrow: models only", "Broad: data to deployment", "Whatever the team needs"]


def mark_document(page: Page) -> None:
    """Tag the loaded document: a full page load would lose the tag, an htmx swap keeps it."""
    page.evaluate("() => { window.twoTruthsSameDocument = true; }")


def still_same_document(page: Page) -> bool:
    return page.evaluate("() => window.twoTruthsSameDocument === true")


def build_facts_round(page: Page, title: str) -> None:
    page.goto("/curator/rounds/new/facts")
    editor_url = page.url
    page.get_by_label("Title").fill(title)
    page.get_by_label("Statement 1", exact=True).fill(STATEMENTS[0])
    expect(page.get_by_label("Statement 4", exact=True)).to_have_count(0)
    mark_document(page)

    page.get_by_role("button", name="Add a statement").click()

    # htmx swapped the editor in place: a fourth row, the typed text kept, no navigation.
    expect(page.get_by_label("Statement 4", exact=True)).to_be_visible()
    expect(page.get_by_label("Statement 4", exact=True)).to_be_focused()
    expect(page.get_by_label("Statement 1", exact=True)).to_have_value(STATEMENTS[0])
    assert page.url == editor_url
    assert still_same_document(page)
    fill_rows(page, "Statement", STATEMENTS)
    page.get_by_label("This one is false (Statement 2)").check()
    page.get_by_label("in 1 hour").check()
    screenshot(page, "curator-facts-editor")
    screenshot(page, "curator-facts-editor-top", height=1150)
    publish_in_one_hour(page)
    expect(page.get_by_role("link", name=title, exact=True)).to_be_visible()


def build_poll(page: Page, question: str) -> None:
    page.goto("/curator/rounds/new/poll")
    editor_url = page.url
    page.get_by_label("Question").fill(question)
    fill_rows(page, "Option", OPTIONS[:2])
    mark_document(page)

    page.get_by_role("button", name="Add an option").click()

    expect(page.get_by_label("Option 3", exact=True)).to_be_visible()
    expect(page.get_by_label("Option 2", exact=True)).to_have_value(OPTIONS[1])
    assert page.url == editor_url
    assert still_same_document(page)
    page.get_by_label("Option 3", exact=True).fill(OPTIONS[2])
    expect(page.get_by_label("right after voting")).to_be_checked()
    page.get_by_label("in 1 hour").check()
    screenshot(page, "curator-poll-editor")
    publish_in_one_hour(page)


def send_answer(page: Page, *choices: str) -> None:
    """Tick the statements (or the option) by their text and send; htmx swaps the confirmation in."""
    round_url = page.url
    mark_document(page)
    for text in choices:
        page.get_by_label(text, exact=True).check()
    page.get_by_role("button", name="Send my answer").click()
    confirmation = page.locator(".confirmation")
    expect(confirmation).to_contain_text("You answered. Thank you!")
    expect(confirmation).to_be_focused()
    assert page.url == round_url
    assert still_same_document(page)


def rank_row(page: Page, player: str):  # type: ignore[no-untyped-def]
    # The viewer's own row may add a hidden "(you)" to the name.
    name = re.compile(rf"^{re.escape(player)}( \(you\))?$")
    return page.locator("#round-leaderboard tbody tr").filter(has=page.get_by_role("rowheader", name=name))


def test_curator_builds_rounds_and_three_players_play_them(live_server: LiveServer, new_context: NewContext) -> None:
    # Names and titles appear in no other test: the server's database lives for the whole session.
    host = "Host_Marta"
    with live_server.factory() as make:
        make.user(host, password="host-password", curator=True)
    facts_title = "Four facts about me"
    poll_title = "How broad should an ML engineer's job be?"

    curator = new_context().new_page()
    log_in(curator, host, "host-password")
    build_facts_round(curator, facts_title)
    build_poll(curator, poll_title)
    with live_server.app.app_context():
        published = db.session.scalars(select(Round).where(Round.title.in_([facts_title, poll_title])).order_by(Round.id)).all()
        assert [round_.kind for round_ in published] == ["facts", "poll"]
        assert all(round_.closes_at - round_.opens_at == timedelta(hours=1) for round_ in published)
        assert [statement.is_false for statement in published[0].statements] == [False, True, False, False]

    names = ["Anna", "Bruno", "Chloe"]
    players = [new_context().new_page() for _ in names]
    for page, name in zip(players, names, strict=True):
        join(page, name)
    ann, bob, cat = players
    round_ids = {open_round(page, facts_title) for page in players}
    assert len(round_ids) == 1
    facts_id = round_ids.pop()

    expect(ann.get_by_text("1 of these 4 statements is false: mark it.")).to_be_visible()
    expect(live_count(bob)).to_have_text("0 answers so far")
    screenshot(ann, "round-page")
    send_answer(ann, FALSE_ONE)
    screenshot(ann, "round-confirmation")
    # Bob's page polls every 5 s: his count moves without a reload.
    expect(live_count(bob)).to_have_text("1 answer so far", timeout=8_000)
    send_answer(bob, STATEMENTS[0])
    send_answer(cat, FALSE_ONE)
    expect(cat.locator(".confirmation")).to_contain_text(FALSE_ONE)

    for page, option in zip(players, [OPTIONS[1], OPTIONS[1], OPTIONS[0]], strict=True):
        open_round(page, poll_title)
        send_answer(page, option)
    # An opinion poll shows its tally right after the vote.
    expect(cat.locator("#poll-results")).to_contain_text("3 votes")
    expect(cat.locator("#poll-results .reveal-item").filter(has_text=OPTIONS[1])).to_contain_text("66.7% (2)")
    screenshot(cat, "poll-after-vote")

    close_from_dashboard(curator, poll_title)
    bob.goto(f"/rounds/{facts_id}")
    expect(live_count(bob)).to_have_text("3 answers so far")
    close_from_dashboard(curator, facts_title)
    screenshot(curator, "curator-dashboard")
    # At its next poll the count comes back closed, without its trigger: the polling stops.
    expect(live_count(bob)).to_have_text("3 players answered", timeout=8_000)
    expect(live_count(bob)).not_to_have_attribute("hx-trigger", re.compile(".*"))

    ann.goto(f"/rounds/{facts_id}/reveal")
    items = ann.locator(".reveal-item")
    expected = {
        STATEMENTS[0]: ("TRUE", "33.3% marked it false (1 of 3)"),
        STATEMENTS[1]: ("FALSE", "66.7% marked it false (2 of 3)"),
        STATEMENTS[2]: ("TRUE", "0.0% marked it false (0 of 3)"),
        STATEMENTS[3]: ("TRUE", "0.0% marked it false (0 of 3)"),
    }
    for text, (verdict, bar) in expected.items():
        item = items.filter(has_text=text)
        expect(item.locator(".verdict")).to_have_text(verdict)
        expect(item.locator(".bar-label")).to_have_text(bar)
    expect(items.filter(has_text=FALSE_ONE)).to_contain_text("you marked it false")
    expect(ann.locator(".stat.mine")).to_contain_text("1 / 1")
    for name, rank, points in [(names[0], "1", "1"), (names[2], "1", "1"), (names[1], "3", "0")]:
        row = rank_row(ann, name)
        expect(row.locator("td.rank")).to_have_text(rank)
        expect(row.locator("td.num").first).to_have_text(points)
    screenshot(ann, "reveal-facts")

    bob.get_by_role("link", name="Rounds", exact=True).click()
    bob.get_by_role("link", name=poll_title).click()
    expect(bob).to_have_url(re.compile(r"/reveal$"))
    poll = bob.locator("#poll-results")
    expect(poll).to_contain_text("3 votes")
    for option, label in zip(OPTIONS, ["33.3% (1)", "66.7% (2)", "0.0% (0)"], strict=True):
        expect(poll.locator(".reveal-item").filter(has_text=option).locator(".bar-label")).to_have_text(label)
    expect(poll.locator(".reveal-item.mine")).to_contain_text(OPTIONS[1])
    screenshot(bob, "reveal-poll")

    cat.goto("/leaderboard")
    expect(cat.locator("#overall-leaderboard tr.me")).to_contain_text(names[2])
    screenshot(cat, "leaderboard")
    cat.goto("/")
    screenshot(cat, "home")


def test_a_wrong_number_of_marks_comes_back_in_place_with_the_marks_kept(live_server: LiveServer, page: Page) -> None:
    # Too few marks: too many can't be sent with JavaScript on (tests/browser/test_marking.py).
    with live_server.factory() as make:
        make.facts_round([("Red is a colour.", False), ("Nine is prime.", True), ("Ice floats.", False),
                          ("Ten is prime.", True)], title="Colours and numbers")
    join(page, "Dora")
    open_round(page, "Colours and numbers")
    round_url = page.url
    mark_document(page)
    page.get_by_label("Nine is prime.").check()
    expect(page.locator(".mark-counter")).to_have_text("1 of 2 marked")

    page.get_by_role("button", name="Send my answer").click()

    expect(page.get_by_role("alert")).to_have_text("Mark exactly 2 statements as false; you marked 1.")
    expect(page.get_by_label("Nine is prime.")).to_be_checked()
    expect(page.get_by_label("Red is a colour.")).not_to_be_checked()
    assert page.url == round_url
    assert still_same_document(page)
    send_answer(page, "Ten is prime.")

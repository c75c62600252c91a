"""Fair play and nothing lost: the host can't answer their own round; a visitor's marks survive joining; an answer
held back by the rate limit keeps its marks; the answer count includes the player's own answer at once."""
from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.actions import live_count
from tests.browser.support import LiveServer, NewContext, OpenAs, World, screenshot, unique

pytestmark = pytest.mark.browser

STATEMENTS = [("I sleep with socks on.", False), ("I have never broken a bone.", True),
              ("I learned to swim at forty.", True), ("I can name every capital of Africa.", False)]
LIES = [text for text, is_false in STATEMENTS if is_false]
TOO_MANY = "Too many attempts. Wait a moment and try again."


def facts_round(live_server: LiveServer, title: str) -> int:
    with live_server.factory() as make:
        return make.facts_round(STATEMENTS, title=title).id


def tick(page: Page, *texts: str) -> None:
    for text in texts:
        page.get_by_label(text, exact=True).check()


def assert_ticked(page: Page, *texts: str) -> None:
    for text, _is_false in STATEMENTS:
        box = expect(page.get_by_label(text, exact=True))
        box.to_be_checked() if text in texts else box.not_to_be_checked()


def test_the_host_sees_their_round_says_so_and_has_nothing_to_send(open_as: OpenAs, world: World) -> None:
    page = open_as("curator", f"/rounds/{world.open_facts}")
    expect(page.get_by_text("You host this round")).to_be_visible()
    expect(page.locator("input[name=marks]").first).to_be_disabled()
    expect(page.get_by_role("button", name="Send my answer")).to_have_count(0)
    expect(page.locator("#round-panel button")).to_have_count(0)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_visitors_marks_survive_joining_and_are_sent_with_one_click(
        live_server: LiveServer, new_context: NewContext, javascript: bool) -> None:
    title = unique("Socks and capitals ")
    round_id = facts_round(live_server, title)
    page = new_context(javascript=javascript).new_page()
    page.goto(f"/rounds/{round_id}")
    tick(page, *LIES)

    page.get_by_role("button", name="Pick a nickname to send").click()

    expect(page).to_have_url(re.compile(r"/join\?next="))
    nickname = unique("Visitor_")
    page.fill("input[name=nickname]", nickname)
    page.press("input[name=nickname]", "Enter")
    expect(page.get_by_text(f"Welcome, {nickname}!")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/rounds/{round_id}\?marks=\d+&marks=\d+$"))
    assert_ticked(page, *LIES)
    if javascript:
        expect(page.locator(".mark-counter")).to_have_text("2 of 2 marked")
    screenshot(page, f"marks-kept-after-join-{'js' if javascript else 'nojs'}")

    page.get_by_role("button", name="Send my answer").click()

    expect(page.locator(".confirmation li")).to_have_text(LIES)
    # The player's own answer is in the count at once, not at its next poll 5 s later.
    expect(live_count(page)).to_have_text("1 answer so far", timeout=2_500)


@pytest.fixture
def answers_limited(live_server: LiveServer) -> Iterator[None]:
    """One refused answer a minute per player, for this test only (the session's app is otherwise unthrottled)."""
    config = live_server.app.config
    before = config["RATE_LIMIT_ANSWER"]
    config["RATE_LIMIT_ANSWER"] = "1 per minute"
    yield
    config["RATE_LIMIT_ANSWER"] = before


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_an_answer_held_back_by_the_rate_limit_keeps_its_marks(
        live_server: LiveServer, new_context: NewContext, answers_limited: None, javascript: bool) -> None:
    round_id = facts_round(live_server, unique("Held back "))
    page = new_context(javascript=javascript).new_page()
    page.goto("/join")
    page.fill("input[name=nickname]", unique("Hasty_"))
    page.press("input[name=nickname]", "Enter")
    page.goto(f"/rounds/{round_id}")
    round_url = page.url
    tick(page, LIES[0])  # one of two: refused, and counted against the limit
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_text("Mark exactly 2 statements as false; you marked 1.")).to_be_visible()

    with page.expect_response(lambda response: response.url.endswith("/answer")) as sent:
        page.get_by_role("button", name="Send my answer").click()

    assert sent.value.status == (429 if javascript else 303)
    expect(page.locator("#flash-list")).to_contain_text(TOO_MANY)
    assert_ticked(page, LIES[0])
    if javascript:
        assert page.url == round_url  # the panel stayed where it was
    else:  # back on the round page, not left at /answer
        expect(page).to_have_url(re.compile(rf"/rounds/{round_id}\?marks=\d+$"))
    screenshot(page, f"rate-limited-{'js' if javascript else 'nojs'}")

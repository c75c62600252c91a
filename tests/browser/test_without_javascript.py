"""Progressive enhancement: with JavaScript off, the same forms post and the server redirects."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.actions import fill_rows, join, log_in, open_round, publish_in_one_hour
from tests.browser.support import LiveServer, NewContext, screenshot

pytestmark = pytest.mark.browser

STATEMENTS = [("I have a twin sister.", False), ("I was a professional chess player.", True),
              ("I grow tomatoes on my balcony.", False)]


def test_a_player_without_javascript_answers_and_sees_the_reveal(live_server: LiveServer, new_context: NewContext) -> None:
    with live_server.factory() as make:
        round_id = make.facts_round(STATEMENTS, title="Plain HTML facts").id
    page = new_context(javascript=False).new_page()
    join(page, "Nadia_NoScript")
    assert open_round(page, "Plain HTML facts") == round_id
    round_url = page.url

    # A wrong number of marks: back on the round page (not left at /answer), with the reason and the marks kept.
    page.get_by_label("I have a twin sister.").check()
    page.get_by_label("I was a professional chess player.").check()
    with page.expect_response(lambda response: response.request.method == "POST") as refused:
        page.get_by_role("button", name="Send my answer").click()
    assert refused.value.status == 303
    expect(page).to_have_url(re.compile(rf"/rounds/{round_id}\?marks=\d+&marks=\d+$"))
    expect(page.locator("#flash-list")).to_have_text("Mark exactly 1 statement as false; you marked 2.")
    expect(page.get_by_label("I have a twin sister.")).to_be_checked()
    expect(page.get_by_label("I was a professional chess player.")).to_be_checked()

    page.get_by_label("I have a twin sister.").uncheck()
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.get_by_role("button", name="Send my answer").click()
    assert posted.value.status == 303
    assert page.url == round_url  # the marks' address is gone once they are sent
    expect(page.locator(".confirmation")).to_contain_text("You answered. Thank you!")
    expect(page.locator(".confirmation li")).to_have_text(["I was a professional chess player."])
    screenshot(page, "nojs-confirmation")

    live_server.close_round(round_id)
    page.reload()
    expect(page.get_by_text("This round is closed: answers are no longer taken.")).to_be_visible()
    page.get_by_role("link", name="See the reveal").click()
    item = page.locator(".reveal-item").filter(has_text="I was a professional chess player.")
    expect(item.locator(".verdict")).to_have_text("FALSE")
    expect(item).to_contain_text("you marked it false")
    expect(item.locator(".bar-label")).to_have_text("100.0% marked it false (1 of 1)")
    expect(page.locator(".stat.mine")).to_contain_text("1 / 1")
    screenshot(page, "nojs-reveal")


def test_a_curator_without_javascript_adds_a_row_and_publishes(live_server: LiveServer, new_context: NewContext) -> None:
    with live_server.factory() as make:
        make.user("Host_Nikolai", password="host-password", curator=True)
    page = new_context(javascript=False).new_page()
    log_in(page, "Host_Nikolai", "host-password")
    page.goto("/curator/rounds/new/facts")
    editor_url = page.url
    page.get_by_label("Title").fill("Written without JavaScript")
    texts = [text for text, _false in STATEMENTS]
    fill_rows(page, "Statement", texts)

    with page.expect_navigation():
        page.get_by_role("button", name="Add a statement").click()

    # A plain submit: the whole page came back from the POST, with the typed rows and one more.
    assert page.url == editor_url
    expect(page.get_by_label("Statement 4", exact=True)).to_have_value("")
    for number, text in enumerate(texts, start=1):
        expect(page.get_by_label(f"Statement {number}", exact=True)).to_have_value(text)
    page.get_by_label("Statement 4", exact=True).fill("I have read every book by Terry Pratchett.")
    page.get_by_label("This one is false (Statement 2)").check()
    screenshot(page, "nojs-facts-editor")
    publish_in_one_hour(page)
    expect(page.get_by_role("link", name="Written without JavaScript", exact=True)).to_be_visible()

    visitor = new_context(javascript=False).new_page()
    open_round(visitor, "Written without JavaScript")
    expect(visitor.get_by_text("1 of these 4 statements is false: mark it.")).to_be_visible()
    expect(visitor.get_by_label("I have read every book by Terry Pratchett.")).to_be_visible()
    expect(visitor).to_have_url(re.compile(r"/rounds/\d+$"))

"""Sharing in the browser: the Copy button copies the line and link, and without JavaScript the text is selectable."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.support import PHONE, OpenAs, World, screenshot

pytestmark = pytest.mark.browser


def test_a_player_copies_their_result_from_the_reveal(open_as: OpenAs, world: World) -> None:
    page = open_as("player", f"/rounds/{world.closed_facts}/reveal")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    box = page.get_by_role("region", name="Share your result")
    text = box.get_by_label("Your result, spoiler-free, ready to paste:")
    expect(text).to_have_value(re.compile(r"^Two Truths · Five facts about me, revealed · \d/\d lies found [🟩🟥]+ · "
                                          r"rank \d+ of \d+\nhttp://127\.0\.0\.1:\d+/rounds/\d+/shared/\d+-\w+\?lang=en$"))
    box.get_by_role("button", name="Copy").click()
    expect(box.get_by_role("status")).to_have_text("Copied to the clipboard.")
    assert page.evaluate("navigator.clipboard.readText()") == text.input_value()
    # The link opens the player's own result, as anyone who follows it sees it.
    box.get_by_role("link", name="Your result page").click()
    expect(page.get_by_role("heading", name=f"{world.player}’s result")).to_be_visible()
    screenshot(page, "shared-result-desktop")


def test_without_javascript_the_share_box_is_plain_text_and_the_host_box_too(open_as: OpenAs, world: World) -> None:
    page = open_as("player", f"/rounds/{world.closed_facts}/reveal", javascript=False, viewport=PHONE)
    box = page.get_by_role("region", name="Share your result")
    expect(box.get_by_role("textbox")).to_have_attribute("readonly", "")
    expect(box.get_by_role("button", name="Copy")).to_be_hidden()
    expect(box.get_by_role("button", name="Share…")).to_be_hidden()
    screenshot(page, "share-box-phone-no-js")
    host = open_as("curator", f"/curator/?share={world.open_facts}", javascript=False)
    share = host.get_by_role("region", name=re.compile("^Share “"))
    expect(share.get_by_label("Players answer at this link:")).to_have_value(
        re.compile(rf"/rounds/{world.open_facts}\?lang=en$"))
    expect(share.get_by_role("img")).to_have_attribute("loading", "lazy")

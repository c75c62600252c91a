"""The mark counter stops an over-marked answer at the control: Send waits until the player unmarks some."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.actions import join
from tests.browser.support import NewContext, World, unique

pytestmark = pytest.mark.browser


def test_marking_more_than_asked_holds_send_until_one_is_unmarked(new_context: NewContext, world: World) -> None:
    page = new_context().new_page()
    join(page, unique("Marker"))
    page.goto(f"/rounds/{world.open_facts}")
    boxes = page.locator("input[name=marks]")
    send = page.get_by_role("button", name="Send my answer")
    counter = page.locator(".mark-counter")

    boxes.nth(0).check()
    boxes.nth(1).check()
    expect(counter).to_have_text("2 of 2 marked")
    expect(send).to_be_enabled()

    boxes.nth(2).check()
    expect(counter).to_have_text("3 of 2 marked: unmark some to send")
    expect(counter).to_have_class("mark-counter over")
    expect(send).to_be_disabled()

    boxes.nth(0).uncheck()
    expect(counter).to_have_text("2 of 2 marked")
    expect(send).to_be_enabled()
    send.click()
    expect(page.get_by_text("You answered")).to_be_visible()


def test_a_visitor_marking_more_than_asked_can_neither_join_nor_log_in_to_send(new_context: NewContext,
                                                                               world: World) -> None:
    page = new_context().new_page()
    page.goto(f"/rounds/{world.open_facts}")
    boxes = page.locator("input[name=marks]")
    buttons = [page.get_by_role("button", name="Pick a nickname to send"), page.get_by_role("button", name="Log in to send")]
    for i in range(3):
        boxes.nth(i).check()
    for button in buttons:
        expect(button).to_be_disabled()
    boxes.nth(0).uncheck()
    for button in buttons:
        expect(button).to_be_enabled()

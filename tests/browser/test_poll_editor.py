"""The poll editor's correct answer: one choice, "no correct answer" included, kept on its option through row actions."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from quizapp.extensions import db
from quizapp.models import Round
from tests.browser.actions import fill_rows, publish_in_one_hour
from tests.browser.support import LiveServer, OpenAs, screenshot, unique

pytestmark = pytest.mark.browser


def test_only_one_option_can_be_the_correct_answer(open_as: OpenAs, live_server: LiveServer) -> None:
    page = open_as("curator", "/curator/rounds/new/poll")
    title = unique("Tea or coffee? ")
    page.get_by_label("Question").fill(title)
    fill_rows(page, "Option", ["Tea", "Coffee"])
    none = page.get_by_label("No correct answer (opinion poll)")
    first, second = (page.get_by_label(f"Correct answer (Option {n})") for n in (1, 2))
    expect(none).to_be_checked()

    first.check()
    second.check()

    expect(second).to_be_checked()
    expect(first).not_to_be_checked()
    expect(none).not_to_be_checked()

    # htmx swaps the editor in after each row action: the choice stays with its option.
    page.get_by_role("button", name="Add an option").click()
    expect(page.get_by_label("Option 3", exact=True)).to_be_visible()
    page.get_by_label("Option 3", exact=True).fill("Mate")
    expect(page.get_by_label("Correct answer (Option 2)")).to_be_checked()
    page.get_by_role("button", name="Move up (Option 2)").click()
    expect(page.get_by_label("Option 1", exact=True)).to_have_value("Coffee")
    expect(page.get_by_label("Correct answer (Option 1)")).to_be_checked()
    expect(page.locator("input[name=correct]:checked")).to_have_count(1)

    publish_in_one_hour(page)
    with live_server.app.app_context():
        round_ = db.session.query(Round).filter_by(title=title).one()
        assert [(option.text, option.is_correct) for option in round_.options] == [
            ("Coffee", True), ("Tea", False), ("Mate", False)]


@pytest.mark.parametrize(("language", "width"), [("en-US", 1280), ("en-US", 360), ("ru-RU", 1280), ("ru-RU", 360)])
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_the_poll_editor_reads_well(open_as: OpenAs, language: str, width: int, javascript: bool) -> None:
    page = open_as("curator", "/curator/rounds/new/poll", locale=language, javascript=javascript,
                   viewport={"width": width, "height": 800})
    radios = page.locator("input[name=correct]")
    expect(radios).to_have_count(3)
    radios.nth(1).check()
    expect(page.locator("input[name=correct]:checked")).to_have_count(1)
    screenshot(page, f"poll-editor-{'js' if javascript else 'nojs'}-{language}-{width}")
